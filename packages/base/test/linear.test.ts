import * as tf from '@tensorflow/tfjs-core';
import { Linear } from '@ccl/base';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('Linear (torch layout: weight [out, in])', () => {
  it("{ seed } init draws what @ccl/compose's Linear drew (weight with seed, bias with seed + 1)", () => {
    // recorded from the compose Linear this class replaced: new Linear('fc', 3, 2, 7)
    const l = new Linear('fc', 3, 2, { seed: 7 });
    expect(l.weight.shape).toEqual([2, 3]);
    expect(values(l.weight)).toEqual([
      -0.15635201334953308, -0.5682501196861267, -0.3607048988342285, 0.007704938296228647, -0.3861142694950104, -0.4387883245944977,
    ]);
    expect(values(l.bias)).toEqual([-0.23542514443397522, -0.40748223662376404]);
    const y = l.apply(
      tf.tensor2d([
        [1, 2, 3],
        [-1, 0.5, 0],
      ]),
    );
    expect(values(y)).toEqual([-2.6103920936584473, -2.488370656967163, -0.3631981909275055, -0.6082442998886108]);
    tf.dispose(y);
    l.dispose();
  });

  it('computes x W^T + b, with parameters passed per call when given', () => {
    const l = new Linear('fc', 2, 3, { seed: 1 });
    const x = tf.tensor2d([[1, -2]]);
    const w = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const b = tf.tensor1d([0.5, 0, -1]);
    expect(values(l.apply(x, { weight: w, bias: b }))).toEqual([1.5, -2, -2]);
    expect(() => l.apply(tf.zeros([1, 3]) as tf.Tensor2D)).toThrow(/fc: expected input \[B, 2\], got \[1, 3\]/);
    l.dispose();
  });

  it('{ allocate } asks for the weight then the bias (torch names, shapes, bound) and reads them on use', () => {
    const requests: string[] = [];
    const made: tf.Variable[] = [];
    const l = new Linear('head', 4, 2, {
      allocate: ({ name, shape, bound }) => {
        requests.push(`${name} [${shape}] ${bound}`);
        const v = tf.variable(tf.ones([...shape]));
        made.push(v);
        return () => v;
      },
    });
    expect(requests).toEqual(['head.weight [2,4] 0.5', 'head.bias [2] 0.5']);
    expect(l.variables).toEqual(made);
    expect(values(l.apply(tf.ones([1, 4]) as tf.Tensor2D))).toEqual([5, 5]);
    l.dispose(); // allocated variables belong to the allocator
    expect(made.every((v) => !v.isDisposed)).toBe(true);
    tf.dispose(made);
  });
});
