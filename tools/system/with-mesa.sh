#!/usr/bin/env bash
# Runs a command with the project's software Vulkan driver (lavapipe, fetched by tools/system/setup.sh mesa):
# Dawn (the npm package `webgpu`) then finds a WebGPU adapter on a machine with no GPU. The loader and driver
# paths must be in the environment before the process starts (the dynamic linker reads LD_LIBRARY_PATH once).
# Usage: tools/system/with-mesa.sh COMMAND [ARG...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MESA_DIR="$ROOT/node_modules/.cache/ccl-system/mesa"
[ -f "$MESA_DIR/ready" ] || bash "$ROOT/tools/system/setup.sh" mesa
export VK_ICD_FILENAMES="$MESA_DIR/icd.json" VK_DRIVER_FILES="$MESA_DIR/icd.json"
export LD_LIBRARY_PATH="$MESA_DIR/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/ccl-xdg-$(id -u)"; mkdir -p -m 700 "$XDG_RUNTIME_DIR"; fi
exec "$@"
