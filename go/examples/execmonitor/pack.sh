#!/bin/sh
# go:generate step: btfs.pack, every kernel of an archive tree minimized for the bpf2go
# objects (bpfel for x86_64 and arm64, bpfeb for s390x). Defaults: the testdata kernels and
# `btfpack` on PATH; a real app's CI points BTFPACK_ARCHIVE at a BTFHub-archive checkout.
# SOURCE_DATE_EPOCH keeps the pack byte-identical between runs (no build time recorded).
set -eu
cd "$(dirname "$0")"
exec env SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}" "${BTFPACK:-btfpack}" build \
  "${BTFPACK_ARCHIVE:-../../../testdata/kernels}" \
  x86_64=execmonitor_bpfel.o arm64=execmonitor_bpfel.o s390x=execmonitor_bpfeb.o -o btfs.pack
