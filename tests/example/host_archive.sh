# Sourced by the example and Docker tests (bash): host_archive KERNELS DIR makes DIR a small
# BTFHub-archive tree: the first testdata kernel (.btf.tar.xz) of KERNELS, and this host's own BTF
# (/sys/kernel/btf/vmlinux) under a made-up distro. Sets ARCH (BTFHub's name for uname -m),
# HOST (btfpacktest/1.0/$ARCH/<uname -r>, its key in a pack) and FIRST_KERNEL (the copied file).
host_archive() {
  local kernels=$1 dir=$2 rel
  case $(uname -m) in x86_64|amd64) ARCH=x86_64 ;; aarch64|arm64) ARCH=arm64 ;; *) ARCH=$(uname -m) ;; esac
  HOST=btfpacktest/1.0/$ARCH/$(uname -r)
  FIRST_KERNEL=$(find "$kernels" -name '*.btf.tar.xz' | sort | head -1)
  rel=${FIRST_KERNEL#"$kernels"/}
  mkdir -p "$dir/$(dirname "$rel")" "$dir/btfpacktest/1.0/$ARCH"
  cp "$FIRST_KERNEL" "$dir/$rel" && cp /sys/kernel/btf/vmlinux "$dir/$HOST.btf"
}
