package btfpack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Layer says which source answered a Lookup, in BTFHub's order (btfpack_layer).
type Layer int

const (
	LayerNone     Layer = iota // nothing answered
	LayerExplicit              // the app's own path (LookupOptions.ExplicitPath)
	LayerKernel                // the running kernel's own BTF
	LayerPack                  // the pack
	LayerRemote                // the app's Fetch function
)

func (l Layer) String() string {
	switch l {
	case LayerNone:
		return "none"
	case LayerExplicit:
		return "explicit"
	case LayerKernel:
		return "kernel"
	case LayerPack:
		return "pack"
	case LayerRemote:
		return "remote"
	}
	return fmt.Sprintf("Layer(%d)", int(l))
}

// LookupOptions says where Lookup may look (btfpack_lookup_opts).
type LookupOptions struct {
	ExplicitPath string // layer 1: a BTF file the app names; "" skips the layer
	KernelBTF    string // layer 2: "" is <Root>/sys/kernel/btf/vmlinux; "-" skips the layer
	Pack         *Pack  // layer 3; nil skips the layer
	// PreferPack makes the pack's exact match for the host win over the kernel's own BTF
	// (layer 3 before 2): a few KB to parse instead of the whole vmlinux BTF.
	PreferPack bool
	// Fetch is layer 4, asked when the pack has no match (e.g. a remote BTF service); a
	// nil or empty answer, or an error, means it has none.
	Fetch func(ctx context.Context, h Host) ([]byte, error)
	Host  *Host  // the host to look up; nil: DetectHost(Root)
	Root  string // where the host's files are mounted ("/host" in a container); "" is "/"
}

// Result is the BTF Lookup found (btfpack_btf).
type Result struct {
	Layer Layer
	Host  Host   // the host looked up (zero if layer 1 or 2 answered without detecting it)
	Path  string // a file for btf_custom_path: the app's, the kernel's, or /proc/self/fd/N of a sealed memfd
	Data  []byte // the BTF bytes for layers 3 and 4, else nil
	File  *os.File
	// Key is the pack entry that answered (layer 3): the host's key, or its other archive
	// name (Debian 11 "bullseye"/"11", Amazon Linux 1 "1"/"2018").
	Key Key
}

// Spec parses the BTF found: for ebpf.CollectionOptions.Programs.KernelTypes. For the
// running kernel's own /sys/kernel/btf/vmlinux it is btf.LoadKernelSpec (cached by
// cilium/ebpf).
func (r *Result) Spec() (*btf.Spec, error) {
	switch {
	case r.Data != nil:
		return specFromRaw(r.Path, r.Data)
	case r.Layer == LayerKernel && r.Path == "/sys/kernel/btf/vmlinux":
		spec, err := btf.LoadKernelSpec()
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", r.Path, ErrFormat, err)
		}
		return spec, nil
	case r.Path != "":
		spec, err := btf.LoadSpec(r.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: cilium/ebpf cannot parse the BTF: %w", r.Path, ErrFormat, err)
		}
		return spec, nil
	}
	return nil, newError(ErrNotFound, "no BTF in this result")
}

// Close releases the memfd of layers 3 and 4 (Path stops working).
func (r *Result) Close() error {
	if r == nil || r.File == nil {
		return nil
	}
	f := r.File
	r.File = nil
	return f.Close()
}

// releaseAlias: BTFHub-archive names some releases two ways, Debian 11 as "bullseye" and
// "11", Amazon Linux 1 as "1" and "2018" (release_alias).
func releaseAlias(distro, version string) string {
	switch {
	case distro == "debian" && version == "bullseye":
		return "11"
	case distro == "debian" && version == "11":
		return "bullseye"
	case distro == "amzn" && version == "1":
		return "2018"
	case distro == "amzn" && version == "2018":
		return "1"
	}
	return ""
}

func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// Lookup finds the BTF a CO-RE app should use on this host, in BTFHub's order: (1) the app's
// ExplicitPath, (2) the kernel's own BTF, (3) the pack's exact match for the host (also under
// the release's other archive name), (4) Fetch; with PreferPack, (3) comes before (2). It
// never guesses: a miss is an error wrapping ErrNotFound that names the host and the nearest
// kernels the pack has. BTF from the pack or Fetch is put in a sealed memfd (Result.Path),
// so libbpf users can pass the path on; release it with Result.Close.
func Lookup(ctx context.Context, o LookupOptions) (*Result, error) {
	if o.ExplicitPath != "" {
		if err := readable(o.ExplicitPath); err != nil {
			return nil, &statusError{class: ErrIO, cause: err,
				msg: fmt.Sprintf("%s: cannot read the BTF path set by the app: %s", o.ExplicitPath, strerror(err))}
		}
		return &Result{Layer: LayerExplicit, Path: o.ExplicitPath}, nil
	}
	out := &Result{}
	var hostErr error
	if o.PreferPack && o.Pack != nil {
		if hostErr = out.detect(o); hostErr == nil {
			found, err := out.fromPack(o.Pack)
			if err != nil {
				return nil, err
			}
			if found {
				return out, out.seal()
			}
		}
	}
	if o.KernelBTF != "-" {
		kpath := o.KernelBTF
		if kpath == "" {
			kpath = strings.TrimRight(o.Root, "/") + "/sys/kernel/btf/vmlinux"
		}
		if readable(kpath) == nil {
			return &Result{Layer: LayerKernel, Path: kpath, Host: out.Host}, nil
		}
	}
	if out.Host == (Host{}) {
		if hostErr = out.detect(o); hostErr != nil {
			return nil, &statusError{class: ErrNotFound, cause: hostErr, msg: "no kernel BTF on this host, and " + hostErr.Error()}
		}
	}
	h := out.Host
	nearest := ""
	if o.Pack != nil && !o.PreferPack {
		found, err := out.fromPack(o.Pack)
		if err != nil {
			return nil, err
		}
		if found {
			return out, out.seal()
		}
	}
	if o.Pack != nil {
		nearest = strings.Join(o.Pack.Nearest(h, 5), ", ")
	}
	var fetchErr error
	if o.Fetch != nil {
		data, err := o.Fetch(ctx, h)
		if err == nil && len(data) > 0 {
			out.Layer, out.Data = LayerRemote, data
			return out, out.seal()
		}
		fetchErr = err
	}
	miss := func(format string, args ...any) error {
		return &statusError{class: ErrNotFound, cause: fetchErr, msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case o.Pack == nil:
		return nil, miss("no BTF for host %s: the kernel has none and no pack was given", h)
	case nearest != "":
		return nil, miss("no BTF for host %s: not in the pack; nearest kernels it has for %s/%s/%s: %s",
			h, h.Distro, h.Version, h.Arch, nearest)
	}
	return nil, miss("no BTF for host %s: the pack has no kernel for %s/%s/%s (%d kernels in all)",
		h, h.Distro, h.Version, h.Arch, o.Pack.Count())
}

// detect sets r.Host from the options.
func (r *Result) detect(o LookupOptions) error {
	if o.Host != nil {
		r.Host = *o.Host
		return nil
	}
	h, err := DetectHost(o.Root)
	if err != nil {
		return err
	}
	r.Host = h
	return nil
}

// fromPack looks r.Host up in the pack, under its release's other name too; an entry that
// is found but cannot be read is an error.
func (r *Result) fromPack(p *Pack) (bool, error) {
	h := r.Host
	k := h.Key()
	i, err := p.find(k.String())
	if alias := releaseAlias(h.Distro, h.Version); errors.Is(err, ErrNotFound) && alias != "" {
		k.Version = alias
		i, err = p.find(k.String())
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, &statusError{class: ErrFormat, cause: err, msg: "corrupt pack index"}
	}
	data, err := p.RawBTFAt(i)
	if err != nil {
		var se *statusError
		class := ErrFormat
		if errors.As(err, &se) {
			class = se.class
		}
		return false, &statusError{class: class, cause: err,
			msg: fmt.Sprintf("pack entry for %s is unreadable: %s", h, err)}
	}
	r.Layer, r.Data, r.Key = LayerPack, data, k
	return true, nil
}

// seal puts r.Data in a sealed memfd and sets r.Path.
func (r *Result) seal() error {
	f, err := NewMemfd(r.Data)
	if err != nil {
		return err
	}
	r.File, r.Path = f, f.Name()
	return nil
}

// Nearest is the kernel releases the pack has for h's distro/version/arch nearest to h's
// release (longest shared prefix; ties in key order), at most max of them (btfpack_nearest).
func (p *Pack) Nearest(h Host, max int) []string {
	prefix := h.Distro + "/" + h.Version + "/" + h.Arch + "/"
	if len(prefix) >= 512 || max <= 0 {
		return nil
	}
	max = min(max, 16)
	type cand struct {
		shared int
		rel    string
	}
	var best []cand
	var buf [maxKeyLen + 1]byte
	for i := uint64(0); i < p.kernels; i++ {
		key, _, ok := p.entryKey(i, &buf)
		if !ok || !strings.HasPrefix(key, prefix) {
			continue
		}
		rel := key[len(prefix):]
		c := 0
		for c < len(rel) && c < len(h.Release) && rel[c] == h.Release[c] {
			c++
		}
		at := len(best)
		for at > 0 && best[at-1].shared < c {
			at--
		}
		if at >= max {
			continue
		}
		if len(best) < max {
			best = append(best, cand{})
		}
		copy(best[at+1:], best[at:len(best)-1])
		best[at] = cand{c, truncate(rel, 255)}
	}
	// the C reader's message buffer holds 1023 bytes: later names that do not fit are left out
	out := make([]string, 0, len(best))
	used := 0
	for i, b := range best {
		n := len(b.rel)
		if i > 0 {
			n += 2
		}
		if used+n >= 1024 {
			break
		}
		used += n
		out = append(out, b.rel)
	}
	return out
}
