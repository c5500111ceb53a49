#!/usr/bin/env bash
# Fuzz the pack reader (open + list + find + decompress) with libFuzzer, ASan and UBSan for a
# bounded time. usage: scripts/fuzz-reader.sh [SECONDS=60] [BUILD_DIR=build]
# Prints libFuzzer's final stats (number of executions); exits non-zero on any crash, leak,
# out-of-bounds access, undefined behaviour or allocation over the limit.
set -euo pipefail
secs=${1:-60}
build=${2:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$build/fuzz"
mkdir -p "$out"
clang-19 -g -O1 -DBTFPACK_FUZZING -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$here/lib/include" "$here/tests/fuzz/fuzz_reader.c" "$here/lib/reader/btfpack_reader.c" "$here/lib/reader/type_table.c" -lzstd \
  -o "$out/fuzz_reader"
corpus=$(mktemp -d); trap 'rm -rf "$corpus"' EXIT
cp "$here"/tests/fuzz/corpus/* "$corpus/"
# -rss_limit_mb/-malloc_limit_mb: any single allocation over 64 MB or RSS over 512 MB is a failure
rc=0
"$out/fuzz_reader" "$corpus" -max_total_time="$secs" -rss_limit_mb=512 -malloc_limit_mb=64 \
  -print_final_stats=1 -artifact_prefix="$out/" > "$out/fuzz.log" 2>&1 || rc=$?
grep -E "stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY" "$out/fuzz.log" || true
if [ "$rc" -ne 0 ]; then
  tail -40 "$out/fuzz.log"
  echo "fuzz-reader: FAILED (exit $rc); the crashing input is in $out/"
  exit 1
fi
summary="fuzz-reader: ${secs}s without a crash: $(grep -E 'stat::number_of_executed_units' "$out/fuzz.log" | awk '{print $2}') executions, $(grep -E 'stat::new_units_added' "$out/fuzz.log" | awk '{print $2}') new corpus units"
echo "$summary" | tee "$out/summary.txt"
