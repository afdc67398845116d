/** File input and output at the edge: YAML/JSON reading with clear errors, atomic writes. */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { parseYamlText } from '../spec/yaml.js';

export { parseYamlText } from '../spec/yaml.js';

/** Read and parse a YAML (or JSON) file; any failure is a {@link SpecError} naming the file. */
export function readYamlFile(file: string): { file: string; value: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(file, '', 'a readable file', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(code ?? e));
  }
  return { file, value: parseYamlText(text, file) };
}

/** Read a binary file; failure is a {@link SpecError} naming it. */
export function readBinaryFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(file, '', 'a readable file', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(code ?? e));
  }
}

/** Write a file atomically: a temporary file in the same folder, then a rename. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(dirname(file) || '.', { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
