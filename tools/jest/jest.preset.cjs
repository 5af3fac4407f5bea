// Shared jest configuration: every package's jest.config.cjs calls this with its own directory.
// Sources are TypeScript, compiled by @swc/jest; sibling packages resolve to their sources so tests
// never need a build. Tests run on the pure-JS `cpu` backend (correct gradients; see docs/architecture.md).
const path = require('node:path');

// `suite: 'webgpu'`: the tests under test/webgpu/, which need a WebGPU adapter (run through
// tools/system/with-mesa.sh: Mesa's software Vulkan on a machine without a GPU); the default suite skips them.
module.exports = function jestConfig(packageDir, { suite = 'default' } = {}) {
  const packagesDir = path.resolve(__dirname, '..', '..', 'packages');
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    testMatch: suite === 'webgpu' ? ['<rootDir>/test/webgpu/**/*.test.ts'] : ['<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: suite === 'webgpu' ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/webgpu/'],
    transform: {
      '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    },
    // tfjs-core ships its gradient registrations only as ES modules (dist/register_all_gradients.js, which
    // @ccl/base imports); let swc compile those files for jest. They register into tfjs's global registries.
    transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
    moduleNameMapper: {
      // subpath exports ('@ccl/encoders/node': the Node-only file I/O, '@ccl/data/media') map to src/<subpath>.ts
      '^@ccl/(base|backends|experiments|data|encoders|compose|losses|distill|eval)/(node|media|gradients)$': `${packagesDir}/$1/src/$2.ts`,
      '^@ccl/(base|backends|experiments|data|encoders|compose|losses|distill|eval|queue)$': `${packagesDir}/$1/src/index.ts`,
      '^@ccl/toolkit$': `${packagesDir}/ccl/src/index.ts`,
    },
    setupFiles: [path.join(__dirname, 'jest.setup-backend.cjs')],
    testTimeout: 120000,
    passWithNoTests: true,
  };
};
