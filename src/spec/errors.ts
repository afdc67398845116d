/**
 * A user error in an input: which file, which field (a dotted path such as
 * `architecture.subtree[0].local[2].attributes.depth`), what was expected and
 * what was found. The CLI prints {@link SpecError.message} on one line and exits 2.
 */
export class SpecError extends Error {
  /** File the bad input came from (or a label such as `<mapping>` for built-in data). */
  readonly file: string;
  /** Dotted path of the offending field inside the file; empty for the whole file. */
  readonly field: string;
  /** What the field should have been. */
  readonly expected: string;
  /** What was there instead, if that helps. */
  readonly found?: string;

  constructor(file: string, field: string, expected: string, found?: string) {
    const where = field ? `${file}: ${field}` : file;
    super(`${where}: expected ${expected}${found !== undefined ? `, found ${found}` : ''}`);
    this.name = 'SpecError';
    this.file = file;
    this.field = field;
    this.expected = expected;
    this.found = found;
  }
}

/** Short, single-line rendering of an arbitrary value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'a mapping';
}

/**
 * An internal inconsistency: a result failed a sanity check. Not the user's
 * fault; the CLI prints a stack trace and exits 1.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}
