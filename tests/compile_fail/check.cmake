# Compiles SOURCE and passes only if compilation fails with the message given
# on its "// EXPECT:" line. Run by CTest: cmake -DCXX=... -DSOURCE=... -DINCLUDE=... -P check.cmake
file(STRINGS ${SOURCE} expect_line REGEX "^// EXPECT: ")
string(REGEX REPLACE "^// EXPECT: " "" expected "${expect_line}")
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()
string(FIND "${err}" "${expected}" pos)
if(pos EQUAL -1)
  message(FATAL_ERROR "${SOURCE} failed to compile without the expected message\n"
                      "expected: ${expected}\n--- compiler said:\n${err}")
endif()
message(STATUS "${SOURCE}: rejected with the expected message")
