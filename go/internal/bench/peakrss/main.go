// Command peakrss gets the kernel types one way (-mode pack|tarxz|kernel, as in package bench),
// loads the CO-RE object -obj with them into the kernel (ebpf.NewCollectionWithOptions; with
// -relocate-only, computes the relocations without loading: no root needed), and prints the
// process's peak resident set size (VmHWM of /proc/self/status). Run once per mode, each in
// its own process: scripts/bench-go.
//
//	peakrss -mode pack   -pack FILE   -key D/V/A/R -obj OBJ   (pack mapped with OpenFile, as embedded data is)
//	peakrss -mode tarxz  -bundle FILE -key D/V/A/R -obj OBJ   (bundle read into memory)
//	peakrss -mode kernel -obj OBJ                             (cilium/ebpf loads the kernel BTF itself)
//
// Output, one line: mode=M vmhwm_kb=N vmrss_kb=N go_total_alloc_bytes=N
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/btfpack/btfpack/go/btfpack"
	"github.com/btfpack/btfpack/go/internal/bench"
	"github.com/btfpack/btfpack/go/internal/corefidelity"
)

func main() {
	mode := flag.String("mode", "", "pack, tarxz or kernel")
	packPath := flag.String("pack", "", "pack `FILE` (mode pack)")
	bundlePath := flag.String("bundle", "", ".tar.xz bundle `FILE` (mode tarxz)")
	keyText := flag.String("key", "", "kernel `KEY` distro/version/arch/release (modes pack, tarxz)")
	obj := flag.String("obj", "", "CO-RE object `FILE` to load")
	relocateOnly := flag.Bool("relocate-only", false, "compute the relocations, do not load")
	flag.Parse()
	if *obj == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*mode, *packPath, *bundlePath, *keyText, *obj, *relocateOnly); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
}

func run(mode, packPath, bundlePath, keyText, obj string, relocateOnly bool) error {
	coll, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return err
	}
	var spec *btf.Spec // nil: cilium/ebpf loads the kernel's BTF itself
	switch mode {
	case "pack", "tarxz":
		k, err := btfpack.ParseKey(keyText)
		if err != nil {
			return err
		}
		if mode == "pack" {
			p, err := btfpack.OpenFile(packPath)
			if err != nil {
				return err
			}
			defer p.Close()
			if spec, err = p.Spec(k); err != nil {
				return err
			}
		} else {
			bundle, err := os.ReadFile(bundlePath)
			if err != nil {
				return err
			}
			if spec, err = bench.SpecFromBundle(bundle, k); err != nil {
				return err
			}
		}
	case "kernel":
		if relocateOnly {
			if spec, err = btf.LoadKernelSpec(); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("-mode %q: want pack, tarxz or kernel", mode)
	}
	if relocateOnly {
		for _, o := range corefidelity.Relocate(coll, spec) {
			if o.Err != "" {
				return fmt.Errorf("%s: %s", o.Program, o.Err)
			}
		}
	} else {
		if err := rlimit.RemoveMemlock(); err != nil {
			return err
		}
		c, err := ebpf.NewCollectionWithOptions(coll, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: spec}})
		if err != nil {
			return fmt.Errorf("load %s: %w", obj, err)
		}
		defer c.Close()
	}
	hwm, rss, err := memStatus()
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("mode=%s vmhwm_kb=%d vmrss_kb=%d go_total_alloc_bytes=%d\n", mode, hwm, rss, ms.TotalAlloc)
	return nil
}

// memStatus returns VmHWM and VmRSS (kB) from /proc/self/status.
func memStatus() (hwm, rss int64, err error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var v int64
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Sscanf(strings.TrimPrefix(line, "VmHWM:"), "%d", &v)
			hwm = v
		} else if strings.HasPrefix(line, "VmRSS:") {
			fmt.Sscanf(strings.TrimPrefix(line, "VmRSS:"), "%d", &v)
			rss = v
		}
	}
	if hwm == 0 {
		return 0, 0, fmt.Errorf("/proc/self/status: no VmHWM line")
	}
	return hwm, rss, sc.Err()
}
