import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, listEncoders } from '../src';
import { disposeDict } from './helpers';

const small: Record<string, Record<string, unknown>> = {
  'r2plus1d-18': { widthMultiplier: 1 / 16, numClasses: 3 },
  'r2plus1d-34': { widthMultiplier: 1 / 16, numClasses: 3 },
  resnet18: { widthMultiplier: 1 / 16, numClasses: 3 },
  resnet34: { widthMultiplier: 1 / 16 },
  cnn14: { windowSize: 64, hopSize: 16, melBins: 32, sampleRate: 8000, fMax: 4000, widthMultiplier: 1 / 32, numClasses: 3 },
};

describe('encoder lifecycle', () => {
  it.each(Object.keys(small))('%s: create + stateDict + load + dispose leaves no tensor or byte behind', (name) => {
    const before = tf.memory();
    const enc = createEncoder(name, small[name]);
    const dict = enc.stateDict();
    enc.loadStateDict(dict);
    disposeDict(dict);
    enc.dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    const x = tf.zeros([1]);
    expect(() => enc.apply(x)).toThrow(/disposed/);
    x.dispose();
  });

  it('covers every registered encoder', () => {
    expect(listEncoders()).toEqual(Object.keys(small).sort());
  });
});
