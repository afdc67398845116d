/**
 * File input and output at the edge: YAML/JSON reading with clear errors,
 * and outputs as transactions. Every file a command writes goes to a
 * temporary beside its target (`<target>.<pid>.tmp`); only when all are
 * written are they renamed into place, and on any failure every temporary
 * (and every folder the set created) is removed. Targets are checked before
 * a long run starts, so a bad `--out` costs nothing.
 */
import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { parseYamlText } from '../spec/yaml.js';

export { parseYamlText } from '../spec/yaml.js';

/** What an fs error code means to a user, in a few words. */
export function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EISDIR': return 'a directory';
    case 'ENOTDIR': return 'a path under a file, not a folder';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EROFS': return 'a read-only file system';
    case 'EEXIST': return 'an existing file in the way';
    case 'ENAMETOOLONG': return 'a name too long';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    case 'EXDEV': return 'a target on another file system than its folder';
    case 'EIO': return 'an I/O error';
    default: return code ? `error ${code}` : String((e as Error)?.message ?? e).split('\n')[0];
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Read a whole input file, refusing anything but a regular file first (a
 * FIFO or a device would block or never end; a directory is no input).
 * Failure is a {@link SpecError} naming the file.
 */
export function readInputBytes(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new SpecError(file, '', 'a readable file', fsProblem(e));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SpecError(file, '', 'a regular file', kindOf(st));
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < st.size) {
      const r = readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return n === st.size ? buf : buf.subarray(0, n);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new SpecError(file, '', 'a readable file', fsProblem(e));
  } finally {
    closeSync(fd);
  }
}

/** Read a text input file (UTF-8); see {@link readInputBytes}. */
export function readTextFile(file: string): string {
  return readInputBytes(file).toString('utf8');
}

/** Read and parse a YAML (or JSON) file; any failure is a {@link SpecError} naming the file. */
export function readYamlFile(file: string): { file: string; value: unknown } {
  return { file, value: parseYamlText(readTextFile(file), file) };
}

/** Read a binary file; failure is a {@link SpecError} naming it. */
export function readBinaryFile(file: string): Uint8Array {
  return new Uint8Array(readInputBytes(file));
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Under a file: missing too; the walk up to the nearest existing ancestor names the file.
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/**
 * Check, before any work, that `target` can be written as a file (`kind:
 * 'file'`) or as a folder of files (`kind: 'dir'`, with `files` inside it):
 * an existing target is of that kind (a file target must be a regular file,
 * never a directory or device); the nearest existing ancestor is a folder
 * this process can create files in (checked by creating and removing a
 * probe, since root passes every permission test yet cannot write `/proc`).
 * Nothing is left behind. Failure is a {@link SpecError} naming `flag` and
 * the target.
 */
export function checkWritable(target: string, flag: string, kind: 'file' | 'dir' = 'file', files: readonly string[] = []): void {
  const fail = (expected: string, found: string): never => { throw new SpecError(target, flag, expected, found); };
  const expected = kind === 'file' ? 'a writable file path' : 'a writable folder';
  if (target.trim() === '') fail(expected, 'an empty path');
  let st: Stats | null;
  try {
    st = statOrNull(target);
  } catch (e) {
    return fail(expected, fsProblem(e));
  }
  if (st) {
    if (kind === 'file' && !st.isFile()) fail(expected, kindOf(st));
    if (kind === 'dir' && !st.isDirectory()) fail(expected, st.isFile() ? 'an existing file' : kindOf(st));
    if (kind === 'dir') {
      for (const f of files) {
        const fst = statOrNull(join(target, f));
        if (fst && !fst.isFile()) throw new SpecError(join(target, f), flag, 'a writable file path', kindOf(fst));
      }
    }
  }
  // The temporary's name must fit too (`<name>.<pid>.tmp`; 255 bytes on common file systems).
  const names = kind === 'file' ? [basename(target)] : [basename(resolve(target)), ...files];
  if (names.some((n) => Buffer.byteLength(n) + 12 > 255)) fail(expected, 'a name too long');
  // The folder the temporaries go to, or its nearest existing ancestor.
  let dir = kind === 'dir' ? resolve(target) : dirname(resolve(target));
  for (;;) {
    let ds: Stats | null;
    try {
      ds = statOrNull(dir);
    } catch (e) {
      return fail(expected, fsProblem(e));
    }
    if (ds) {
      if (!ds.isDirectory()) fail(expected, `a path under ${dir}, which is ${ds.isFile() ? 'a file' : kindOf(ds)}`);
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const probe = join(dir, `.dnnergy-probe.${process.pid}.tmp`);
  try {
    accessSync(dir, constants.W_OK);
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    fail(expected, `${fsProblem(e)} in ${dir}`);
  }
  try { unlinkSync(probe); } catch { /* gone already */ }
}

/** How an {@link OutputSet} writes a temporary (replaceable in tests, e.g. to simulate a full disk). */
export type WriteFn = (path: string, content: string | Uint8Array) => void;

const defaultWrite: WriteFn = (p, c) => writeFileSync(p, c, { flag: 'wx' });

/**
 * The files one command writes, as a transaction: {@link OutputSet.add}
 * writes each to a temporary at once (so a full disk shows up there),
 * {@link OutputSet.commit} renames them all into place, and any failure
 * removes every temporary and every folder the set created. Errors are
 * {@link SpecError}s naming the target.
 */
export class OutputSet {
  private readonly pending: { target: string; tmp: string }[] = [];
  private readonly madeDirs: { top: string; deepest: string }[] = [];
  private done = false;

  /** `write` replaces the writer of temporaries (tests simulate a full disk with it). */
  constructor(private readonly write: WriteFn = defaultWrite) {}

  /** Write `content` to a temporary for `target`; on failure the whole set is rolled back. */
  add(target: string, content: string | Uint8Array): void {
    if (this.done) throw new Error('OutputSet: add after commit or abort');
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      const st = statOrNull(target);
      if (st && !st.isFile()) throw new SpecError(target, '', 'a writable file path', kindOf(st));
      const made = mkdirSync(dirname(target) || '.', { recursive: true });
      if (made !== undefined) this.madeDirs.push({ top: resolve(made), deepest: resolve(dirname(target) || '.') });
      try { unlinkSync(tmp); } catch { /* no stale temporary */ }
      this.pending.push({ target, tmp });
      this.write(tmp, content);
    } catch (e) {
      this.abort();
      if (e instanceof SpecError) throw e;
      throw new SpecError(target, '', 'a writable file path', fsProblem(e));
    }
  }

  /** Rename every temporary into place. A failing rename removes the temporaries left. */
  commit(): void {
    if (this.done) throw new Error('OutputSet: commit twice');
    for (let i = 0; i < this.pending.length; i++) {
      const { target, tmp } = this.pending[i];
      try {
        renameSync(tmp, target);
      } catch (e) {
        this.pending.splice(0, i);
        this.abort();
        throw new SpecError(target, '', 'a writable file path', fsProblem(e));
      }
    }
    this.pending.length = 0;
    this.done = true;
  }

  /** Remove every temporary written so far and the folders the set created (if empty). Safe to call twice. */
  abort(): void {
    for (const { tmp } of this.pending) {
      try { unlinkSync(tmp); } catch { /* never written */ }
    }
    this.pending.length = 0;
    // Folders made by one mkdir -p: remove from the deepest up while empty.
    for (const { top, deepest } of this.madeDirs.reverse()) {
      for (let d = deepest; d.startsWith(top); d = dirname(d)) {
        try { rmdirSync(d); } catch { break; /* not empty, or gone */ }
        if (d === top) break;
      }
    }
    this.madeDirs.length = 0;
    this.done = true;
  }

  /** Run `body` with a fresh set, then commit; any throw aborts the set and is passed on. */
  static async run<T>(body: (out: OutputSet) => T | Promise<T>, write?: WriteFn): Promise<T> {
    const out = new OutputSet(write);
    try {
      const r = await body(out);
      out.commit();
      return r;
    } catch (e) {
      out.abort();
      throw e;
    }
  }
}

/** Write one file atomically: a temporary in the same folder, then a rename (an {@link OutputSet} of one). */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const out = new OutputSet();
  out.add(file, content);
  out.commit();
}
