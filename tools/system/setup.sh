#!/usr/bin/env bash
# Installs, when absent, the system software that `npm test` needs, on a fresh Debian 12 machine (as root):
#
#   chromium  Debian's `chromium` (browser tests: the HTML report and the web app). Override: CCL_CHROMIUM=/path.
#   redis     Debian's `redis-server` (queue tests). Override: CCL_REDIS_SERVER=/path.
#   mesa      Mesa's software Vulkan driver (lavapipe) from Debian's bookworm-backports suite, for the WebGPU tests
#             (Debian 12's own Mesa 22.3 is too old for Dawn). It is downloaded with a private apt configuration and
#             unpacked into node_modules/.cache/ccl-system/mesa: the system's apt sources are not changed and
#             nothing is installed system-wide. tools/system/with-mesa.sh runs a command with it.
#
# Usage: tools/system/setup.sh [chromium] [redis] [mesa]   (no argument: all three)
# Each part is quick when already there. A part that cannot be installed (not root, not Debian, no network)
# stops with one line saying what is missing and how to get it; the tests that need it then fail, never skip.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(chromium redis mesa)

fail() { echo "tools/system/setup.sh: $*" >&2; exit 1; }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
APT_UPDATED=0
apt_install() { # package...
  can_apt || fail "'$*' is missing and this is not a root Debian machine: install it yourself (Debian/Ubuntu: apt-get install $*)"
  export DEBIAN_FRONTEND=noninteractive
  if [ $APT_UPDATED = 0 ]; then apt-get update -qq >/dev/null || fail "apt-get update failed (no network to Debian's mirrors?)"; APT_UPDATED=1; fi
  apt-get install -y -qq "$@" >/dev/null || fail "apt-get install $* failed"
}

setup_chromium() {
  if [ -n "${CCL_CHROMIUM:-}" ]; then [ -x "$CCL_CHROMIUM" ] || fail "CCL_CHROMIUM=$CCL_CHROMIUM is not an executable"; return; fi
  command -v chromium >/dev/null 2>&1 && return
  echo "tools/system/setup.sh: installing Debian's chromium (browser tests)" >&2
  apt_install chromium fonts-dejavu-core
}

setup_redis() {
  if [ -n "${CCL_REDIS_SERVER:-}" ]; then [ -x "$CCL_REDIS_SERVER" ] || fail "CCL_REDIS_SERVER=$CCL_REDIS_SERVER is not an executable"; return; fi
  command -v redis-server >/dev/null 2>&1 && return
  echo "tools/system/setup.sh: installing Debian's redis-server (queue tests)" >&2
  apt_install redis-server
  # Debian's package starts a system-wide server on 6379; the tests start their own on free ports.
  (command -v systemctl >/dev/null 2>&1 && systemctl disable --now redis-server >/dev/null 2>&1) || service redis-server stop >/dev/null 2>&1 || true
}

MESA_DIR="$ROOT/node_modules/.cache/ccl-system/mesa"
setup_mesa() {
  [ -f "$MESA_DIR/icd.json" ] && [ -f "$MESA_DIR/ready" ] && return
  can_apt || fail "no software Vulkan driver: on Debian 12 run this script as root, elsewhere install Mesa >= 24 with lavapipe (mesa-vulkan-drivers) and set VK_ICD_FILENAMES to its lvp_icd json"
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || fail "no Debian archive keyring (/usr/share/keyrings/debian-archive-keyring.gpg): not a Debian machine"
  echo "tools/system/setup.sh: fetching Mesa's lavapipe from bookworm-backports into $MESA_DIR (WebGPU tests)" >&2
  rm -rf "$MESA_DIR.tmp" && mkdir -p "$MESA_DIR.tmp/apt/lists/partial" "$MESA_DIR.tmp/apt/cache/archives/partial" "$MESA_DIR.tmp/root"
  local A="$MESA_DIR.tmp/apt" K=/usr/share/keyrings/debian-archive-keyring.gpg M="${CCL_DEBIAN_MIRROR:-http://deb.debian.org}"
  cat >"$A/sources.list" <<SRC
deb [signed-by=$K] $M/debian bookworm main
deb [signed-by=$K] $M/debian bookworm-updates main
deb [signed-by=$K] $M/debian-security bookworm-security main
deb [signed-by=$K] $M/debian bookworm-backports main
SRC
  local O=(-o "Dir::Etc::sourcelist=$A/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o Debug::NoLocking=1 -qq)
  apt-get "${O[@]}" update >/dev/null || fail "apt-get update (private lists, bookworm-backports) failed"
  # Resolved against what this machine has installed: downloads the backports driver and every library it lacks.
  apt-get "${O[@]}" -y --download-only -t bookworm-backports install mesa-vulkan-drivers >/dev/null ||
    fail "downloading mesa-vulkan-drivers from bookworm-backports failed"
  local deb
  for deb in "$A"/cache/archives/*.deb; do dpkg-deb -x "$deb" "$MESA_DIR.tmp/root"; done
  local lib="$MESA_DIR/root/usr/lib/x86_64-linux-gnu"
  [ -f "$MESA_DIR.tmp/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ] || fail "the backports mesa-vulkan-drivers has no libvulkan_lvp.so"
  printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s/libvulkan_lvp.so", "api_version": "1.3.0" } }\n' "$lib" >"$MESA_DIR.tmp/icd.json"
  rm -rf "$A/cache" "$A/lists"
  rm -rf "$MESA_DIR" && mv "$MESA_DIR.tmp" "$MESA_DIR"
  touch "$MESA_DIR/ready"
}

for part in "${PARTS[@]}"; do
  case "$part" in
    chromium) setup_chromium ;;
    redis) setup_redis ;;
    mesa) setup_mesa ;;
    *) fail "unknown part '$part' (chromium, redis, mesa)" ;;
  esac
done
