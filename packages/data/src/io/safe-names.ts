/**
 * The one mapping between dataset identifiers (sample ids, class names: untrusted text from annotation
 * files) and names on disk. Every writer and reader of per-sample or per-class files goes through it.
 *
 * Encoding (reversible, percent-encoding of UTF-8 bytes with lowercase hex, as the clip cache always did):
 * - `A-Z a-z 0-9 _ -` stay; `.` stays except as the first or last character;
 * - everything else (`/`, `\`, `:`, space, `%`, control characters, non-ASCII) becomes `%xx` per byte;
 * - a Windows reserved device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without an extension)
 *   gets its first character encoded.
 * So an encoded name has no separator, is never `.`/`..`, absolute, hidden or a device, and is the same
 * bytes under Unicode normalisation. UCF101 names (`v_ApplyEyeMakeup_g08_c01`) map to themselves.
 * Refused: the empty string, unpaired UTF-16 surrogates, names longer than a file name may be (255 bytes).
 */

const KEPT = /[A-Za-z0-9_.-]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Longest file name most file systems accept (ext4, APFS, NTFS: 255). */
export const MAX_FILE_NAME_BYTES = 255;

const utf8 = new TextEncoder();

function percent(ch: string): string {
  return [...utf8.encode(ch)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Encodes one identifier to a single safe path component (no extension). Throws naming `what` when refused. */
export function encodeName(name: string, what = 'name'): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error(`${what} must be a non-empty string`);
  if (LONE_SURROGATE.test(name)) throw new Error(`${what} ${JSON.stringify(name)} is not valid Unicode (unpaired surrogate)`);
  const chars = [...name];
  let out = chars.map((ch, i) => (KEPT.test(ch) && !(ch === '.' && (i === 0 || i === chars.length - 1)) ? ch : percent(ch))).join('');
  if (WINDOWS_RESERVED.test(out)) out = percent(out[0] as string) + out.slice(1);
  return out;
}

/** Inverse of {@link encodeName}; a name that is not valid percent-encoding is returned as it is (files made by hand). */
export function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function withLimit(file: string, original: string, what: string): string {
  const bytes = utf8.encode(file).length;
  if (bytes > MAX_FILE_NAME_BYTES)
    throw new Error(
      `${what} ${JSON.stringify(original.length > 60 ? `${original.slice(0, 60)}…` : original)} is too long for a file name (${bytes} bytes encoded, at most ${MAX_FILE_NAME_BYTES})`,
    );
  return file;
}

/** File name of a sample id with an extension such as `.npy` or `.clip`. */
export function idToFileName(id: string, extension: string): string {
  return withLimit(`${encodeName(id, 'sample id')}${extension}`, id, 'sample id');
}

/** The sample id of a file name written by {@link idToFileName} (the extension is removed when present). */
export function fileNameToId(fileName: string, extension: string): string {
  return decodeName(fileName.endsWith(extension) ? fileName.slice(0, fileName.length - extension.length) : fileName);
}

/** Folder name of a class. */
export function classToDirName(className: string): string {
  return withLimit(encodeName(className, 'class name'), className, 'class name');
}

/** The class name of a folder written by {@link classToDirName}. */
export function dirNameToClass(dirName: string): string {
  return decodeName(dirName);
}
