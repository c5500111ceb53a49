package btfpack

import (
	"bytes"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"
)

// Spec is kernel k's BTF from the pack as a *btf.Spec, ready for
// ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: spec}} (cilium/ebpf then
// relocates CO-RE programs against it instead of the running kernel's BTF).
func (p *Pack) Spec(k Key) (*btf.Spec, error) {
	raw, err := p.RawBTF(k)
	if err != nil {
		return nil, err
	}
	return specFromRaw(k.String(), raw)
}

// specFromRaw parses raw BTF bytes; a failure is an ErrFormat error naming what was parsed.
func specFromRaw(what string, raw []byte) (*btf.Spec, error) {
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: cilium/ebpf cannot parse the BTF: %w", what, ErrFormat, err)
	}
	return spec, nil
}

// Memfd is kernel k's raw BTF in a sealed memfd whose Name() is "/proc/self/fd/N": for
// libbpfgo and other libbpf users, pass it as btf_custom_path (bpf_object_open_opts). Close
// the file when the object is loaded.
func (p *Pack) Memfd(k Key) (*os.File, error) {
	raw, err := p.RawBTF(k)
	if err != nil {
		return nil, err
	}
	return NewMemfd(raw)
}
