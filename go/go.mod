module github.com/btfpack/btfpack/go

go 1.25.0

require (
	github.com/cilium/ebpf v0.22.0
	github.com/ulikunitz/xz v0.5.17
)

require golang.org/x/sys v0.43.0 // indirect
