/**
 * YAML (and JSON) text to plain values, with every failure as a one-line
 * user error: syntax, duplicate keys (refused, never "the last one wins"),
 * aliases to no anchor, alias bombs ("billion laughs"), nesting too deep for
 * the stack, and an empty file. Browser-safe.
 */
import { LineCounter, isAlias, isScalar, parseDocument, visit, type Document, type SchemaOptions } from 'yaml';
import { SpecError } from './errors.js';

/** Aliases a document may expand in all: enough for any hand-written spec, far from an alias bomb. */
export const MAX_ALIAS_COUNT = 1000;

function at(lc: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return '';
  const p = lc.linePos(offset);
  return `line ${p.line}, column ${p.col}`;
}

/** The key text at `offset` (where the yaml library reports a duplicate), for the message. */
function keyAt(text: string, offset: number): string {
  const m = /^\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:\n#]*)/.exec(text.slice(offset, offset + 200));
  const k = (m?.[1] ?? '').trim();
  return k.length > 40 ? k.slice(0, 37) + '...' : k;
}

function firstUnresolvedAlias(doc: Document, lc: LineCounter): { name: string; where: string } | null {
  let found: { name: string; where: string } | null = null;
  visit(doc, {
    Alias(_k, node) {
      if (isAlias(node) && node.resolve(doc) === undefined) {
        found = { name: node.source, where: at(lc, node.range?.[0]) };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Deepest nesting accepted; the parser's recursion (and one of its regular expressions) fails far beyond it. */
export const MAX_DEPTH = 1000;

/**
 * How deep `text` nests, roughly (flow brackets, and "- - -" or "a: b: c:"
 * chains on one line), without parsing it: enough to refuse input that
 * would exhaust the parser's stack or memory before it does.
 */
function roughDepth(text: string): number {
  let depth = 0, max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) { if (++depth > max) max = depth; } // [ {
    else if (c === 93 || c === 125) depth = Math.max(0, depth - 1); // ] }
  }
  for (const line of text.split('\n')) {
    const m = /^[\s-]*/.exec(line);
    const dashes = m ? (m[0].match(/-/g)?.length ?? 0) : 0;
    if (dashes > max) max = dashes;
  }
  return max;
}

/**
 * Parse YAML text into plain values.
 * @throws SpecError naming the file, the line and column where it helps, and
 * what was wrong: invalid syntax, a duplicate key (named), an alias with no
 * anchor, too many aliases, nesting too deep, or an empty document.
 */
export function parseYamlText(text: string, file: string): unknown {
  return yamlToPlain(parseYamlDocument(text, file), file);
}

/** Parser options the Timeloop front end adds: its tags, and merge keys left for it to apply. */
export interface YamlOptions {
  readonly customTags?: SchemaOptions['customTags'];
  /** Apply YAML's `<<` merge key while parsing (default true; the front end merges itself). */
  readonly merge?: boolean;
}

/** Merge keys may repeat in a mapping; no other key may. */
function sameKey(a: unknown, b: unknown): boolean {
  const s = (k: unknown) => (isScalar(k) ? String(k.value) : String(k));
  const ka = s(a);
  return ka === s(b) && ka !== '<<' && ka !== '<<<';
}

/**
 * Parse YAML text into a checked document (every check of
 * {@link parseYamlText} but the alias expansion, which {@link yamlToPlain} does).
 */
export function parseYamlDocument(text: string, file: string, o: YamlOptions = {}): Document {
  if (roughDepth(text) > MAX_DEPTH) throw new SpecError(file, '', `YAML nested at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: sameKey, lineCounter: lc, prettyErrors: false, ...(o.customTags ? { customTags: o.customTags } : {}), ...(o.merge === false ? { merge: false } : {}) });
  } catch (e) {
    if (e instanceof RangeError) throw new SpecError(file, '', `YAML nested at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
    throw e;
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = at(lc, e.pos?.[0]);
    if (e.code === 'DUPLICATE_KEY') throw new SpecError(file, where, 'each key once in a mapping', `a second ${((k) => (/^["']/.test(k) ? k : JSON.stringify(k)))(keyAt(text, e.pos[0]))}`);
    throw new SpecError(file, where, 'valid YAML', e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
  }
  if (doc.contents === null) {
    throw new SpecError(file, '', 'a YAML document', /\S/.test(text.replace(/#.*$/gm, '')) ? 'no content' : 'an empty file');
  }
  const bad = firstUnresolvedAlias(doc, lc);
  if (bad) throw new SpecError(file, bad.where, `an alias to an anchor defined before it (&${bad.name})`, `*${bad.name}`);
  return doc;
}

/** A checked document as plain values; an alias bomb or too deep a structure is a user error. */
export function yamlToPlain(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof ReferenceError && /alias count/i.test(e.message)) {
      throw new SpecError(file, '', `at most ${MAX_ALIAS_COUNT} alias expansions`, 'more (an alias bomb?)');
    }
    if (e instanceof RangeError) throw new SpecError(file, '', `YAML nested at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
    throw e;
  }
}
