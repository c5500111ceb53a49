#!/usr/bin/env bash
# A fresh Debian 12 root file system as a tarball, made offline from any registry: debootstrap
# --variant=minbase bookworm from this machine's Debian mirror. Cached: made once, then reused
# (tests import it with `docker import`, or unpack it as a chroot for `apt install ./x.deb`).
#
# usage: scripts/debian-base-tarball.sh [TARBALL]
#   TARBALL  default ${BTFPACK_CACHE:-~/.cache/btfpack}/debian-12-minbase.tar.zst
# Prints the tarball's path on stdout (progress on stderr). exit: 0 ok, 1 failure.
# Needs root and debootstrap (scripts/setup-packaging.sh installs it).
set -euo pipefail
cache=${BTFPACK_CACHE:-$HOME/.cache/btfpack}
TARBALL=${1:-$cache/debian-12-minbase.tar.zst}
die() { echo "debian-base-tarball: $*" >&2; exit 1; }

mkdir -p "$(dirname "$TARBALL")"
exec 8>"$TARBALL.lock"
flock 8  # one debootstrap at a time; a second caller waits and reuses the result
if [[ -s $TARBALL ]] && zstd -tq "$TARBALL" 2>/dev/null; then
  echo "$TARBALL"; exit 0
fi
command -v debootstrap >/dev/null || die "debootstrap not installed (bash scripts/setup-packaging.sh)"
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap)"
source "$(dirname "${BASH_SOURCE[0]}")/debian_mirror.sh"
mirror=$(debian_mirror)
root=$(mktemp -d /var/tmp/btfpack-debootstrap.XXXXXX)
trap 'rm -rf "$root" "$root.log"' EXIT
start=$(date +%s)
echo "debian-base-tarball: debootstrap --variant=minbase bookworm from $mirror" >&2
# in a mount namespace of its own, on a tmpfs (dpkg's many syncs cost nothing there; the tmpfs
# and debootstrap's /proc mounts in the root vanish with the namespace, even on a kill)
unshare --mount --propagation private bash -c '
  mount -t tmpfs -o size=2g btfpack-debootstrap "$1" &&
  debootstrap --variant=minbase bookworm "$1" "$2" >"$1.log" 2>&1 &&
  rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* &&
  tar --numeric-owner -C "$1" -c . | zstd -q -T2 -10 -o "$3"' _ "$root" "$mirror" "$TARBALL.tmp" \
  || { tail -n 20 "$root.log" >&2; rm -f "$TARBALL.tmp"; die "debootstrap failed (log above)"; }
mv "$TARBALL.tmp" "$TARBALL"
echo "debian-base-tarball: $TARBALL ($(du -h "$TARBALL" | cut -f1)) in $(( $(date +%s) - start )) s" >&2
echo "$TARBALL"
