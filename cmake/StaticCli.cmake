# btfpack_static: the btfpack CLI linked with -static (no shared library at run time, not even
# libc), from the same object files as the btfpack target and the static archives of Debian's
# -dev packages: libbpf, libelf, libarchive with the decompressors its read filters call (liblzma,
# libzstd, libbz2, liblz4, zlib). Written to <build>/tool-image/btfpack, the whole build context
# of docker/tool.Dockerfile (the FROM scratch tool image). Not installed.
option(BTFPACK_STATIC_CLI "build the fully static btfpack CLI (tool-image/btfpack)" ON)
if(NOT BTFPACK_STATIC_CLI)
  return()
endif()
set(_static_libs)
foreach(_lib bpf elf archive lzma zstd bz2 lz4 z)
  find_library(BTFPACK_STATIC_LIB_${_lib} NAMES lib${_lib}.a)
  if(NOT BTFPACK_STATIC_LIB_${_lib})
    message(WARNING "lib${_lib}.a not found: no static btfpack CLI (btfpack_static)")
    return()
  endif()
  list(APPEND _static_libs ${BTFPACK_STATIC_LIB_${_lib}})
endforeach()

add_executable(btfpack_static $<TARGET_OBJECTS:btfpack>)
set_target_properties(btfpack_static PROPERTIES OUTPUT_NAME btfpack LINKER_LANGUAGE CXX
  RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tool-image)
add_dependencies(btfpack_static btfpack_lib btfpack_reader)
# the engine and reader archives first, then what they call, in dependency order
target_link_libraries(btfpack_static PRIVATE
  $<TARGET_FILE:btfpack_lib> $<TARGET_FILE:btfpack_reader> ${_static_libs} -pthread)
target_link_options(btfpack_static PRIVATE -static -s)  # stripped: it is shipped as is
