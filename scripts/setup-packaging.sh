#!/usr/bin/env bash
# What the packaging and Docker tests need on Debian 12, as root. Idempotent; run by
# scripts/setup.sh (skipped there with BTFPACK_PACKAGING=0, as the Dockerfile's build stage does).
#  - help2man (the man page), lintian (checks the .debs), debootstrap (offline base images and
#    the fresh-Debian chroot), file, zstd
#  - Docker 26 from Debian 13 "trixie": docker.io, docker-cli, docker-buildx (Debian 12's
#    docker.io is 20.10, whose old BuildKit lacks named build contexts). The trixie suite is added
#    to apt with a preferences file that pins every trixie package at -1 (never installed) but
#    these three at 100 (installed only when asked for by name/trixie, never as an upgrade), so
#    nothing else (libc6 above all) comes from trixie; their other dependencies come from bookworm.
# BTFPACK_DOCKER=0 skips the Docker part.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(help2man lintian debootstrap file zstd)
DOCKER_PKGS=(docker.io docker-cli docker-buildx)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup-packaging: ${PKGS[*]} present"
[[ ${BTFPACK_DOCKER:-1} == 0 ]] && { echo "setup-packaging: Docker skipped (BTFPACK_DOCKER=0)"; exit 0; }

source "$(dirname "${BASH_SOURCE[0]}")/debian_mirror.sh"
list=/etc/apt/sources.list.d/btfpack-trixie.sources
prefs=/etc/apt/preferences.d/btfpack-trixie
want_prefs="# btfpack (scripts/setup-packaging.sh): only Docker comes from trixie, and only by name
Package: *
Pin: release n=trixie
Pin-Priority: -1

Package: ${DOCKER_PKGS[*]}
Pin: release n=trixie
Pin-Priority: 100
"
changed=0
if [[ ! -f $prefs ]] || [[ "$(cat "$prefs")" != "$(printf '%s' "$want_prefs")" ]]; then
  printf '%s' "$want_prefs" >"$prefs"; changed=1
fi
if [[ ! -f $list ]]; then
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$(debian_mirror)" >"$list"
  changed=1
fi
docker_ok=1  # the three installed, and the engine 23 or newer
for p in "${DOCKER_PKGS[@]}"; do installed "$p" || docker_ok=0; done
dpkg-query -W -f='${Version}' docker.io 2>/dev/null | grep -Eq '^(2[3-9]|[3-9][0-9])\.' || docker_ok=0
if ((docker_ok)); then
  echo "setup-packaging: $(dpkg-query -W -f='${Package} ${Version}  ' "${DOCKER_PKGS[@]}")present"
  exit 0
fi
((changed)) && echo "setup-packaging: trixie added to apt ($list), pinned by $prefs"
apt-get update -qq
# pkg/trixie makes apt take that package's dependencies from trixie too where it can: containerd
# is named last with bookworm's version (docker.io asks containerd >= 1.4; bookworm has 1.6)
targets=(); for p in "${DOCKER_PKGS[@]}"; do targets+=("$p/trixie"); done; targets+=(containerd/bookworm)
# the plan first: it must not touch libc6 (nor anything else but these and bookworm packages)
plan=$(apt-get install -s --no-install-recommends "${targets[@]}")
from_trixie=$(grep '^Inst ' <<<"$plan" | grep 'Debian:13' | awk '{print $2}' | sort | tr '\n' ' ')
if grep -Eq '^Inst (libc6|libc-bin) ' <<<"$plan" || [[ $from_trixie != "$(printf '%s\n' "${DOCKER_PKGS[@]}" | sort | tr '\n' ' ')" ]]; then
  grep '^Inst ' <<<"$plan" >&2 || true
  echo "setup-packaging: ${targets[*]} would bring more than these from trixie (above); not done" >&2; exit 1
fi
# no service started by the packages' scripts: the tests start their own dockerd (private socket
# and data root, tests/install/dockerd.sh); a policy-rc.d of ours, only for this install
policy=/usr/sbin/policy-rc.d own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1
  trap 'if ((own_policy)); then rm -f "$policy"; fi' EXIT
fi
apt-get install -y -qq --no-install-recommends "${targets[@]}"
echo "setup-packaging: $(dpkg-query -W -f='${Package} ${Version}  ' "${DOCKER_PKGS[@]}")installed"
# the distro service stays off (systemd machines): only the tests' own dockerd runs
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
fi
