/**
 * A small structural validator for experiment configs: unknown keys and wrong types are refused with the
 * key's full path named (and the nearest known key suggested for typos).
 */
export type Spec =
  | { type: 'number'; min?: number; max?: number; integer?: boolean }
  | { type: 'string'; oneOf?: readonly string[] }
  | { type: 'boolean' }
  | { type: 'array'; items: Spec }
  | { type: 'object'; fields: Record<string, Spec>; required?: readonly string[] }
  /** An object of any values; with `keys`, only those keys (an options record of a registered factory). */
  | { type: 'record'; keys?: readonly string[] }
  | { type: 'union'; options: readonly Spec[] }
  /** A value checked by a function at validation time (e.g. against a registry that user code can extend). */
  | { type: 'check'; check: (value: unknown, path: string) => string[] };

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function describeType(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

/** `path.key: unknown key`, with the nearest known key for a typo, else the known keys. */
function unknownKey(path: string, key: string, known: readonly string[]): string {
  const near = known.map((n) => [n, distance(key, n)] as const).sort((a, b) => a[1] - b[1])[0];
  const hint = near && near[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean '${near[0]}'?)` : ` (known keys: ${known.join(', ') || 'none'})`;
  return `${path}.${key}: unknown key${hint}`;
}

/** Returns every problem found (empty when `value` matches `spec`). */
export function validate(value: unknown, spec: Spec, path = 'config'): string[] {
  switch (spec.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return [`${path}: expected a number, got ${describeType(value)} ${JSON.stringify(value)}`];
      if (spec.integer && !Number.isInteger(value)) return [`${path}: expected an integer, got ${value}`];
      if (spec.min !== undefined && value < spec.min) return [`${path}: must be >= ${spec.min}, got ${value}`];
      if (spec.max !== undefined && value > spec.max) return [`${path}: must be <= ${spec.max}, got ${value}`];
      return [];
    }
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string, got ${describeType(value)}`];
      if (spec.oneOf && !spec.oneOf.includes(value)) return [`${path}: '${value}' is not one of ${spec.oneOf.join(', ')}`];
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected true or false, got ${describeType(value)}`];
    case 'record': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${describeType(value)}`];
      const known = spec.keys;
      return known === undefined
        ? []
        : Object.keys(value)
            .filter((k) => !known.includes(k))
            .map((k) => unknownKey(path, k, known));
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected an array, got ${describeType(value)}`];
      return value.flatMap((v, i) => validate(v, spec.items, `${path}[${i}]`));
    case 'check':
      return spec.check(value, path);
    case 'union': {
      const results = spec.options.map((o) => validate(value, o, path));
      const ok = results.find((r) => r.length === 0);
      return ok ? [] : results.reduce((a, b) => (b.length < a.length ? b : a));
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${describeType(value)}`];
      const problems: string[] = [];
      const known = Object.keys(spec.fields);
      for (const [k, v] of Object.entries(value)) {
        if (!(k in spec.fields)) {
          problems.push(unknownKey(path, k, known));
          continue;
        }
        if (v !== undefined) problems.push(...validate(v, spec.fields[k], `${path}.${k}`));
      }
      for (const r of spec.required ?? []) if ((value as Record<string, unknown>)[r] === undefined) problems.push(`${path}.${r}: required`);
      return problems;
    }
  }
}
