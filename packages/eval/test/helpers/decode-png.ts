import * as zlib from 'node:zlib';

/** A decoded image: RGBA, 8 bits per channel, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are) with node:zlib: the
 * IDAT stream is inflated natively and the scanline filters (None, Sub, Up, Average, Paeth) undone here.
 * Much faster than pngjs on a full-page screenshot.
 */
export function decodePng(buf: Buffer): RgbaImage {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0)
        throw new Error(`unsupported PNG (bit depth ${depth}, colour type ${colourType}, interlace ${interlace})`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? px.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    const c = channels;
    if (filter === 0) row.set(src);
    else if (filter === 1) for (let i = 0; i < stride; i++) row[i] = (src[i]! + (i >= c ? row[i - c]! : 0)) & 255;
    else if (filter === 2) for (let i = 0; i < stride; i++) row[i] = (src[i]! + up[i]!) & 255;
    else if (filter === 3) for (let i = 0; i < stride; i++) row[i] = (src[i]! + (((i >= c ? row[i - c]! : 0) + up[i]!) >> 1)) & 255;
    else if (filter === 4)
      for (let i = 0; i < stride; i++) {
        const a = i >= c ? row[i - c]! : 0;
        const b = up[i]!;
        const d = i >= c ? up[i - c]! : 0;
        const p = a + b - d;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - d);
        row[i] = (src[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : d)) & 255;
      }
    else throw new Error(`bad PNG filter ${filter} on row ${y}`);
  }
  if (channels === 4) return { width, height, data: px };
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = px[3 * p]!;
    rgba[4 * p + 1] = px[3 * p + 1]!;
    rgba[4 * p + 2] = px[3 * p + 2]!;
    rgba[4 * p + 3] = 255;
  }
  return { width, height, data: rgba };
}
