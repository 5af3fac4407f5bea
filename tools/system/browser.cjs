// Headless Chromium for the browser tests: Debian's chromium (tools/system/setup.sh installs it; CCL_CHROMIUM
// overrides the path), driven by playwright-core. Nothing is downloaded: playwright's own browsers are not used.
// The flags keep Chromium off the network (this machine's closed network refuses its background connections).
'use strict';
const fs = require('node:fs');

function chromiumPath() {
  const candidates = [process.env.CCL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`no Chromium found (tried ${candidates.join(', ')}): run tools/system/setup.sh chromium as root, or set CCL_CHROMIUM`);
}

/** Launches headless Chromium; returns playwright's Browser. `extraArgs` e.g. ['--enable-unsafe-webgpu']. */
async function launchBrowser(extraArgs = []) {
  const { chromium } = require('playwright-core');
  // playwright-core gives the browser a fresh temporary profile and adds the headless flags itself.
  const args = [
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    ...extraArgs,
  ];
  return chromium.launch({ executablePath: chromiumPath(), args, headless: true });
}

/**
 * Flags for a machine without a GPU: WebGL through ANGLE on SwiftShader, and WebGPU on SwiftShader's adapter
 * (a software one: the web app's page skips it unless ?backend=webgpu forces it).
 */
const SOFTWARE_GPU_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

module.exports = { chromiumPath, launchBrowser, SOFTWARE_GPU_ARGS };
