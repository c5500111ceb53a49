// Command execmonitor is the ebpf-go twin of examples/exec_monitor.c: a cilium/ebpf app that
// runs on kernels without built-in BTF by taking its kernel types from a btfpack pack embedded
// in the binary.
//
//  1. btfpack.Lookup: -btf PATH, else the kernel's own BTF (unless -no-kernel-btf; after the
//     pack with -prefer-pack), else the pack (-pack FILE, else the embedded btfs.pack; none with
//     -no-pack, so a host without BTF must fail with the reader's diagnostic);
//  2. load the bpf2go object (bpf/example_exec.bpf.c) with
//     ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: spec}}, attach
//     raw_tp/sched_process_exec;
//  3. start -count children (/bin/true) and read the ring buffer until every child's exec event
//     arrived (or -timeout): each must carry the child's pid, this process as ppid and comm
//     "true", relocated through the pack's BTF.
//
// It prints "self: pid=N" first and "child: pid=N" for each child it starts, as
// examples/exec_monitor does, so a test can check every event against them.
//
// Exit status: 0 when every child's event arrived with the right values; 1 when no BTF was
// found for the host (the message names the host and the nearest kernels the pack has), on a
// load/attach failure, or when an event is missing or wrong; 2 on a usage error. Needs root.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"

	"github.com/btfpack/btfpack/go/btfpack"
)

// btfs.pack: every kernel of an archive minimized for the two objects (pack.sh, go:generate).
//
//go:embed btfs.pack
var embeddedPack []byte

type options struct {
	pack, btf, root         string
	noKernelBTF, preferPack bool
	noPack                  bool
	count                   int
	timeout                 float64
	verbose                 bool
}

func main() {
	var o options
	flag.StringVar(&o.pack, "pack", "", "pack `FILE` to use instead of the embedded one")
	flag.BoolVar(&o.noPack, "no-pack", false, "no pack at all (layer 3 skipped, even the embedded one)")
	flag.StringVar(&o.btf, "btf", "", "BTF `FILE` to use first (layer 1)")
	flag.StringVar(&o.root, "root", "", "host root (e.g. /host in a container)")
	flag.BoolVar(&o.noKernelBTF, "no-kernel-btf", false, "skip the kernel's own BTF (layer 2), as on a kernel without BTF")
	flag.BoolVar(&o.preferPack, "prefer-pack", false, "the pack's exact match wins over the kernel's own BTF")
	flag.IntVar(&o.count, "count", 3, "children to start and expect events from")
	flag.Float64Var(&o.timeout, "timeout", 5, "seconds to wait for the events")
	flag.BoolVar(&o.verbose, "v", false, "also print the other processes' exec events")
	flag.Parse()
	if flag.NArg() != 0 || o.count < 1 || o.timeout <= 0 || (o.noPack && o.pack != "") {
		if o.noPack && o.pack != "" {
			fmt.Fprintln(os.Stderr, "execmonitor: -pack and -no-pack exclude each other")
		}
		flag.Usage()
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "execmonitor:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	fmt.Printf("self: pid=%d\n", os.Getpid())
	kernelTypes, closeBTF, err := lookup(o)
	if err != nil {
		return err
	}
	defer closeBTF()
	return monitor(o, kernelTypes)
}

// lookup finds the host's BTF and prints which layer answered.
func lookup(o options) (*btf.Spec, func(), error) {
	pack, err := openPack(o)
	if err != nil {
		return nil, nil, err
	}
	opts := btfpack.LookupOptions{ExplicitPath: o.btf, Pack: pack, PreferPack: o.preferPack, Root: o.root}
	if o.noKernelBTF {
		opts.KernelBTF = "-"
	}
	res, err := btfpack.Lookup(context.Background(), opts)
	if errors.Is(err, btfpack.ErrNotFound) {
		pack.Close()
		return nil, nil, err // names the host and the nearest kernels of the pack
	}
	if err != nil {
		pack.Close()
		return nil, nil, fmt.Errorf("btf lookup: %w", err)
	}
	closeAll := func() { res.Close(); pack.Close() }
	if res.Host != (btfpack.Host{}) {
		fmt.Printf("host: %s\n", res.Host.Key())
	}
	switch res.Layer {
	case btfpack.LayerPack:
		fmt.Printf("btf: layer %d (%s) %s, %d bytes\n", int(res.Layer), res.Layer, res.Key, len(res.Data))
	default:
		fmt.Printf("btf: layer %d (%s) %s\n", int(res.Layer), res.Layer, res.Path)
	}
	spec, err := res.Spec()
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("btf from layer %s: %w", res.Layer, err)
	}
	return spec, closeAll, nil
}

// openPack opens the pack of layer 3: -pack FILE, else the embedded one; nil with -no-pack
// (a nil *Pack skips the layer, and its Close is a no-op).
func openPack(o options) (*btfpack.Pack, error) {
	switch {
	case o.noPack:
		return nil, nil
	case o.pack != "":
		return btfpack.OpenFile(o.pack)
	default:
		return btfpack.Open(embeddedPack)
	}
}
