import { classToDirName, crc32, encodeNpy, encodeWavMono16, idToFileName, parseNpy, validateManifest, makeManifest } from '../src';

/**
 * The main entry is browser-safe: the boundary lint proves no Node built-in is imported from it
 * (tools/ci/dependency-cruiser.cjs, rule browser-entry-reaches-node); this proves its byte functions do not
 * lean on Node's `Buffer` global either (a browser has none), by running them with `Buffer` hidden.
 */
function withoutBuffer<T>(fn: () => T): T {
  const saved = globalThis.Buffer;
  // @ts-expect-error the point is a global scope without Buffer, as in a browser
  delete globalThis.Buffer;
  try {
    return fn();
  } finally {
    globalThis.Buffer = saved;
  }
}

describe("@ccl/data's main entry without Node's Buffer (as in a browser)", () => {
  it('safe names percent-encode UTF-8 and measure the encoded length', () => {
    const expected = `${[...Buffer.from('Café Ø', 'utf8')].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('')}.npy`;
    const got = withoutBuffer(() => idToFileName('Café Ø', '.npy'));
    expect(got).toBe(expected);
    expect(withoutBuffer(() => classToDirName('a/b'))).toBe('a%2fb');
    expect(() => withoutBuffer(() => idToFileName('é'.repeat(60), '.npy'))).toThrow(/too long for a file name \(364 bytes encoded, at most 255\)/);
  });

  it('.npy bytes round-trip (v1, and a v3 utf-8 header)', () => {
    const array = { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const bytes = withoutBuffer(() => encodeNpy(array));
    expect(bytes.length).toBe(128 + 24); // header padded to 64 bytes
    expect(Buffer.from(bytes).toString('latin1', 10, 127).trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    const back = withoutBuffer(() => parseNpy(bytes, 'a.npy'));
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // version 3.0: the header is utf-8 (here with a non-ASCII character in trailing whitespace position)
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } é";
    const h = Buffer.from(header + ' '.repeat((64 - ((12 + Buffer.byteLength(header) + 1) % 64)) % 64) + '\n', 'utf8');
    const v3 = new Uint8Array(12 + h.length + 8);
    v3.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 3, 0]);
    new DataView(v3.buffer).setUint32(8, h.length, true);
    v3.set(h, 12);
    new DataView(v3.buffer).setFloat64(12 + h.length, 2.5, true);
    expect(Array.from(withoutBuffer(() => parseNpy(v3, 'v3.npy')).data)).toEqual([2.5]);
  });

  it('a 16-bit WAV file, CRC-32 and manifests need no Buffer', () => {
    const samples = Float32Array.from([0, 0.5, -0.5, 1, -1, 2]);
    const wav = Buffer.from(withoutBuffer(() => encodeWavMono16(samples, 16000)));
    expect(wav.length).toBe(44 + 2 * samples.length);
    expect([wav.toString('latin1', 0, 4), wav.readUInt32LE(4), wav.toString('latin1', 8, 16), wav.readUInt32LE(16)]).toEqual(['RIFF', 48, 'WAVEfmt ', 16]);
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt32LE(28), wav.readUInt16LE(32), wav.readUInt16LE(34)]).toEqual([
      1, 1, 16000, 32000, 2, 16,
    ]);
    expect([wav.toString('latin1', 36, 40), wav.readUInt32LE(40)]).toEqual(['data', 12]);
    expect(Array.from({ length: 6 }, (_, i) => wav.readInt16LE(44 + 2 * i))).toEqual([0, 16384, -16383, 32767, -32767, 32767]);
    expect(withoutBuffer(() => crc32(new TextEncoder().encode('123456789')))).toBe(0xcbf43926);
    const manifest = makeManifest({ dataset: 'x', samples: [{ id: 'v1', label: 'A', split: 'train' }] });
    expect(withoutBuffer(() => validateManifest(JSON.parse(JSON.stringify(manifest)), 'm.json')).classes).toEqual(['A']);
  });
});
