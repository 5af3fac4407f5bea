/**
 * PNG output of the reports: 8-bit RGB, no interlace, filter type 0 on every scanline (W3C PNG spec, 2nd
 * ed.). The encoder and its CRC-32 are @ccl/data's (one implementation in the project); this module keeps
 * @ccl/eval's argument order and its size checks.
 */
import { crc32 } from '@ccl/data';
import { encodePngRgb } from '@ccl/data/node';

export { crc32 };

/** Encodes an RGB image (`rgb.length === width * height * 3`, row-major) as PNG bytes. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`@ccl/eval: PNG size must be positive integers, got ${width}x${height}`);
  if (rgb.length !== width * height * 3) throw new Error(`@ccl/eval: PNG pixel buffer has ${rgb.length} bytes, expected ${width * height * 3}`);
  const png = encodePngRgb(rgb, width, height);
  return Buffer.isBuffer(png) ? png : Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}
