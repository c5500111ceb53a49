package corefidelity

import "fmt"

// Diff lists where two outcomes of the same object differ (want: against the full BTF, got:
// against the minimized one): a program missing on one side, a different error, a different
// number of relocations, or a relocation line that differs. Empty means identical.
func Diff(want, got []Outcome) []string {
	var diffs []string
	gotByName := make(map[string]Outcome, len(got))
	for _, o := range got {
		gotByName[o.Program] = o
	}
	for _, w := range want {
		g, ok := gotByName[w.Program]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("program %s: missing in the minimized outcome", w.Program))
			continue
		}
		delete(gotByName, w.Program)
		if w.Err != g.Err {
			diffs = append(diffs, fmt.Sprintf("program %s: error\n  full: %q\n  min:  %q", w.Program, w.Err, g.Err))
			continue
		}
		if len(w.Relos) != len(g.Relos) {
			diffs = append(diffs, fmt.Sprintf("program %s: %d relocations in full, %d in min", w.Program, len(w.Relos), len(g.Relos)))
			continue
		}
		for i := range w.Relos {
			if w.Relos[i] != g.Relos[i] {
				diffs = append(diffs, fmt.Sprintf("program %s relo #%d:\n  full: %s\n  min:  %s", w.Program, i, w.Relos[i], g.Relos[i]))
			}
		}
	}
	for _, g := range got {
		if _, extra := gotByName[g.Program]; extra {
			diffs = append(diffs, fmt.Sprintf("program %s: only in the minimized outcome", g.Program))
		}
	}
	return diffs
}
