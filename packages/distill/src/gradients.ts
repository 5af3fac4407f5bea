// tfjs-core registers no gradient functions by itself (its CJS bundle has none; they ship only as ES
// modules), and the trainer needs them. tsup bundles the ES module into both builds (package.json
// "tsup.noExternal"). Order matters: the package's own tfjs-core must load FIRST, so that its engine and
// Tensor class are the global ones the bundled gradient code then uses (tfjs keeps both in globals).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
