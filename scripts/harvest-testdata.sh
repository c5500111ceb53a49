#!/usr/bin/env bash
# harvest-testdata.sh - re-create testdata/kernels/ from Debian's kernel packages.
#
# Developer tool, not run in CI. Needs: root (apt-get update into private list dirs),
# an amd64 Debian/Ubuntu host with apt-get, dpkg-deb, python3, tar, xz, and
# /usr/share/keyrings/debian-archive-keyring.gpg (package debian-archive-keyring), plus
# network access to a Debian mirror. Downloads ~250 MB of .debs (not cached: the harvester
# fetches into a temporary dir and deletes it again).
#
# The actual work (apt-get download, cutting .BTF out of vmlinuz) is done by
# harvest_debian_btf.py from the shared tools dir; this script only
#   1. writes private apt source lists / list dirs the harvester expects
#      (/tmp/btfpack-SUITE.list, /tmp/apt-btfpack-SUITE[-ARCH]); the host's own apt
#      configuration, lists and package cache are not touched,
#   2. runs the harvester with the exact package versions pinned below,
#   3. checks every blob (BTF magic/endianness, sha256 of the raw BTF against the pin),
#   4. re-packs each tarball deterministically (fixed mtime/owner, xz -9e) so a re-run gives
#      byte-identical files, and replaces testdata/kernels/ only if everything succeeded.
#
# Environment:
#   SHARED_TOOLS            dir holding harvest_debian_btf.py (default: <repo>/../shared/tools)
#   DEBIAN_MIRROR           default http://deb.debian.org/debian
#   DEBIAN_SECURITY_MIRROR  default http://deb.debian.org/debian-security
#   OUT                     output dir (default: <repo>/testdata/kernels)
#   NO_PIN_CHECK=1          do not compare raw BTF sha256 with the pins (after changing a pin)
#   KEEP_WORK=1             keep the staging dir (printed at the end)
#
# If a pinned version has vanished from the mirror, pick the current one
# (apt-cache madison with the same -o options as below), update PINS, run with
# NO_PIN_CHECK=1, then update the sha256 column and testdata/README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SHARED_TOOLS=${SHARED_TOOLS:-"$(dirname "$0")/../../shared/tools"}
HARVEST="$SHARED_TOOLS/harvest_debian_btf.py"
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
OUT=${OUT:-"$repo/testdata/kernels"}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# suite     arch   package                              version      endian  sha256 of the raw .btf
PINS=$(cat <<'EOF'
bookworm    amd64  linux-image-6.1.0-50-amd64           6.1.176-1    LE      ecf4e48fcbed6d520b857baf9fd06621b734094ce76fe41b0b0bc5e159ae6efd
bookworm    arm64  linux-image-6.1.0-50-arm64           6.1.176-1    LE      bf644dadbfb02f41baf2fead456ea900be15ee535dfbcd90f43a67bd13dcd2be
bullseye    amd64  linux-image-5.10.0-32-amd64          5.10.223-1   LE      28295addc16eaf065da6c8a83603b2da2bee224c47097cd7ea3ed48bd252161b
trixie      s390x  linux-image-6.12.107+deb13-s390x     6.12.107-1   BE      65a2f9c081b24ad06175e4d60072188df543f82331275ece5f51b2cbb34c68e5
EOF
)

die() { echo "harvest-testdata: $*" >&2; exit 1; }

[[ -f "$HARVEST" ]] || die "harvester not found: $HARVEST (set SHARED_TOOLS)"
[[ -f "$KEYRING" ]] || die "missing $KEYRING (apt-get install debian-archive-keyring)"
[[ "$(dpkg --print-architecture)" == amd64 ]] || die "the harvester treats amd64 as the native arch; run on an amd64 host"
[[ $(id -u) == 0 ]] || die "run as root (apt-get update into private list dirs needs it)"
for t in apt-get dpkg-deb python3 tar xz sha256sum; do command -v "$t" >/dev/null || die "missing $t"; done

work=$(mktemp -d /tmp/btfpack-harvest.XXXXXX)
cleanup() { if [[ "${KEEP_WORK:-}" == 1 ]]; then echo "work dir kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

# Keep apt's binary package cache in memory, so that the private list dirs never overwrite
# /var/cache/apt/pkgcache.bin of the host. Exported: the harvester's apt-get inherits it.
printf 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' >"$work/apt.conf"
export APT_CONFIG="$work/apt.conf"

suites=$(awk '{print $1}' <<<"$PINS" | sort -u)

# 1. private apt sources + lists, one list dir per (suite, arch) as the harvester expects
for suite in $suites; do
    key="btfpack-$suite"
    cat >"/tmp/$key.list" <<EOF
deb [signed-by=$KEYRING] $DEBIAN_MIRROR $suite main
deb [signed-by=$KEYRING] $DEBIAN_SECURITY_MIRROR $suite-security main
EOF
    for arch in $(awk -v s="$suite" '$1 == s {print $2}' <<<"$PINS" | sort -u); do
        opts=(-oDir::Etc::SourceList="/tmp/$key.list" -oDir::Etc::SourceParts=/dev/null)
        if [[ $arch == amd64 ]]; then
            lists="/tmp/apt-$key"
        else
            lists="/tmp/apt-$key-$arch"
            opts+=(-oAPT::Architecture="$arch" -oAPT::Architectures="$arch")
        fi
        mkdir -p "$lists/partial"
        echo "== apt-get update: $suite/$arch -> $lists"
        # a failed index (e.g. a security mirror mid-sync) is not fatal: the pinned version
        # may well be in the other one; the download step fails loudly if it is not.
        apt-get -q "${opts[@]}" -oDir::State::Lists="$lists" update >"$work/update-$suite-$arch.log" 2>&1 \
            || { echo "warning: apt-get update $suite/$arch reported errors:" >&2; grep -E '^(E|W):' "$work/update-$suite-$arch.log" >&2 || true; }
    done
done

# 2. harvest into a staging dir, one harvester run per suite
stage="$work/out"
mkdir -p "$stage"
for suite in $suites; do
    specs=()
    while read -r s arch pkg ver _; do
        [[ $s == "$suite" ]] || continue
        spec="$pkg=$ver"
        [[ $arch == amd64 ]] || spec+=":$arch"
        specs+=("$spec")
    done <<<"$PINS"
    echo "== harvest: $suite: ${specs[*]}"
    python3 "$HARVEST" --suite "btfpack-$suite" "$stage" "${specs[@]}"
done

# 3. verify + 4. deterministic re-pack
final="$work/kernels"
mkdir -p "$final"
while read -r suite arch pkg ver endian sha; do
    kernel=${pkg#linux-image-}; kernel=${kernel#linux-binary-}
    mapfile -t found < <(cd "$stage" && find debian -name "$kernel.btf.tar.xz")
    [[ ${#found[@]} == 1 ]] || die "$pkg: expected one $kernel.btf.tar.xz in staging, got ${#found[@]}"
    rel=${found[0]}
    members=$(tar -tJf "$stage/$rel")
    [[ "$members" == "$kernel.btf" ]] || die "$rel: unexpected members: $members"
    x="$work/x/$kernel"
    mkdir -p "$x"
    tar -xJf "$stage/$rel" -C "$x"
    blob="$x/$kernel.btf"
    magic=$(od -An -tx1 -N4 "$blob" | tr -d ' ')
    case "$endian:$magic" in
        LE:9feb0100 | BE:eb9f0100) ;;
        *) die "$rel: BTF header $magic does not match expected $endian" ;;
    esac
    got=$(sha256sum "$blob" | cut -d' ' -f1)
    if [[ $sha != - && "${NO_PIN_CHECK:-}" != 1 && $got != "$sha" ]]; then
        die "$rel: raw BTF sha256 $got != pinned $sha ($pkg=$ver)"
    fi
    mkdir -p "$final/$(dirname "$rel")"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=0644 --format=gnu \
        -C "$x" -cf - "$kernel.btf" | xz -9e -T1 -c >"$final/$rel"
    printf '%-55s %s %8d bytes raw %8d bytes xz  sha256(raw) %s\n' \
        "$rel" "$endian" "$(stat -c %s "$blob")" "$(stat -c %s "$final/$rel")" "$got"
    rm -rf "$x"
done <<<"$PINS"

# replace OUT only now that everything succeeded
mkdir -p "$OUT"
rm -rf "$OUT/debian"
cp -r "$final/debian" "$OUT/debian"
echo "== done: $OUT ($(du -sh "$OUT" | cut -f1))"
