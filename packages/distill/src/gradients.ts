// tfjs-core registers no gradient functions by itself (its CJS bundle has none); the trainer needs them.
// tsup bundles this ES module into both builds (see package.json "tsup.noExternal").
import '@tensorflow/tfjs-core/dist/register_all_gradients';
