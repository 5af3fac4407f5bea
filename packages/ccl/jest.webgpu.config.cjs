// The WebGPU suite (test/webgpu/): `npm run test-webgpu` runs it under tools/system/with-mesa.sh.
module.exports = require('../../tools/jest/jest.preset.cjs')(__dirname, { suite: 'webgpu' });
