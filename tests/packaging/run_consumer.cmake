# Driver for the packaging tests (cmake -P). Variables (-D):
#   MODE                 find_package | add_subdirectory
#   ALCHEMY_SOURCE_DIR   alchemy's source tree
#   CONSUMER_SOURCE_DIR  tests/packaging/consumer
#   WORK_DIR             scratch directory (in the build tree)
#   GENERATOR, MAKE_PROGRAM, CXX_COMPILER, CXX_COMPILER_LAUNCHER, PARALLEL
#
# find_package:      configure alchemy with BUILD_SHARED_LIBS=ON (tests, examples,
#                    benchmarks off), build, install into WORK_DIR/prefix, then
#                    configure the consumer against that prefix, build and run it.
# add_subdirectory:  configure the consumer with alchemy as a subdirectory
#                    (static libraries), build and run it.
# Each step's output is shown only when the step fails.
cmake_minimum_required(VERSION 3.25)

foreach(_v MODE ALCHEMY_SOURCE_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${_v}=... is required")
  endif()
endforeach()
if(NOT PARALLEL)
  set(PARALLEL 2)
endif()

set(_toolchain -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND _toolchain "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER)
  list(APPEND _toolchain "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(CXX_COMPILER_LAUNCHER)
  list(APPEND _toolchain "-DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER}")
endif()

# step(<name> <command...>): run, keep the output, fail the test with it on error.
function(step name)
  message(STATUS "[${MODE}] ${name}")
  string(TIMESTAMP _t0 "%s")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _out)   # same variable: stdout and stderr interleaved
  string(TIMESTAMP _t1 "%s")
  math(EXPR _secs "${_t1} - ${_t0}")
  if(NOT _rc STREQUAL "0")
    list(JOIN ARGN " " _cmd)
    message("${_out}")
    message(FATAL_ERROR "[${MODE}] step '${name}' failed (${_rc}) after ${_secs} s:\n  ${_cmd}")
  endif()
  message(STATUS "[${MODE}] ${name}: ok (${_secs} s)")
  set(STEP_OUTPUT "${_out}" PARENT_SCOPE)
endfunction()

set(_consumer_build "${WORK_DIR}/consumer-build")

if(MODE STREQUAL "find_package")
  set(_alchemy_build "${WORK_DIR}/alchemy-build")   # reused: rebuilds incrementally
  set(_prefix "${WORK_DIR}/prefix")
  file(REMOVE_RECURSE "${_prefix}" "${_consumer_build}")

  step("configure alchemy (shared)"
    ${CMAKE_COMMAND} -S "${ALCHEMY_SOURCE_DIR}" -B "${_alchemy_build}" ${_toolchain}
      -DBUILD_SHARED_LIBS=ON
      -DALCHEMY_BUILD_TESTS=OFF -DALCHEMY_BUILD_EXAMPLES=OFF -DALCHEMY_BUILD_BENCHMARKS=OFF
      -DALCHEMY_INSTALL=ON
      "-DCMAKE_INSTALL_PREFIX=${_prefix}")
  step("build alchemy" ${CMAKE_COMMAND} --build "${_alchemy_build}" -j ${PARALLEL})
  step("install alchemy" ${CMAKE_COMMAND} --install "${_alchemy_build}" --prefix "${_prefix}")

  file(GLOB_RECURSE _configs "${_prefix}/*/alchemyConfig.cmake")
  if(NOT _configs)
    message(FATAL_ERROR "[${MODE}] no alchemyConfig.cmake under ${_prefix}")
  endif()
  if(NOT EXISTS "${_prefix}/include/alchemy/alchemy.hpp")
    message(FATAL_ERROR "[${MODE}] include/alchemy/alchemy.hpp was not installed")
  endif()

  step("configure consumer (find_package)"
    ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${_consumer_build}" ${_toolchain}
      -DALCHEMY_CONSUMER_MODE=find_package
      -DALCHEMY_CONSUMER_SELF_CHECKS=ON
      "-DCMAKE_PREFIX_PATH=${_prefix}"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
elseif(MODE STREQUAL "add_subdirectory")
  # The consumer's build tree holds alchemy's too: reused, rebuilds incrementally.
  file(REMOVE_RECURSE "${_consumer_build}/consumer" "${_consumer_build}/consumer.exe")
  step("configure consumer (add_subdirectory)"
    ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${_consumer_build}" ${_toolchain}
      -DALCHEMY_CONSUMER_MODE=add_subdirectory
      "-DALCHEMY_SOURCE_DIR=${ALCHEMY_SOURCE_DIR}")
else()
  message(FATAL_ERROR "MODE must be find_package or add_subdirectory, not '${MODE}'")
endif()

step("build consumer" ${CMAKE_COMMAND} --build "${_consumer_build}" -j ${PARALLEL})

# Shared libraries are found through RPATH (build RPATH of the consumer, and
# $ORIGIN in the installed libraries), not LD_LIBRARY_PATH.
step("run consumer" "${_consumer_build}/consumer")
string(STRIP "${STEP_OUTPUT}" _answer)
if(NOT _answer STREQUAL "42")
  message(FATAL_ERROR "[${MODE}] consumer printed '${_answer}', expected 42")
endif()
message(STATUS "[${MODE}] consumer printed 42")
