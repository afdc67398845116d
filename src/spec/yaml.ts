/** YAML (and JSON) text to plain values, with syntax errors as one-line user errors. Browser-safe. */
import { parseDocument } from 'yaml';
import { SpecError } from './errors.js';

/** Parse YAML text; syntax errors become a {@link SpecError} naming the file, line and column. */
export function parseYamlText(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : '';
    throw new SpecError(file, where, 'valid YAML', e.message.split('\n')[0]);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}
