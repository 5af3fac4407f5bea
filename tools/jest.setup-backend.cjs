// Tests run on the pure-JS CPU backend: it is available everywhere and its gradients are correct.
require('@tensorflow/tfjs-backend-cpu');
const tf = require('@tensorflow/tfjs-core');
tf.setBackend('cpu');
