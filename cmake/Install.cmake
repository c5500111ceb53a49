# cmake --install: the btfpack CLI (component cli) and its man page, the shared reader (component
# reader), and what apps build against (component dev): the static reader, the reader's public
# headers, btfpack-reader.pc and the CMake package (find_package(btfpack) -> btfpack::reader).
# GNUInstallDirs paths; the Debian packages (cmake/Packaging.cmake) are these three components.
# Libraries go to lib/<multiarch triplet> on Debian for every prefix, not only /usr (where
# GNUInstallDirs alone would do it): the paths its ld.so, pkg-config and CMake search under
# /usr/local too, and the Debian packages (installed to /usr) need them.
if(NOT DEFINED CMAKE_INSTALL_LIBDIR AND CMAKE_LIBRARY_ARCHITECTURE AND EXISTS /etc/debian_version)
  set(CMAKE_INSTALL_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE} CACHE PATH "object code libraries (lib/<triplet> on Debian)")
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BTFPACK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/btfpack)

install(TARGETS btfpack RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
if(TARGET btfpack-serve)  # `btfpack serve` runs the btfpack-serve beside it
  install(TARGETS btfpack-serve RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
endif()

set_target_properties(btfpack_reader PROPERTIES EXPORT_NAME reader_static)
set_target_properties(btfpack_reader_shared PROPERTIES EXPORT_NAME reader_shared)
install(TARGETS btfpack_reader_shared EXPORT btfpackTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT reader NAMELINK_COMPONENT dev)
install(TARGETS btfpack_reader EXPORT btfpackTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# the reader's public headers: reader.h, host.h, lookup.h (they include only each other and libc)
install(FILES
  ${PROJECT_SOURCE_DIR}/lib/include/btfpack/reader.h
  ${PROJECT_SOURCE_DIR}/lib/include/btfpack/host.h
  ${PROJECT_SOURCE_DIR}/lib/include/btfpack/lookup.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/btfpack COMPONENT dev)

# CMake package: btfpack::reader_static, btfpack::reader_shared, btfpack::reader (cmake/btfpackConfig.cmake.in)
install(EXPORT btfpackTargets NAMESPACE btfpack:: DESTINATION ${BTFPACK_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/btfpackConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/btfpackConfig.cmake INSTALL_DESTINATION ${BTFPACK_CMAKE_DIR})
# 0.x: a new minor version may change the C API, so only the same major.minor is compatible
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/btfpackConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/btfpackConfig.cmake ${PROJECT_BINARY_DIR}/cmake/btfpackConfigVersion.cmake
  DESTINATION ${BTFPACK_CMAKE_DIR} COMPONENT dev)

# btfpack-reader.pc, written at install time: its paths follow `cmake --install --prefix`.
configure_file(${PROJECT_SOURCE_DIR}/cmake/write-pkgconfig.cmake.in ${PROJECT_BINARY_DIR}/cmake/write-pkgconfig.cmake @ONLY)
install(SCRIPT ${PROJECT_BINARY_DIR}/cmake/write-pkgconfig.cmake COMPONENT dev)
install(FILES ${PROJECT_BINARY_DIR}/cmake/btfpack-reader.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# The man page, btfpack.1, from `btfpack --help` and each verb's --help (help2man, Debian
# package help2man; cmake/man-page.sh). Without help2man there is no man page (a warning says so).
find_program(BTFPACK_HELP2MAN help2man)
if(BTFPACK_HELP2MAN)
  set(_man ${PROJECT_BINARY_DIR}/man/btfpack.1)
  set(_man_deps btfpack)
  if(TARGET btfpack-serve)  # `btfpack serve --help` runs it
    list(APPEND _man_deps btfpack-serve)
  endif()
  add_custom_command(OUTPUT ${_man} ${_man}.gz
    COMMAND bash ${PROJECT_SOURCE_DIR}/cmake/man-page.sh ${BTFPACK_HELP2MAN} $<TARGET_FILE:btfpack> ${_man}
    DEPENDS ${_man_deps} ${PROJECT_SOURCE_DIR}/cmake/man-page.sh
    COMMENT "help2man btfpack -> man/btfpack.1" VERBATIM)
  set(_man_all ${_man} ${_man}.gz)
  if(TARGET btfpack-serve)  # its own page: it is a program in bin/ too
    set(_sman ${PROJECT_BINARY_DIR}/man/btfpack-serve.1)
    add_custom_command(OUTPUT ${_sman}.gz
      COMMAND ${BTFPACK_HELP2MAN} --no-info --version-string ${PROJECT_VERSION}
              --name "serve BTFHub online's API from a BTFHub-archive checkout and packs (btfpack serve)"
              $<TARGET_FILE:btfpack-serve> -o ${_sman}
      COMMAND gzip -9nf ${_sman}
      DEPENDS btfpack-serve
      COMMENT "help2man btfpack-serve -> man/btfpack-serve.1" VERBATIM)
    list(APPEND _man_all ${_sman}.gz)
    install(FILES ${_sman}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
  endif()
  add_custom_target(btfpack_man ALL DEPENDS ${_man_all})
  install(FILES ${_man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
else()
  message(WARNING "help2man not found: no man page for btfpack (apt-get install help2man)")
endif()
