import { createEncoder, encoderOptionKeys, listEncoders, registerEncoder, type Encoder } from '../src';

describe('encoder registry: option keys', () => {
  it.each(['r2plus1d-18', 'r2plus1d-34', 'resnet18', 'resnet34', 'cnn14'])('%s refuses an unknown option key, naming it and the known keys', (name) => {
    expect(() => createEncoder(name, { widthMultipler: 0.5 })).toThrow(
      new RegExp(`encoder '${name}': unknown option 'widthMultipler' \\(known: .*widthMultiplier`),
    );
    expect(encoderOptionKeys(name)).toContain('numClasses');
  });

  it('depth comes from the name, not from the options', () => {
    expect(() => createEncoder('resnet18', { depth: 34 })).toThrow(/unknown option 'depth'/);
  });

  it('a registered encoder that declares its keys is checked; one that does not is not', () => {
    const made: Array<Record<string, unknown>> = [];
    const factory = (o: Record<string, unknown> = {}) => (made.push(o), {} as Encoder);
    registerEncoder('test-declared', factory, { optionKeys: ['scale'] });
    registerEncoder('test-open', factory);
    expect(() => createEncoder('test-declared', { scale: 1, shift: 2 })).toThrow(/encoder 'test-declared': unknown option 'shift' \(known: scale\)/);
    createEncoder('test-declared', { scale: 1 });
    createEncoder('test-open', { anything: true });
    expect(made).toEqual([{ scale: 1 }, { anything: true }]);
    expect(listEncoders()).toEqual(expect.arrayContaining(['test-declared', 'test-open']));
  });
});
