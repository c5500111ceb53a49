# Sourced by the CLI tests: make_test_archive DIR KERNELS_DIR lays out a small real archive tree
# from the testdata kernels: several distros/versions/arches, a duplicate layout under another
# name, a raw .btf and an ELF vmlinux with the same layouts as other kernels (7 kernels, 4
# distinct BTFs). Sets k510 k61 karm ks390 to the testdata kernel files used.
make_test_archive() {
  local A=$1 KERNELS=$2 tmp
  k510=$(find "$KERNELS" -name '5.10*amd64.btf.tar.xz' | head -1)
  k61=$(find "$KERNELS" -name '6.1*amd64.btf.tar.xz' | head -1)
  karm=$(find "$KERNELS" -name '*arm64.btf.tar.xz' | head -1)
  ks390=$(find "$KERNELS" -name '*s390x.btf.tar.xz' | head -1)
  mkdir -p $A/debian/11/x86_64 $A/debian/12/x86_64 $A/debian/12/arm64 $A/debian/13/s390x $A/ubuntu/22.04/x86_64 \
           $A/centos/8/x86_64 $A/fedora/34/x86_64 $A/ol/8/arm64
  cp "$k510" $A/debian/11/x86_64/; cp "$k61" $A/debian/12/x86_64/; cp "$karm" $A/debian/12/arm64/; cp "$ks390" $A/debian/13/s390x/
  cp "$k61" $A/ubuntu/22.04/x86_64/6.1.0-dup-generic.btf.tar.xz                 # same layout, other name
  tar -xJOf "$k510" > $A/centos/8/x86_64/5.10.0-raw.el8.x86_64.btf              # raw .btf, same layout as 5.10
  tmp=$(mktemp)                                                                  # ELF vmlinux, same layout as arm64
  tar -xJOf "$karm" > "$tmp" && objcopy -I binary -O elf64-little --rename-section .data=.BTF,alloc,load,readonly,data,contents \
    "$tmp" $A/ol/8/arm64/vmlinux-5.15.0-1.el8uek.aarch64
  rm -f "$tmp"
}
