#!/usr/bin/env bash
# Installs every Debian 12 package btfpack's build, tests and benchmarks need. Idempotent.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config
  libbpf-dev libelf-dev zlib1g-dev   # BTF parsing/writing, ground-truth loader
  libarchive-dev                     # BTFHub .btf.tar.xz reading
  libzstd-dev zstd                   # pack compression and dictionaries
  libxxhash-dev                      # pack checksums (header-only use: XXH_INLINE_ALL)
  libcli11-dev                       # CLI
  catch2                             # unit tests
  clang clang-19 llvm-19             # BPF objects (clang-19 for enum64 / type_matches builtins)
  libclang-rt-19-dev                 # libFuzzer + sanitizers for the reader fuzz target
  bpftool                            # comparison anchor in benchmarks and tests; vmlinux.h of bpf/large
  libbpf-tools                       # real-world CO-RE objects (embedded in its binaries) for tests
  python3 xz-utils
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#PKGS[@]} packages present"
