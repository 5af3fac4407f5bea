import * as tf from '@tensorflow/tfjs-core';
import { selectRows } from '../src/ops/select-rows';

describe('selectRows', () => {
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ]); // [4, 2]
  const rows = [3, 0, 2];
  const loss = (f: (t: tf.Tensor2D) => tf.Tensor2D) => (t: tf.Tensor) =>
    tf.sum(
      tf.mul(
        f(t as tf.Tensor2D),
        tf.tensor2d([
          [1, -2],
          [0.5, 3],
          [-1, 4],
        ]),
      ),
    );

  it('selects the rows in the order given', () => {
    expect(selectRows(x, rows).arraySync()).toEqual([
      [7, 8],
      [1, 2],
      [5, 6],
    ]);
  });

  it("has tf.gather's gradient, bit for bit, with zero rows for the rows not selected", () => {
    const ours = tf.grad(loss((t) => selectRows(t, rows)))(x);
    const theirs = tf.grad(loss((t) => tf.gather(t, tf.tensor1d(rows, 'int32')) as tf.Tensor2D))(x);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    expect((ours.arraySync() as number[][])[1]).toEqual([0, 0]);
  });

  it('leaves no tensor behind, forward and backward', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad(loss((t) => selectRows(t, rows)))(x);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a row twice or outside the batch', () => {
    expect(() => selectRows(x, [1, 1])).toThrow(/selected twice/);
    expect(() => selectRows(x, [4])).toThrow(/outside a batch of 4/);
  });
});
