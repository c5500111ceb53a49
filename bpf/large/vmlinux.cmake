# cmake -DTAR=<kernel>.btf.tar.xz -DBPFTOOL=<bpftool> -DWORK=<dir> -DOUT=<vmlinux.h> -P vmlinux.cmake
# Unpacks the one .btf of a BTFHub-style archive into WORK and writes
# `bpftool btf dump file <btf> format c` to OUT (through a temporary file, so an
# interrupted run leaves no truncated header behind).
foreach(_v TAR BPFTOOL WORK OUT)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "vmlinux.cmake: -D${_v}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(ARCHIVE_EXTRACT INPUT ${TAR} DESTINATION ${WORK})
file(GLOB_RECURSE _btf ${WORK}/*.btf)
list(LENGTH _btf _n)
if(NOT _n EQUAL 1)
  message(FATAL_ERROR "vmlinux.cmake: expected one .btf in ${TAR}, found ${_n}: ${_btf}")
endif()
execute_process(COMMAND ${BPFTOOL} btf dump file ${_btf} format c
  OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "vmlinux.cmake: ${BPFTOOL} btf dump file ${_btf} format c failed (${_rc}): ${_err}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
