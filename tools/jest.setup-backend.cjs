// Tests run on the pure-JS CPU backend: it is available everywhere and its gradients are correct.
// tfjs-core alone registers no gradient functions; the application (ccl) and the trainer (@ccl/distill)
// import them, and so do the tests.
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-core/dist/register_all_gradients');
const tf = require('@tensorflow/tfjs-core');
tf.setBackend('cpu');
