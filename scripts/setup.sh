#!/usr/bin/env bash
# Installs every Debian 12 package btfpack's build, tests and benchmarks need. Idempotent.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config
  libbpf-dev libelf-dev zlib1g-dev   # BTF parsing/writing, ground-truth loader
  libarchive-dev liblz4-dev          # BTFHub .btf.tar.xz reading (libarchive linked statically)
  liblzma-dev libbz2-dev             # its decompressors, linked statically too (bookworm's libarchive-dev does not pull them)
  libzstd-dev zstd                   # pack compression and dictionaries
  libxxhash-dev                      # pack checksums (header-only use: XXH_INLINE_ALL)
  libcli11-dev                       # CLI
  catch2                             # unit tests
  clang clang-19 llvm-19             # BPF objects (clang-19 for enum64 / type_matches builtins)
  libc++-dev libc++abi-dev           # a second C++ library: the ctest golden_libcxx builds btfpack with clang + libc++
  libclang-rt-19-dev                 # libFuzzer + sanitizers for the reader fuzz target
  bpftool                            # comparison anchor in benchmarks and tests; vmlinux.h of bpf/large
  libbpf-tools                       # real-world CO-RE objects (embedded in its binaries) for tests
  libcpp-httplib-dev liblzma-dev     # btfpack serve: HTTP server; customize's .tar.xz answers
  libcurl4-openssl-dev               # libbtfpack_remote: the reader's layer 4 over HTTP
  python3 xz-utils time               # time: peak RSS in the benchmarks
  chromium fonts-dejavu-core         # the report's HTML page tested in a real browser (headless)
  # scripts/kernel-matrix and the ctest label vm: real Debian kernels booted under qemu (TCG)
  qemu-system-x86 qemu-system-arm qemu-system-misc   # qemu-system-{x86_64,aarch64,s390x}
  gcc-aarch64-linux-gnu gcc-s390x-linux-gnu libc6-dev-arm64-cross libc6-dev-s390x-cross  # static guest apps
  cpio dwarves debian-archive-keyring  # initramfs; pahole (BTF of kernels built without it); apt signatures
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
# the packaging and Docker tests' tools (help2man, lintian, debootstrap, Docker 26 from trixie,
# pinned): scripts/setup-packaging.sh; BTFPACK_PACKAGING=0 skips it (the Dockerfile's build stage)
if [[ ${BTFPACK_PACKAGING:-1} != 0 ]]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/setup-packaging.sh"
fi

# The Go reader (go/) and its tests need the Go toolchain, >= the go line of go/go.mod (1.25;
# Debian 12's golang is 1.19, too old for cilium/ebpf). The machine image has it in
# /usr/local/go; without it CMake registers no go_* test.
go_bin=$(command -v go || true)
[[ -z $go_bin && -x /usr/local/go/bin/go ]] && go_bin=/usr/local/go/bin/go
if [[ -n $go_bin ]]; then
  # the modules go.sum pins, from the Go module proxy (once; the tests then build offline)
  (cd "$(dirname "$0")/../go" && GOFLAGS=-mod=readonly "$go_bin" mod download)
  echo "setup: $("$go_bin" version) present, Go modules downloaded"
else
  echo "setup: WARNING: no Go toolchain (go in PATH or /usr/local/go/bin/go): the Go reader's tests will not run;" \
       "install Go >= 1.25 into /usr/local/go" >&2
fi

# A newer libbpf as a second judge of the fidelity tests (tests/fidelity: relo_oracle_libbpfNN):
# Debian 13 "trixie"'s libbpf-dev .deb (headers + libbpf.a), downloaded with a private apt state
# and unpacked into a private prefix. Nothing is installed or upgraded system-wide: the newer
# suite is never added to /etc/apt, so the system's apt (and its libc6) never sees it.
# BTFPACK_LIBBPF_NEW_SUITE picks another suite (e.g. bookworm-backports: 1.4),
# BTFPACK_LIBBPF_NEW_PREFIX another prefix (default /opt/btfpack/libbpf-new, where CMake looks),
# BTFPACK_LIBBPF_NEW=0 skips the step (e.g. in images that run no fidelity test).
new_suite=${BTFPACK_LIBBPF_NEW_SUITE:-trixie}
new_prefix=${BTFPACK_LIBBPF_NEW_PREFIX:-/opt/btfpack/libbpf-new}
new_stamp=$new_prefix/btfpack-libbpf-dev.txt
source "$(dirname "${BASH_SOURCE[0]}")/debian_mirror.sh"  # debian_mirror
if [[ ${BTFPACK_LIBBPF_NEW:-1} != 0 ]]; then  # one fetch at a time on this machine
  mkdir -p "$(dirname "$new_prefix")"
  exec 9>"$new_prefix.lock"
  flock 9
fi
if [[ ${BTFPACK_LIBBPF_NEW:-1} == 0 ]]; then
  echo "setup: newer libbpf skipped (BTFPACK_LIBBPF_NEW=0)"
elif [[ -s $new_stamp ]] && compgen -G "$new_prefix/usr/lib/*/libbpf.a" >/dev/null; then
  echo "setup: $(head -n1 "$new_stamp") present in $new_prefix"
else
  mirror=$(debian_mirror)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/empty" "$tmp/deb"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $new_suite main" >"$tmp/sources.list"
  # apt with its own sources, lists, cache and preferences: the system's apt state is not touched
  apt_priv=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=$tmp/empty"
            -o "Dir::Etc::Preferences=$tmp/empty/none" -o "Dir::Etc::PreferencesParts=$tmp/empty"
            -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o "APT::Sandbox::User=root")
  apt-get "${apt_priv[@]}" update -qq
  (cd "$tmp/deb" && apt-get "${apt_priv[@]}" download -qq "libbpf-dev/$new_suite")
  deb=$(echo "$tmp"/deb/libbpf-dev_*.deb)
  rm -rf "$new_prefix.tmp" && mkdir -p "$new_prefix.tmp"
  dpkg-deb -x "$deb" "$new_prefix.tmp"
  compgen -G "$new_prefix.tmp/usr/lib/*/libbpf.a" >/dev/null || { echo "setup: no libbpf.a in $deb" >&2; exit 1; }
  { echo "libbpf-dev $(dpkg-deb -f "$deb" Version) ($new_suite, $mirror)"
    echo "sha256 $(sha256sum "$deb" | cut -d' ' -f1)  $(basename "$deb")"
    echo "unpacked with dpkg-deb -x by scripts/setup.sh; not installed (dpkg does not know it)"; } >"$new_prefix.tmp/btfpack-libbpf-dev.txt"
  rm -rf "$new_prefix" && mv "$new_prefix.tmp" "$new_prefix"
  echo "setup: $(head -n1 "$new_stamp") unpacked into $new_prefix"
fi
