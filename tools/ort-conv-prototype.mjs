#!/usr/bin/env node
// Prototype for issue 9's 1.5x question: tfjs's Conv2D and Conv2DBackpropInput kernels on the WASM backend
// implemented by onnxruntime-node's CPU kernels (MLAS), behind the same kernel interface, then an
// r2plus1d-18 training step with them. Not part of the project (onnxruntime-node is 113 MB packed and
// not a dependency); run it with an unpacked onnxruntime-node:
//
//   npm pack onnxruntime-node@1.30.0 onnxruntime-common@1.30.0   (anywhere, then untar both)
//   ORT_NODE=/path/to/onnxruntime-node/package ORT_COMMON=/path/to/onnxruntime-common/package \
//     node tools/ort-conv-prototype.mjs [--threads 2] [--input 2,8,112,112,3] [--kernels-only]
//
// (onnxruntime-node's install script only fetches GPU providers; its CPU library ships in the tarball.)
// Needs `npx nx run @ccl/toolkit:build` first. Prints per-kernel times and one training step against the WASM
// kernels of packages/ccl/src/kernels, and checks the numbers against them.
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages', 'ccl', 'package.json'));
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const threads = Number(arg('--threads', '2'));
const input = arg('--input', '2,8,112,112,3').split(',').map(Number);

// ------------------------------------------------------------------------------------- onnxruntime-node
if (!process.env.ORT_NODE || !fs.existsSync(process.env.ORT_NODE)) {
  console.error('tools/ort-conv-prototype.mjs: set ORT_NODE to an unpacked onnxruntime-node package (see the header)');
  process.exit(2);
}
if (process.env.ORT_COMMON) {
  // let the unpacked onnxruntime-node resolve its peer onnxruntime-common from ORT_COMMON
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'onnxruntime-common' ? resolve.call(this, process.env.ORT_COMMON, ...rest) : resolve.call(this, request, ...rest);
  };
}
const ortRequire = createRequire(path.join(process.env.ORT_NODE, 'package.json'));
const common = ortRequire('onnxruntime-common');
const { binding, initOrt } = ortRequire('./dist/binding');
initOrt();

// ------------------------------------------------------------------ a minimal ONNX writer (protobuf wire)
function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int64 two's complement
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const bytesField = (field, bytes) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const strField = (field, s) => bytesField(field, [...Buffer.from(s, 'utf8')]);
const intField = (field, n) => [...key(field, 0), ...varint(n)];
function valueInfo(name, shape) {
  const dims = shape.flatMap((d) => bytesField(1, intField(1, d)));
  return [...strField(1, name), ...bytesField(2, bytesField(1, [...intField(1, 1), ...bytesField(2, dims)]))]; // FLOAT tensor
}
function attribute(name, value) {
  if (Array.isArray(value)) return [...strField(1, name), ...value.flatMap((v) => intField(8, v)), ...intField(20, 7)]; // INTS
  return [...strField(1, name), ...intField(3, value), ...intField(20, 2)]; // INT
}
/** nodes: [{ op, inputs: [names], output: name, attrs }]; graph inputs/outputs: [[name, shape]] */
function model(nodes, inputs, outputs) {
  const nodeBytes = nodes.flatMap((n) =>
    bytesField(1, [
      ...n.inputs.flatMap((i) => strField(1, i)),
      ...strField(2, n.output),
      ...strField(4, n.op),
      ...Object.entries(n.attrs ?? {}).flatMap(([k, v]) => bytesField(5, attribute(k, v))),
    ]),
  );
  const graph = [
    ...nodeBytes,
    ...strField(2, 'g'),
    ...inputs.flatMap(([n, s]) => bytesField(11, valueInfo(n, s))),
    ...outputs.flatMap(([n, s]) => bytesField(12, valueInfo(n, s))),
  ];
  return Uint8Array.from([...intField(1, 8), ...bytesField(8, [...strField(1, ''), ...intField(2, 17)]), ...bytesField(7, graph)]);
}

// ------------------------------------------------------------------------------- cached one-op sessions
const sessions = new Map();
let sessionsCreated = 0;
function session(keyText, build) {
  let s = sessions.get(keyText);
  if (!s) {
    const bytes = build();
    s = new binding.InferenceSession();
    s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    sessions.set(keyText, s);
    sessionsCreated++;
  }
  return s;
}
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** y = conv(x, w) in NHWC: Transpose -> Conv (NCHW) -> Transpose, one ORT graph. */
function convGraph(x, w, info) {
  const pads = [info.padInfo.top, info.padInfo.left, info.padInfo.bottom, info.padInfo.right];
  const attrs = {
    kernel_shape: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads,
  };
  const out = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return session(`conv ${x.shape} ${w.shape} ${JSON.stringify(attrs)}`, () =>
    model(
      [
        { op: 'Transpose', inputs: ['x'], output: 'xc', attrs: { perm: NHWC_TO_NCHW } },
        { op: 'Transpose', inputs: ['w'], output: 'wc', attrs: { perm: HWIO_TO_OIHW } },
        { op: 'Conv', inputs: ['xc', 'wc'], output: 'yc', attrs },
        { op: 'Transpose', inputs: ['yc'], output: 'y', attrs: { perm: NCHW_TO_NHWC } },
      ],
      [
        ['x', x.shape],
        ['w', w.shape],
      ],
      [['y', out]],
    ),
  );
}

/** dx of conv(x, w) from dy in NHWC: ConvTranspose with the forward's weight [Cout, Cin, kh, kw]. */
function convInputGradGraph(dy, w, info) {
  const pads = [info.padInfo.top, info.padInfo.left, info.padInfo.bottom, info.padInfo.right];
  const op = [
    info.inHeight - ((info.outHeight - 1) * info.strideHeight + info.filterHeight - pads[0] - pads[2]),
    info.inWidth - ((info.outWidth - 1) * info.strideWidth + info.filterWidth - pads[1] - pads[3]),
  ];
  const attrs = { kernel_shape: [info.filterHeight, info.filterWidth], strides: [info.strideHeight, info.strideWidth], pads, output_padding: op };
  const out = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  return session(`dx ${dy.shape} ${w.shape} ${JSON.stringify(attrs)}`, () =>
    model(
      [
        { op: 'Transpose', inputs: ['dy'], output: 'dyc', attrs: { perm: NHWC_TO_NCHW } },
        { op: 'Transpose', inputs: ['w'], output: 'wc', attrs: { perm: HWIO_TO_OIHW } },
        { op: 'ConvTranspose', inputs: ['dyc', 'wc'], output: 'dxc', attrs },
        { op: 'Transpose', inputs: ['dxc'], output: 'dx', attrs: { perm: NCHW_TO_NHWC } },
      ],
      [
        ['dy', dy.shape],
        ['w', w.shape],
      ],
      [['dx', out]],
    ),
  );
}

// --------------------------------------------------------------------------- tfjs kernels on the WASM heap
const ccl = await import(path.join(root, 'packages', 'ccl', 'dist', 'index.mjs'));
const tf = require('@tensorflow/tfjs-core');
process.env.CCL_WASM_THREADS ??= '1'; // the measurements in docs/performance.md section 7: WASM with 1 thread
await ccl.pickBackend({ force: 'wasm' });
const ours = { Conv2D: tf.getKernel('Conv2D', 'wasm').kernelFunc, Conv2DBackpropInput: tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc };

function runOrt(backend, s, feeds, outName, outShape) {
  const ortFeeds = {};
  for (const [name, info] of Object.entries(feeds)) ortFeeds[name] = new common.Tensor('float32', backend.typedArrayFromHeap(info), info.shape);
  const result = s.run(ortFeeds, { [outName]: null }, {})[outName];
  const out = backend.makeOutput(outShape, 'float32');
  backend.typedArrayFromHeap(out).set(result.data);
  return out;
}

function ortConv2D({ inputs: { x, filter }, attrs, backend }) {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  if (dataFormat === 'NCHW') throw new Error('prototype: NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  return runOrt(backend, convGraph(x, filter, info), { x, w: filter }, 'y', [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
}

function ortConv2DBackpropInput({ inputs: { dy, filter }, attrs, backend }) {
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  if (dataFormat === 'NCHW') throw new Error('prototype: NHWC only');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return runOrt(backend, convInputGradGraph(dy, filter, info), { dy, w: filter }, 'dx', [...inputShape]);
}

function use(kind) {
  for (const [name, fn] of Object.entries(kind === 'ort' ? { Conv2D: ortConv2D, Conv2DBackpropInput: ortConv2DBackpropInput } : ours)) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn });
  }
}

// ------------------------------------------------------------------------------------------ measurements
const best = (f, n = 3) => {
  let t = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
};
const relErr = (a, b) => {
  let d = 0;
  let s = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
};

console.log(
  `onnxruntime-node ${JSON.parse(fs.readFileSync(path.join(process.env.ORT_NODE, 'package.json'), 'utf8')).version}, ${threads} intra-op thread(s); WASM 1 thread`,
);
// per-kernel: shapes of r2plus1d-18 at [2, 8, 112, 112, 3] (layer 1 spatial and temporal convs, a stride-2 conv)
const layerCases = [
  { x: [16, 56, 56, 64], w: [3, 3, 64, 144], s: 1, p: 1, name: 'conv2 spatial 3x3 64->144' },
  {
    x: [2, 8, 3136, 144],
    w: [3, 1, 144, 64],
    s: [1, 1],
    p: [
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ],
    name: 'conv2 temporal 3x1 144->64',
  },
  { x: [16, 56, 56, 64], w: [3, 3, 64, 230], s: 2, p: 1, name: 'conv3 spatial 3x3/2 64->230' },
  // the encoders' filter gradients are forward convs with N as channels and dy as a large "filter"
  { x: [64, 56, 56, 16], w: [56, 56, 16, 144], s: 1, p: 1, name: 'dW of conv2 spatial, as a conv', forwardOnly: true },
  { x: [512, 7, 7, 2], w: [7, 7, 2, 1152], s: 1, p: 1, name: 'dW of conv5 spatial, as a conv', forwardOnly: true },
];
for (const c of layerCases) {
  const x = tf.randomNormal(c.x);
  const w = tf.randomNormal(c.w, 0, 0.05);
  const pad =
    typeof c.p === 'number'
      ? [
          [0, 0],
          [c.p, c.p],
          [c.p, c.p],
          [0, 0],
        ]
      : c.p;
  const y0 = tf.conv2d(x, w, c.s, pad);
  const dy = tf.randomNormal(y0.shape);
  const macs = y0.size * c.w[0] * c.w[1] * c.w[2];
  const row = { layer: c.name };
  const values = {};
  for (const kind of ['wasm', 'ort']) {
    use(kind);
    // (never return a typed array from tf.tidy: it walks every element looking for tensors)
    const fwd = () => tf.tidy(() => void tf.conv2d(x, w, c.s, pad).dataSync());
    const dx = () => tf.tidy(() => void tf.conv2dTranspose(dy, w, c.x, c.s, pad).dataSync());
    fwd();
    row[`${kind} fwd GFLOP/s`] = ((2 * macs) / best(fwd) / 1e6).toFixed(1);
    if (!c.forwardOnly) {
      dx();
      row[`${kind} dx GFLOP/s`] = ((2 * macs) / best(dx) / 1e6).toFixed(1);
    }
    const [y1, dx1] = [tf.conv2d(x, w, c.s, pad), c.forwardOnly ? tf.zeros([1]) : tf.conv2dTranspose(dy, w, c.x, c.s, pad)];
    values[kind] = [y1.dataSync(), dx1.dataSync()];
    tf.dispose([y1, dx1]);
  }
  row['max rel. diff fwd / dx'] = `${relErr(values.ort[0], values.wasm[0]).toExponential(1)} / ${relErr(values.ort[1], values.wasm[1]).toExponential(1)}`;
  console.log(JSON.stringify(row));
  tf.dispose([x, w, y0, dy]);
}
if (args.includes('--kernels-only')) process.exit(0);

// a whole training step (the encoders' dW is a forward Conv2D with dilation, so it runs on ORT too)
const enc = ccl.encoders.createEncoder('r2plus1d-18', { numClasses: 101, widthMultiplier: 1, seed: 0 });
enc.train();
const vars = enc.trainableVariables;
const xs = tf.randomUniform(input, 0, 1, 'float32', 3);
const labels = Array.from({ length: input[0] }, (_, i) => i % 101);
const loss = () => ccl.losses.crossEntropy(enc.apply(xs, { training: true }).logits, labels);
const step = () => {
  const { value, grads } = ccl.distill.variableGradsLean(loss, vars);
  value.dataSync();
  return { value, grads };
};
const results = {};
for (const kind of ['wasm', 'wasm', 'ort', 'ort']) {
  use(kind); // the first step of each creates XNNPACK operators / ORT sessions: the second is reported
  const t0 = performance.now();
  const { value, grads } = step();
  const ms = performance.now() - t0;
  results[kind] = { ms, loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync()])) };
  tf.dispose([value, ...Object.values(grads)]);
  console.log(
    `step (gradients) on ${kind === 'ort' ? 'WASM + ORT convs' : 'WASM (ccl kernels)'}: ${(ms / 1000).toFixed(2)} s${kind === 'ort' ? ` (${sessionsCreated} ORT sessions so far)` : ''}`,
  );
}
if (args.includes('--profile')) {
  const perCall = {};
  // kernel time by name, one step per kind (after the warm-up steps above)
  for (const kind of ['wasm', 'ort']) {
    use(kind);
    const { kernels } = await tf.profile(() => {
      const { value, grads } = step();
      tf.dispose([value, ...Object.values(grads)]);
    });
    const by = {};
    for (const k of kernels) by[k.name] = (by[k.name] ?? 0) + k.kernelTimeMs;
    const total = kernels.filter((k) => k.name !== 'unnamed scope').reduce((a, k) => a + k.kernelTimeMs, 0);
    const top = Object.entries(by)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([n, ms]) => `${n} ${Math.round(ms)}`);
    console.log(`profile ${kind}: kernels ${Math.round(total)} ms: ${top.join(', ')}`);
    perCall[kind] = kernels
      .filter((k) => k.name === 'Conv2D' || k.name === 'Conv2DBackpropInput')
      .map((k) => ({ name: k.name, shapes: JSON.stringify(k.inputShapes), ms: k.kernelTimeMs }));
  }
  // where the ORT kernels win and lose, by call class (forward, input gradient, filter gradient = dilated conv with dy as the filter)
  const classOf = (c, i) =>
    c.name === 'Conv2DBackpropInput'
      ? 'input gradient'
      : i < perCall.wasm.length && JSON.parse(c.shapes)[1][0] > 7
        ? 'filter gradient (dy as filter)'
        : 'forward';
  const sums = {};
  perCall.wasm.forEach((c, i) => {
    const o = perCall.ort[i];
    const cls = classOf(c, i);
    sums[cls] ??= { wasm: 0, ort: 0, calls: 0 };
    sums[cls].wasm += c.ms;
    sums[cls].ort += o?.ms ?? NaN;
    sums[cls].calls++;
  });
  for (const [cls, v] of Object.entries(sums)) console.log(`  ${cls}: ${v.calls} calls, WASM ${Math.round(v.wasm)} ms, ORT ${Math.round(v.ort)} ms`);
}
let worst = 0;
const byVariable = [];
for (const k of Object.keys(results.wasm.grads)) {
  const e = relErr(results.ort.grads[k], results.wasm.grads[k]);
  byVariable.push([k, e]);
  worst = Math.max(worst, e);
}
byVariable.sort((a, b) => b[1] - a[1]);
const torchName = new Map(enc.namedParameters().map(({ name, variable }) => [variable.name, name]));
console.log(
  `largest differences: ${byVariable
    .slice(0, 4)
    .map(([k, e]) => `${torchName.get(k) ?? k} ${e.toExponential(1)}`)
    .join(', ')}`,
);
console.log(
  `loss ${results.ort.loss} vs ${results.wasm.loss}; max relative gradient difference over ${vars.length} variables: ${worst.toExponential(2)}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
);
