import { createRegistry, keysOf, Registry } from '../src';

describe('Registry', () => {
  it('registers, gets, lists sorted and tells whether a name is registered', () => {
    const r = createRegistry<number>('widget');
    expect(r).toBeInstanceOf(Registry);
    r.register('b', 2);
    r.register('a', 1);
    expect(r.get('a')).toBe(1);
    expect(r.has('b')).toBe(true);
    expect(r.has('c')).toBe(false);
    expect(r.list()).toEqual(['a', 'b']);
    r.list().push('x'); // a copy: the registry's names are not changed through it
    expect(r.list()).toEqual(['a', 'b']);
  });

  it('throws on a taken name unless override, and then replaces the entry', () => {
    const r = createRegistry<number>('encoder');
    r.register('x', 1);
    expect(() => r.register('x', 2)).toThrow("an encoder named 'x' is already registered; pass { override: true } to replace it");
    expect(r.get('x')).toBe(1);
    r.register('x', 3, { override: true });
    expect(r.get('x')).toBe(3);
    expect(r.list()).toEqual(['x']);
  });

  it('refuses an empty name', () => {
    expect(() => createRegistry<number>('loss').register('', 1)).toThrow(/a loss name must be a non-empty string/);
  });

  it('get of an unknown name throws one line listing the registered names, with the prefix and label', () => {
    const r = createRegistry<number>('loss', { errorPrefix: 'pkg: ', listLabel: 'registered losses' });
    expect(() => r.get('a')).toThrow("pkg: unknown loss 'a'; registered losses: none");
    r.register('nce', 1);
    r.register('ce', 2);
    let message = '';
    try {
      r.get('jsdd');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe("pkg: unknown loss 'jsdd'; registered losses: ce, nce");
    expect(message).not.toContain('\n');
  });

  it('checkOptions refuses keys the entry did not declare, naming them and the known ones', () => {
    const r = createRegistry<number>('schedule');
    r.register('declared', 1, { optionKeys: ['a', 'b'] });
    r.register('none', 2, { optionKeys: [] });
    r.register('open', 3);
    expect(() => r.checkOptions('declared', { a: 1, b: 2 })).not.toThrow();
    expect(() => r.checkOptions('declared', { a: 1, c: 2 })).toThrow("schedule 'declared': unknown option 'c' (known: a, b)");
    expect(() => r.checkOptions('declared', { c: 1, d: 2 })).toThrow("schedule 'declared': unknown options 'c', 'd' (known: a, b)");
    expect(() => r.checkOptions('none', { a: 1 })).toThrow("schedule 'none': unknown option 'a' (known: none)");
    expect(() => r.checkOptions('open', { anything: 1 })).not.toThrow();
    expect(() => r.checkOptions('declared', undefined)).not.toThrow();
    expect(() => r.checkOptions('missing', {})).toThrow(/unknown schedule 'missing'; registered: declared, none, open/);
    expect(r.optionKeys('declared')).toEqual(['a', 'b']);
    expect(r.optionKeys('open')).toBeUndefined();
    expect(r.optionKeys('missing')).toBeUndefined();
  });

  it('override replaces the declared option keys too', () => {
    const r = createRegistry<number>('method');
    r.register('m', 1, { optionKeys: ['a'] });
    r.register('m', 2, { override: true });
    expect(r.optionKeys('m')).toBeUndefined();
  });

  it('keysOf lists the keys of an options type', () => {
    expect(keysOf<{ a?: number; b: string }>({ a: true, b: true })).toEqual(['a', 'b']);
  });
});
