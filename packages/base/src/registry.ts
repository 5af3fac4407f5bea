/**
 * One registry concept for the whole toolkit (timm's `@register_model`, torchdistill's loss registry):
 * named entries (encoder factories, losses, methods, schedules, datasets), each registered beside its
 * definition, with one policy for every kind:
 *
 * - registering a taken name throws, unless `{ override: true }`;
 * - looking up an unknown name throws a one-line error listing the registered names;
 * - an entry may declare the option keys it accepts; `checkOptions` refuses any other key, naming the known ones.
 */

export interface RegisterOptions {
  /** Replace an existing registration of the same name instead of throwing. */
  override?: boolean;
  /** The option keys the entry accepts: `checkOptions` refuses any other, naming it (absent: options are not checked). */
  optionKeys?: readonly string[];
}

export interface RegistryOptions {
  /** Put before every error message (e.g. the file or package that owns the registry). */
  errorPrefix?: string;
  /** How the unknown-name error introduces the list of names (default `registered`). */
  listLabel?: string;
}

interface Registration<T> {
  entry: T;
  optionKeys?: readonly string[];
}

/** `'a'`/`'an'` before a word. */
function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** A registry of named entries of one kind (`'encoder'`, `'loss'`, ...). */
export class Registry<T> {
  private readonly entries = new Map<string, Registration<T>>();
  private readonly prefix: string;
  private readonly listLabel: string;

  constructor(
    /** What an entry is, in error messages: `unknown ${kind} 'x'`. */
    readonly kind: string,
    options: RegistryOptions = {},
  ) {
    this.prefix = options.errorPrefix ?? '';
    this.listLabel = options.listLabel ?? 'registered';
  }

  /** Adds `entry` under `name`; throws when the name is taken, unless `{ override: true }`. */
  register(name: string, entry: T, options: RegisterOptions = {}): void {
    if (typeof name !== 'string' || name.length === 0)
      throw new Error(`${this.prefix}${article(this.kind)} ${this.kind} name must be a non-empty string, got ${String(name)}`);
    if (this.entries.has(name) && options.override !== true) {
      throw new Error(`${this.prefix}${article(this.kind)} ${this.kind} named '${name}' is already registered; pass { override: true } to replace it`);
    }
    this.entries.set(name, { entry, optionKeys: options.optionKeys === undefined ? undefined : [...options.optionKeys] });
  }

  /** The entry registered under `name`; throws, listing the registered names, when there is none. */
  get(name: string): T {
    const registration = this.entries.get(name);
    if (registration === undefined) throw new Error(this.unknownMessage(name));
    return registration.entry;
  }

  /** `unknown <kind> 'name'; registered: a, b, c` (the error `get` throws). */
  unknownMessage(name: string): string {
    const names = this.list();
    return `${this.prefix}unknown ${this.kind} '${name}'; ${this.listLabel}: ${names.length ? names.join(', ') : 'none'}`;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The registered names, sorted. */
  list(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The option keys `name` declared, or undefined when it declared none (or is not registered). */
  optionKeys(name: string): readonly string[] | undefined {
    return this.entries.get(name)?.optionKeys;
  }

  /**
   * Throws, naming the unknown keys and the known ones, when `options` has a key that `name` did not declare.
   * Nothing is checked when `name` declared no keys or `options` is not an object. Unknown `name`: as `get`.
   */
  checkOptions(name: string, options: unknown): void {
    const known = this.optionKeys(name);
    if (!this.has(name)) throw new Error(this.unknownMessage(name));
    if (known === undefined || options === null || typeof options !== 'object') return;
    const unknown = Object.keys(options).filter((k) => !known.includes(k));
    if (unknown.length === 0) return;
    const keys = unknown.map((k) => `'${k}'`).join(', ');
    throw new Error(`${this.prefix}${this.kind} '${name}': unknown option${unknown.length > 1 ? 's' : ''} ${keys} (known: ${known.join(', ') || 'none'})`);
  }
}

/** A new, empty registry of entries of one kind. */
export function createRegistry<T>(kind: string, options: RegistryOptions = {}): Registry<T> {
  return new Registry<T>(kind, options);
}

/** Every key of T, the compiler checking that the list is complete and has no extra key: `keysOf<Opts>({ a: true, b: true })`. */
export function keysOf<T>(keys: Record<keyof T, true>): string[] {
  return Object.keys(keys);
}
