import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeWavMono16 } from '../src';
import { closeMediaInfo, decodeAudio } from '../src/media';

afterAll(() => closeMediaInfo());

describe('decodeAudio on an audio-only file', () => {
  it('decodes a WAV (no video stream) to the same samples', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-wav-'));
    const rate = 16000;
    const samples = Float32Array.from({ length: rate / 2 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
    const file = path.join(dir, 'tone.wav');
    fs.writeFileSync(file, encodeWavMono16(samples, rate));
    const out = await decodeAudio(file, { sampleRate: rate });
    expect(out.length).toBe(samples.length);
    let maxErr = 0;
    for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - samples[i]));
    expect(maxErr).toBeLessThan(1e-4); // 16-bit quantisation
  });
});
