# Install rules and the CMake package (included from the root when ALCHEMY_INSTALL).
#
# Installs the public headers, the libraries in the export set alchemyTargets
# (namespace alchemy::) and, under <libdir>/cmake/alchemy:
#   alchemyConfig.cmake, alchemyConfigVersion.cmake, alchemyTargets*.cmake
# Consumers then write
#   find_package(alchemy CONFIG REQUIRED COMPONENTS sqlite postgresql)
#   target_link_libraries(app PRIVATE alchemy::alchemy)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ALCHEMY_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/alchemy"
    CACHE STRING "Where to install alchemyConfig.cmake (relative to the prefix)")
mark_as_advanced(ALCHEMY_INSTALL_CMAKEDIR)

# Every library that exists in this configuration. Layers that are not written
# yet (orm, migrate) are picked up as soon as their targets appear.
set(_alchemy_install_targets "")
foreach(_t IN ITEMS alchemy_core alchemy_engine alchemy_orm alchemy_migrate ${ALCHEMY_DIALECT_TARGETS} alchemy_alchemy)
  if(TARGET ${_t})
    list(APPEND _alchemy_install_targets ${_t})
  endif()
endforeach()

get_target_property(_alchemy_core_type alchemy_core TYPE)
if(_alchemy_core_type STREQUAL "SHARED_LIBRARY")
  set(ALCHEMY_CONFIG_SHARED ON)
  # Installed libraries find their siblings (libalchemy_engine from
  # libalchemy_sqlite, ...) next to themselves, wherever the prefix is.
  if(NOT DEFINED CMAKE_INSTALL_RPATH)
    foreach(_t IN LISTS _alchemy_install_targets)
      get_target_property(_type ${_t} TYPE)
      if(_type STREQUAL "SHARED_LIBRARY")
        set_target_properties(${_t} PROPERTIES INSTALL_RPATH "$ORIGIN")
      endif()
    endforeach()
  endif()
else()
  set(ALCHEMY_CONFIG_SHARED OFF)
endif()

# Headers. Those of dialects that were not built stay out of the install.
set(_alchemy_header_excludes "")
foreach(_d IN ITEMS sqlite postgresql mysql)
  if(NOT "alchemy_${_d}" IN_LIST ALCHEMY_DIALECT_TARGETS)
    list(APPEND _alchemy_header_excludes REGEX "/alchemy/dialects/${_d}(/|$)" EXCLUDE)
  endif()
endforeach()
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/alchemy"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT alchemy_development
  FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h" PATTERN "*.ipp"
  ${_alchemy_header_excludes})

install(TARGETS ${_alchemy_install_targets}
  EXPORT alchemyTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT alchemy_runtime
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT alchemy_runtime
          NAMELINK_COMPONENT alchemy_development
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT alchemy_development
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT alchemyTargets
  NAMESPACE alchemy::
  FILE alchemyTargets.cmake
  DESTINATION "${ALCHEMY_INSTALL_CMAKEDIR}"
  COMPONENT alchemy_development)

# What the config file needs to know about this build.
set(ALCHEMY_CONFIG_DIALECTS ${ALCHEMY_DIALECT_TARGETS})
list(TRANSFORM ALCHEMY_CONFIG_DIALECTS REPLACE "^alchemy_" "")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/alchemyConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/alchemyConfig.cmake"
  INSTALL_DESTINATION "${ALCHEMY_INSTALL_CMAKEDIR}"
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/alchemyConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
    "${PROJECT_BINARY_DIR}/alchemyConfig.cmake"
    "${PROJECT_BINARY_DIR}/alchemyConfigVersion.cmake"
  DESTINATION "${ALCHEMY_INSTALL_CMAKEDIR}"
  COMPONENT alchemy_development)

unset(_alchemy_install_targets)
unset(_alchemy_core_type)
unset(_alchemy_header_excludes)
unset(_type)
unset(_t)
unset(_d)
