// tfjs-core registers no gradient functions by itself: its CJS bundle (what Node's `require` and `import`
// load) has none, they ship only as ES modules (dist/register_all_gradients.js). Importing
// '@ccl/base/gradients' registers them, once, for every package that trains (encoders, compose, losses,
// distill import it); packages that do not train (data) import only '@ccl/base', which has no side effects.
// tsup bundles that ES module into base's dist only (package.json "tsup.noExternal"); the other packages
// keep @ccl/base external. Order matters: the real tfjs-core must load FIRST, so that its engine and Tensor
// class are the global ones the bundled gradient code then uses (tfjs keeps both on a global namespace).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { getGradient } from '@tensorflow/tfjs-core';

/** Whether tfjs-core's gradient functions are registered (always true once @ccl/base/gradients is loaded). */
export function gradientsRegistered(): boolean {
  return getGradient('Mean') !== undefined;
}
