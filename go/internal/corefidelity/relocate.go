// Package corefidelity computes what cilium/ebpf's own CO-RE code (btf.CORERelocate, the code
// ebpf.NewCollectionWithOptions runs with ProgramOptions.KernelTypes) does with the programs of
// a BPF object against a target BTF, in a form that does not depend on the target's type ids,
// so that the outcome against a full kernel BTF and against btfpack's minimized BTF of the same
// kernel can be compared line by line.
package corefidelity

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// Outcome is the relocation of one program against one target BTF.
type Outcome struct {
	Program string
	// Err is CORERelocate's error for the program ("" when it succeeded). cilium/ebpf's loader
	// fails the program's load with it.
	Err string
	// Relos has one line per CO-RE relocation of the program (after bpf-to-bpf linking, in
	// instruction order): the relocation, the fixup and the patched instruction (or the error
	// applying it). Target type ids are replaced by the target type's kind and name.
	Relos []string
}

// Stats counts what a set of outcomes contains.
type Stats struct {
	Programs, FailedPrograms, Relocations, Poisoned, ApplyErrors int
}

// Count sums the programs, failed programs, relocations and poisoned fixups of outcomes.
func Count(outcomes []Outcome) Stats {
	var s Stats
	for _, o := range outcomes {
		s.Programs++
		if o.Err != "" {
			s.FailedPrograms++
		}
		s.Relocations += len(o.Relos)
		for _, l := range o.Relos {
			if strings.Contains(l, "=poison") {
				s.Poisoned++
			}
			if strings.Contains(l, "=> apply error: ") {
				s.ApplyErrors++
			}
		}
	}
	return s
}

// Relocate relocates every program of coll that has CO-RE relocations against target, the
// way cilium/ebpf's loader does when target is passed as ProgramOptions.KernelTypes: one
// btf.CORERelocate call per program with all its relocations, the program's byte order, local
// type ids from a fresh btf.Builder; then each fixup applied to a copy of its instruction.
// Programs come out sorted by name. coll is not modified.
func Relocate(coll *ebpf.CollectionSpec, target *btf.Spec) []Outcome {
	names := make([]string, 0, len(coll.Programs))
	for name := range coll.Programs {
		names = append(names, name)
	}
	sort.Strings(names)

	var out []Outcome
	for _, name := range names {
		prog := coll.Programs[name]
		var relos []*btf.CORERelocation
		var insns []asm.Instruction
		var offsets []asm.RawInstructionOffset
		iter := prog.Instructions.Iterate()
		for iter.Next() {
			if relo := btf.CORERelocationMetadata(iter.Ins); relo != nil {
				relos = append(relos, relo)
				insns = append(insns, *iter.Ins)
				offsets = append(offsets, iter.Offset)
			}
		}
		if len(relos) == 0 {
			continue
		}
		o := Outcome{Program: name}
		builder, err := btf.NewBuilder(nil, nil)
		if err != nil {
			o.Err = "btf builder: " + err.Error()
			out = append(out, o)
			continue
		}
		fixups, err := btf.CORERelocate(relos, []*btf.Spec{target}, prog.ByteOrder, builder.Add)
		if err != nil {
			o.Err = err.Error()
			out = append(out, o)
			continue
		}
		for i := range fixups {
			o.Relos = append(o.Relos, reloLine(offsets[i], relos[i], &fixups[i], insns[i], target))
		}
		out = append(out, o)
	}
	return out
}

const targetTypeIDPrefix = "target_type_id="

// reloLine describes one relocation, its fixup and the instruction it patches.
func reloLine(off asm.RawInstructionOffset, relo *btf.CORERelocation, fixup *btf.COREFixup,
	ins asm.Instruction, target *btf.Spec) string {
	fix := fixup.String()
	masked := strings.HasPrefix(fix, targetTypeIDPrefix)
	if masked {
		fix = maskTargetTypeID(fix, target)
	}
	patched := ins
	result := ""
	if err := fixup.Apply(&patched); err != nil {
		result = "apply error: " + err.Error()
	} else if masked && !strings.HasSuffix(fix, "=poison") {
		// the immediate is the target's type id, already named in fix
		patched.Constant = 0
		result = fmt.Sprint(patched) + " (imm: the target type id)"
	} else {
		result = fmt.Sprint(patched)
	}
	return fmt.Sprintf("insn %d %s: %s => %s", off, relo, fix, result)
}

// maskTargetTypeID rewrites "target_type_id=L->T" so that T, an id of target, is named by the
// type it denotes (ids differ between a full BTF and a minimized one; 0 stays 0: no match).
func maskTargetTypeID(fix string, target *btf.Spec) string {
	arrow := strings.LastIndex(fix, "->")
	if arrow < 0 {
		return fix
	}
	id, err := strconv.ParseUint(fix[arrow+2:], 10, 32)
	if err != nil || id == 0 {
		return fix
	}
	typ, err := target.TypeByID(btf.TypeID(id))
	if err != nil {
		return fix[:arrow+2] + "<bad id: " + err.Error() + ">"
	}
	return fmt.Sprintf("%s<%s>", fix[:arrow+2], typ)
}
