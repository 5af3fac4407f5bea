/** Width and height from a PNG's IHDR chunk, after checking the signature. */
export function decodePngSize(buf: Buffer): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => buf[i] === b)) throw new Error('not a PNG');
  if (buf.toString('ascii', 12, 16) !== 'IHDR') throw new Error('PNG without IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
