#!/usr/bin/env bash
# The whole GPU measurement in one command, for a GPU machine that has PyTorch with CUDA but no Node and no
# npm registry (such as the project's lent H200), well inside 10 minutes:
#
#   tools/bench/gpu-bench.sh pack     here (Node, npm, apt): builds ccl and writes tools/.gpu-bench/ (~35 MiB): the
#                               Node binary and the pruned packages the bench loads (linux-x64 only), xz-compressed,
#                               and Debian's Vulkan loader (libvulkan1). Carry that folder to the GPU machine.
#   tools/bench/gpu-bench.sh run      there, from the repository root: unpacks into a temporary folder, installs the
#                               Vulkan loader when the machine has none, then runs tools/bench/bench-pairs.mjs --device cuda
#                               (ccl on WebGPU and PyTorch eager on CUDA, alternating, at [8, 8, 112, 112, 3] and
#                               [32, 16, 112, 112, 3]) and tools/bench/bench.mjs --backend webgpu --full (step, forward
#                               throughput, peak GPU memory, kernel profile). Results go to $OUT (or
#                               tools/bench/results/) as pairs-cuda.json, results-webgpu.json and the two Markdown tables.
#
# With the project's device tool: run `tools/bench/gpu-bench.sh pack` here, then
#   run(command="bash tools/bench/gpu-bench.sh run", carry=["tools/.gpu-bench"], timeout_s=600)
# and copy the returned files into tools/bench/results/ (then `node tools/bench/bench.mjs --backend webgpu --render`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PACK="$ROOT/tools/.gpu-bench"

pack() {
  cd "$ROOT"
  [ "${GPU_BENCH_NO_BUILD:-}" = 1 ] || npx nx run-many -t build -p @ccl/backends @ccl/encoders @ccl/distill @ccl/losses --output-style=static >/dev/null
  rm -rf "$PACK" && mkdir -p "$PACK/tree"
  # The packages the bench child loads, and their dependency closure (workspace packages: package.json + dist).
  node - "$ROOT" "$PACK/tree" <<'NODE'
const fs = require('node:fs');
const path = require('node:path');
const [root, out] = process.argv.slice(2);
const seen = new Set();
const queue = ['@ccl/backends', '@ccl/encoders', '@ccl/distill', '@ccl/losses', '@tensorflow/tfjs-backend-webgpu', 'webgpu'];
const skip = new Set(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'mediainfo.js', '@ffmpeg-installer/ffmpeg']);
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name) || skip.has(name)) continue;
  seen.add(name);
  const link = path.join(root, 'node_modules', name);
  if (!fs.existsSync(link)) continue; // an optional peer nobody installed (e.g. node-fetch's `encoding`)
  const dir = fs.realpathSync(link);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const workspace = !dir.includes(`${path.sep}node_modules${path.sep}`);
  const dest = path.join(out, 'node_modules', name);
  fs.mkdirSync(dest, { recursive: true });
  const keep = (src) => {
    const rel = path.relative(dir, src);
    if (rel.endsWith('.map') || rel.endsWith('.d.ts') || rel.endsWith('.d.mts') || rel.endsWith('.md')) return false;
    if (name === 'webgpu' && rel.startsWith(`dist${path.sep}`) && rel !== 'dist' && !rel.startsWith(path.join('dist', 'linux-x64'))) return false;
    if (workspace) return rel === '' || rel === 'package.json' || rel === 'dist' || rel.startsWith(`dist${path.sep}`);
    return !rel.split(path.sep).includes('node_modules');
  };
  fs.cpSync(dir, dest, { recursive: true, filter: keep, dereference: true });
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) queue.push(dep);
}
process.stderr.write(`gpu-bench: packed ${seen.size} packages\n`);
NODE
  mkdir -p "$PACK/tree/tools/bench/results" "$PACK/tree/docs"
  cp tools/bench/bench.mjs tools/bench/bench-pairs.mjs tools/bench/bench-torch.py "$PACK/tree/tools/bench/"
  printf '# Performance\n\n<!-- bench-webgpu:begin -->\n<!-- bench-webgpu:end -->\n\n<!-- bench-pairs-cuda:begin -->\n<!-- bench-pairs-cuda:end -->\n' >"$PACK/tree/docs/performance.md"
  # bench.mjs resolves tfjs versions from packages/ccl (createRequire); a package.json there is enough
  mkdir -p "$PACK/tree/packages/ccl" && echo '{ "name": "ccl-toolkit-bench", "private": true }' >"$PACK/tree/packages/ccl/package.json"
  tar -C "$PACK/tree" -cf - . | xz -T0 -6 >"$PACK/tree.tar.xz"
  rm -rf "$PACK/tree"
  xz -T0 -9 -c "$(command -v node)" >"$PACK/node.xz"
  # Debian's Vulkan loader: the GPU machine's driver ships its ICD but may lack libvulkan.so.1
  (cd "$PACK" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "gpu-bench: could not download libvulkan1 (apt); the GPU machine must have a Vulkan loader" >&2
  du -sh "$PACK" | sed 's/^/gpu-bench: /' >&2
}

run() {
  [ -f "$PACK/tree.tar.xz" ] || { echo "gpu-bench: $PACK/tree.tar.xz missing: run 'tools/bench/gpu-bench.sh pack' on a machine with npm and carry tools/.gpu-bench" >&2; exit 1; }
  local work
  work="$(mktemp -d)"
  xz -dc "$PACK/tree.tar.xz" | tar -C "$work" -xf -
  xz -dc "$PACK/node.xz" >"$work/node" && chmod +x "$work/node"
  if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
    for deb in "$PACK"/libvulkan1_*.deb; do [ -f "$deb" ] && dpkg -x "$deb" /; done
    ldconfig || true
  fi
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && [ ! -d /usr/share/vulkan/icd.d ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  fi
  export PATH="$work:$PATH" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work/xdg}"
  mkdir -p "$XDG_RUNTIME_DIR"
  cd "$work"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu-bench: GPU /' >&2 || true
  node -e "
    const { pickBackend, formatBackendReport } = require('@ccl/backends');
    pickBackend({ force: 'webgpu' }).then((r) => console.error(formatBackendReport(r)));
  " || echo "gpu-bench: WebGPU did not start (see above)" >&2
  local status=0
  timeout 420 node tools/bench/bench-pairs.mjs --device cuda --rounds 2 --threads 1 || status=$?
  timeout 150 node tools/bench/bench.mjs --backend webgpu --full || status=$?
  local dest="${OUT:-$ROOT/tools/bench/results}"
  mkdir -p "$dest"
  cp tools/bench/results/*.json docs/performance.md "$dest/" 2>/dev/null || true
  echo "gpu-bench: results in $dest (exit $status)" >&2
  return $status
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) echo "usage: tools/bench/gpu-bench.sh pack|run" >&2; exit 2 ;;
esac
