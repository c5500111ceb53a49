package btfpack_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/btfpack/btfpack/go/btfpack"
)

// An app embeds its pack with //go:embed (go:embed cannot reach ../, so these examples read
// the reference pack instead):
//
//	//go:embed btfs.pack
//	var pack []byte
//
//	p, err := btfpack.Open(pack)
func ExampleOpen() {
	data, err := os.ReadFile("../../testdata/vectors/packs/four-arches.pack")
	if err != nil {
		log.Fatal(err)
	}
	p, err := btfpack.Open(data) // not copied: data must stay unchanged
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range p.Kernels() {
		fmt.Println(k)
	}
	// Output:
	// debian/11/x86_64/5.10.0-32-amd64
	// debian/12/arm64/6.1.0-50-arm64
	// debian/12/x86_64/6.1.0-50-amd64
	// debian/13/s390x/6.12.107+deb13-s390x
}

func ExampleOpen_corrupt() {
	data, _ := os.ReadFile("../../testdata/vectors/corrupt/flip-blobs.pack")
	_, err := btfpack.Open(data)
	fmt.Println(err)
	// Output:
	// pack checksum mismatch (corrupt file)
}

func ExamplePack_Find() {
	p, err := btfpack.OpenFile("../../testdata/vectors/packs/many-names.pack")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	k, _ := btfpack.ParseKey("ubuntu/20.04/x86_64/5.4.0-1045-aws")
	i, ok := p.Find(k)
	fmt.Println(i, ok)
	_, ok = p.Find(btfpack.Key{Distro: "ubuntu", Version: "20.04", Arch: "x86_64", Release: "5.4.0-1048-aws"})
	fmt.Println(ok)
	// Output:
	// 12 true
	// false
}

func ExamplePack_RawBTF() {
	p, err := btfpack.OpenFile("../../testdata/vectors/packs/four-arches.pack")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	raw, err := p.RawBTF(btfpack.Key{Distro: "debian", Version: "13", Arch: "s390x", Release: "6.12.107+deb13-s390x"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("magic % x (big-endian BTF)\n", raw[:2])
	// Output:
	// magic eb 9f (big-endian BTF)
}

// The *btf.Spec goes to cilium/ebpf as the kernel's types:
//
//	coll, err := ebpf.NewCollectionWithOptions(collSpec, ebpf.CollectionOptions{
//		Programs: ebpf.ProgramOptions{KernelTypes: spec},
//	})
func ExamplePack_Spec() {
	p, err := btfpack.OpenFile("../../testdata/vectors/packs/four-arches.pack")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	spec, err := p.Spec(btfpack.Key{Distro: "debian", Version: "12", Arch: "x86_64", Release: "6.1.0-50-amd64"})
	if err != nil {
		log.Fatal(err)
	}
	typ, err := spec.AnyTypeByName("task_struct")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ.TypeName())
	// Output:
	// task_struct
}

// Lookup answers with the first layer that has the host's BTF; here the kernel's own BTF is
// skipped ("-") and the host is given, as on a host whose kernel has no BTF.
func ExampleLookup() {
	p, err := btfpack.OpenFile("../../testdata/vectors/packs/many-names.pack")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	host := btfpack.Host{Distro: "debian", Version: "bullseye", Arch: "x86_64", Release: "5.10.0-32-amd64"}
	r, err := btfpack.Lookup(context.Background(), btfpack.LookupOptions{Pack: p, KernelBTF: "-", Host: &host})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(r.Layer, r.Key)
	spec, err := r.Spec() // for ebpf.ProgramOptions.KernelTypes; r.Path for libbpf's btf_custom_path
	if err != nil {
		log.Fatal(err)
	}
	_, err = spec.AnyTypeByName("task_struct")
	fmt.Println(err == nil)

	host.Release = "5.10.0-33-amd64"
	_, err = btfpack.Lookup(context.Background(), btfpack.LookupOptions{Pack: p, KernelBTF: "-", Host: &host})
	fmt.Println(err)
	// Output:
	// pack debian/bullseye/x86_64/5.10.0-32-amd64
	// true
	// no BTF for host debian/bullseye/x86_64/5.10.0-33-amd64: not in the pack; nearest kernels it has for debian/bullseye/x86_64: 5.10.0-32-amd64
}

func ExampleHostFrom() {
	h, err := btfpack.HostFrom("debian", `"11"`, "aarch64", "5.10.0-32-arm64")
	fmt.Println(h, err)
	h, err = btfpack.HostFrom("amzn", "2018.03", "x86_64", "4.14.355-196.647.amzn1.x86_64")
	fmt.Println(h, err)
	// Output:
	// debian/bullseye/arm64/5.10.0-32-arm64 <nil>
	// amzn/1/x86_64/4.14.355-196.647.amzn1.x86_64 <nil>
}

func ExampleDetectHost() {
	h, err := btfpack.DetectHost("/") // "/host" in a container with the host's / mounted there
	if err != nil {
		fmt.Println("cannot name this host:", err)
		return
	}
	fmt.Println(h.Key()) // e.g. debian/12/x86_64/6.1.0-50-amd64
}

func ExampleParseKey() {
	k, err := btfpack.ParseKey("ubuntu/20.04/x86_64/5.4.0-1045-aws")
	fmt.Println(k.Distro, k.Version, k.Arch, k.Release, err)
	_, err = btfpack.ParseKey("ubuntu/20.04/5.4.0-1045-aws")
	fmt.Println(err)
	// Output:
	// ubuntu 20.04 x86_64 5.4.0-1045-aws <nil>
	// ubuntu/20.04/5.4.0-1045-aws: expected distro/version/arch/kernel-release
}
