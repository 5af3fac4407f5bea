// Tests run on the pure-JS CPU backend: it is available everywhere and its gradients are correct.
// tfjs-core alone registers no gradient functions; @ccl/base (imported by every package that trains)
// imports them, and so do the tests.
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-core/dist/register_all_gradients');
const tf = require('@tensorflow/tfjs-core');
tf.setBackend('cpu');
// Tests that pick the WASM backend in-process use its single-threaded build (a test's thread count would
// depend on the machine); the threaded build is tested in a child process of its own
// (packages/backends/test/kernels.test.ts, 'the threaded WASM backend').
if (process.env.CCL_WASM_THREADS === undefined) process.env.CCL_WASM_THREADS = '1';
