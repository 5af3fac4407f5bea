import { PNG } from 'pngjs';
import { decodePng } from './helpers/decode-png';

describe('the test PNG decoder', () => {
  it('equals pngjs on an RGBA image that uses every scanline filter', () => {
    const width = 37;
    const height = 23;
    const png = new PNG({ width, height });
    for (let p = 0; p < width * height; p++) png.data.set([(p * 7) % 256, (p * 13) % 251, (p * p) % 256, 255 - (p % 3)], 4 * p);
    for (const filterType of [0, 1, 2, 3, 4]) {
      const buf = PNG.sync.write(png, { filterType });
      const img = decodePng(buf);
      expect([img.width, img.height]).toEqual([width, height]);
      expect(Buffer.from(img.data).equals(PNG.sync.read(buf).data)).toBe(true);
    }
  });
});
