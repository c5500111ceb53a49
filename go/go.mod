module github.com/btfpack/btfpack/go

go 1.25.0

require (
	github.com/cilium/ebpf v0.22.0
	github.com/klauspost/compress v1.20.4
	github.com/ulikunitz/xz v0.5.17
	github.com/zeebo/xxh3 v1.1.0
	golang.org/x/sys v0.47.0
)

require github.com/klauspost/cpuid/v2 v2.2.10 // indirect

tool github.com/cilium/ebpf/cmd/bpf2go
