package main

// The BPF side is bpf/example_exec.bpf.c, the C example's program. bpf2go (cilium/ebpf's
// generator, a tool of this module: `go tool bpf2go`) compiles it for both byte orders and
// writes execmonitor_bpfel.{go,o} and execmonitor_bpfeb.{go,o}: the objects are embedded with
// //go:embed and picked by GOARCH (amd64, arm64: bpfel; s390x: bpfeb). Needs clang >= 15.
//go:generate go tool bpf2go -tags linux -cflags "-g -O2 -mcpu=v3 -Wall -I../../../bpf" execmonitor ../../../bpf/example_exec.bpf.c

// The pack (pack.sh): every kernel of an archive tree minimized for both objects; here the
// testdata kernels, in a real app's CI a BTFHub-archive checkout ($BTFPACK_ARCHIVE). Needs
// btfpack on PATH or $BTFPACK.
//go:generate sh pack.sh
