# Debian packages with CPack (`cmake --build build --target package`, or cpack in build/):
#   btfpack                the CLI and its man page               (component cli)
#   libbtfpack-reader0     the shared reader, SONAME libbtfpack_reader.so.0   (component reader)
#   libbtfpack-reader-dev  static reader, headers, .pc, CMake package        (component dev)
# Run-time dependencies come from dpkg-shlibdeps; the reader package gets a shlibs file so that
# apps packaged against it depend on it. Each description: a summary line, then the long
# description's lines (CPack indents them as Debian's control format wants). Installable with `apt install ./<file>.deb`; checked by
# tests/install/debian_packages.sh (lintian, and a fresh Debian 12 chroot).
set(BTFPACK_DEB_MAINTAINER "btfpack maintainers <maintainers@users.noreply.h-seed-7fe4245c.example>"
  CACHE STRING "Maintainer field of btfpack's Debian packages")
set(BTFPACK_DEB_DOC ${PROJECT_SOURCE_DIR}/cmake/debian)
get_target_property(BTFPACK_READER_SOVERSION btfpack_reader_shared SOVERSION)  # lib/CMakeLists.txt

# /usr/share/doc/<package>/: copyright and changelog.Debian.gz, as Debian policy wants in every
# package (changelog.Debian: the version has a Debian revision, -1)
function(btfpack_deb_doc component package)
  set(_dir ${PROJECT_BINARY_DIR}/deb-doc/${package})
  file(MAKE_DIRECTORY ${_dir})
  configure_file(${BTFPACK_DEB_DOC}/copyright ${_dir}/copyright COPYONLY)
  add_custom_command(OUTPUT ${_dir}/changelog.Debian.gz
    COMMAND gzip -9nc ${BTFPACK_DEB_DOC}/changelog > ${_dir}/changelog.Debian.gz
    DEPENDS ${BTFPACK_DEB_DOC}/changelog VERBATIM)
  add_custom_target(btfpack_deb_doc_${component} ALL DEPENDS ${_dir}/changelog.Debian.gz)
  install(FILES ${_dir}/copyright ${_dir}/changelog.Debian.gz
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
endfunction()
btfpack_deb_doc(cli btfpack)
btfpack_deb_doc(reader libbtfpack-reader${BTFPACK_READER_SOVERSION})
btfpack_deb_doc(dev libbtfpack-reader-dev)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME btfpack)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR btfpack)
set(CPACK_PACKAGE_CONTACT ${BTFPACK_DEB_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL cli reader dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME btfpack)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_CLI_DESCRIPTION "minimized kernel BTFs and packs for eBPF CO-RE programs
btfpack walks the CO-RE relocations of BPF objects and cuts full kernel BTFs
(e.g. from a BTFHub archive) down to exactly what libbpf reads while
relocating them, then packs thousands of them into one indexed file that
the btfpack reader looks up at run time.")

set(CPACK_DEBIAN_READER_PACKAGE_NAME libbtfpack-reader${BTFPACK_READER_SOVERSION})
set(CPACK_DEBIAN_READER_PACKAGE_SECTION libs)
# shlibs (apps built against it depend on libbtfpack-reader0 >= this version) and the ldconfig
# trigger, as control files of our own: CPack's GENERATE_SHLIBS would call ldconfig from
# maintainer scripts instead, which Debian replaced with the trigger
set(_ctl ${PROJECT_BINARY_DIR}/deb-control/reader)
file(WRITE ${_ctl}/shlibs "libbtfpack_reader ${BTFPACK_READER_SOVERSION} libbtfpack-reader${BTFPACK_READER_SOVERSION} (>= ${PROJECT_VERSION})\n")
file(WRITE ${_ctl}/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_READER_PACKAGE_CONTROL_EXTRA ${_ctl}/shlibs ${_ctl}/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_READER_DESCRIPTION "btfpack reader library: the host's BTF from a btfpack pack
The C library that eBPF applications link to find the running kernel's
minimized BTF in a btfpack pack (explicit path, kernel BTF, pack, remote),
ready for libbpf's btf_custom_path. Depends only on libzstd and libc.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libbtfpack-reader-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libbtfpack-reader${BTFPACK_READER_SOVERSION} (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}), libzstd-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION "btfpack reader library: development files
Headers (btfpack/reader.h, host.h, lookup.h), the static library,
btfpack-reader.pc for pkg-config and the CMake package btfpack
(find_package(btfpack), target btfpack::reader) of the btfpack reader.")

include(CPack)
