// Package btfpack reads btfpack packs: one file holding the minimized BTFs of many kernels
// (built by the btfpack tool from a BTFHub archive for an app's CO-RE objects), so that an
// ebpf-go or libbpfgo app runs on kernels that ship no BTF. It is pure Go (no cgo) and reads
// exactly what the C reader of lib/reader/ reads, with the same checks and messages.
//
// Embed the pack and give cilium/ebpf the host's kernel types:
//
//	//go:embed btfs.pack
//	var btfs []byte
//
//	pack, err := btfpack.Open(btfs)
//	...
//	res, err := btfpack.Lookup(ctx, btfpack.LookupOptions{Pack: pack, PreferPack: true})
//	...
//	defer res.Close()
//	spec, err := res.Spec()
//	coll, err := ebpf.NewCollectionWithOptions(collSpec, ebpf.CollectionOptions{
//		Programs: ebpf.ProgramOptions{KernelTypes: spec},
//	})
//
// Lookup tries, in BTFHub's order, an explicit path, the kernel's own BTF, the pack's exact
// match for the host (DetectHost: os-release and uname in BTFHub-archive names) and a fetch
// function; PreferPack puts the pack before the kernel's BTF. For libbpf users,
// Result.Path is a sealed memfd's /proc/self/fd/N, usable as btf_custom_path.
//
// Errors wrap ErrFormat, ErrChecksum, ErrIO, ErrNotFound or ErrHost (test with errors.Is).
// The pack format is docs/FORMAT.md; format.go mirrors lib/reader/pack_format.h.
package btfpack
