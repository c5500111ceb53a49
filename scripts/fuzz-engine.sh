#!/usr/bin/env bash
# Fuzz the engine with libFuzzer, ASan and UBSan for a bounded time: the BPF object reader
# (tests/fuzz/fuzz_object.cpp) and minimize, object x target BTF (tests/fuzz/fuzz_minimize.cpp).
# usage: scripts/fuzz-engine.sh [SECONDS_EACH=45] [BUILD_DIR=build] [object|minimize|both]
# Seeds: the committed corpora (tests/fuzz/corpus_object, corpus_minimize: regression inputs
# of every bug found) plus, at run time, the bpf/ objects of BUILD_DIR (el and eb) and
# testdata's, and for minimize each object paired with small targets: the objects' own .BTF
# (BTFs that are no vmlinux: no `long`, few types) and minimized testdata kernels.
# Exits non-zero on any crash, hang (-timeout), leak, out-of-bounds access, undefined
# behaviour or allocation over the limit; the input is left in BUILD_DIR/fuzz-engine/.
set -euo pipefail
secs=${1:-45}
build=$(cd "${2:-build}" && pwd)
which_targets=${3:-both}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$build/fuzz-engine"
mkdir -p "$out/obj"
CXX=${FUZZ_CXX:-clang++-19}
flags=(-g -O1 -std=c++17 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
       -I"$here/lib/include" -I"$here/lib")
srcs=(object/bpf_object.cpp object/elf_sections.cpp object/btf_check.cpp object/core_relocation.cpp core/core_rules.cpp core/core_calc.cpp
      core/core_resolver.cpp core/core_outcome.cpp core/local_relocations.cpp minimize/canonical_btf_writer.cpp
      minimize/minimizer.cpp util/file_io.cpp util/cpu_budget.cpp)
# compile what changed (2 jobs: the machine is shared)
printf '%s\n' "${srcs[@]}" | xargs -P2 -I{} sh -c '
  src="$1/lib/{}"; o="$2/obj/$(echo {} | tr / _).o"
  if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find "$1/lib" -name "*.h" -newer "$o" | head -1)" ]; then
    '"$CXX ${flags[*]}"' -fsanitize=fuzzer-no-link -c "$src" -o "$o"
  fi' _ "$here" "$out"
objs=("$out"/obj/*.o)
libs=$(pkg-config --libs libbpf)
build_target() {
  "$CXX" "${flags[@]}" -fsanitize=fuzzer "$here/tests/fuzz/fuzz_$1.cpp" "${objs[@]}" $libs -o "$out/fuzz_$1"
}
seeds="$out/seeds"
rm -rf "$seeds"; mkdir -p "$seeds/object" "$seeds/minimize" "$seeds/btf"
objs_in=()
for f in "$build"/bpf/el/*.o "$build"/bpf/eb/*.o "$here"/testdata/objects/el/*.o; do
  [ -f "$f" ] && objs_in+=("$f")
done
i=0
for f in "${objs_in[@]}"; do cp "$f" "$seeds/object/$i-$(basename "$f")"; i=$((i + 1)); done
# small targets: the objects' own .BTF and minimized testdata kernels (when the CLI is built)
for f in "$build"/bpf/el/minimal.o "$build"/bpf/el/types.o "$build"/bpf/eb/enums.o "$build"/bpf/el/bitfields.o; do
  [ -f "$f" ] && llvm-objcopy-19 --dump-section .BTF="$seeds/btf/own-$(basename "$f" .o).btf" "$f" /dev/null 2>/dev/null || true
done
if [ -x "$build/tools/btfpack" ]; then
  for k in "$here"/testdata/kernels/*/*/*/*.btf.tar.xz; do
    [ -f "$k" ] || continue
    "$build/tools/btfpack" minimize "$k" "$build"/bpf/el/*.o -o "$seeds/btf/min-$(basename "$k" .btf.tar.xz).btf" 2>/dev/null || true
  done
fi
python3 - "$seeds" "$build" <<'PY'
import glob, os, struct, sys
seeds, build = sys.argv[1], sys.argv[2]
objs = sorted(glob.glob(build + "/bpf/el/*.o") + glob.glob(build + "/bpf/eb/*.o"))
btfs = sorted(glob.glob(seeds + "/btf/*.btf"))
n = 0
for o in objs:
    ob = open(o, "rb").read()
    for b in btfs:
        bb = open(b, "rb").read()
        # an el object goes with el targets (the testdata kernels' minimized BTFs are in their byte order)
        open("%s/minimize/%03d-%s-%s" % (seeds, n, os.path.basename(o), os.path.basename(b)), "wb").write(
            struct.pack("<I", len(ob)) + ob + bb)
        n += 1
PY
run() {  # target, seed dirs...
  local t=$1; shift
  local corpus; corpus=$(mktemp -d)
  for d in "$@"; do [ -d "$d" ] && cp "$d"/* "$corpus/" 2>/dev/null || true; done
  local rc=0
  # -timeout: one input over 10 s is a hang; -malloc_limit_mb: one allocation over 256 MB fails
  "$out/fuzz_$t" "$corpus" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1536 -malloc_limit_mb=256 \
    -max_len=1048576 -print_final_stats=1 -artifact_prefix="$out/$t-" > "$out/$t.log" 2>&1 || rc=$?
  rm -rf "$corpus"
  grep -E "stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY" "$out/$t.log" || true
  if [ "$rc" -ne 0 ]; then
    tail -60 "$out/$t.log"
    echo "fuzz-engine: $t FAILED (exit $rc); the input is in $out/$t-*"
    return 1
  fi
  echo "fuzz-engine: $t: ${secs}s without a crash: $(awk '/stat::number_of_executed_units/ {print $2}' "$out/$t.log") executions, $(awk '/stat::new_units_added/ {print $2}' "$out/$t.log") new units" | tee -a "$out/summary.txt"
}
rm -f "$out/summary.txt"
status=0
if [ "$which_targets" = both ] || [ "$which_targets" = object ]; then
  build_target object
  run object "$here/tests/fuzz/corpus_object" "$seeds/object" || status=1
fi
if [ "$which_targets" = both ] || [ "$which_targets" = minimize ]; then
  build_target minimize
  run minimize "$here/tests/fuzz/corpus_minimize" "$seeds/minimize" || status=1
fi
exit $status
