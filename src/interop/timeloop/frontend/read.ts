/**
 * timeloopfe's file layer, without a file system: Jinja2 templates with
 * `include`, `include_all`, `include_text`, `cwd`, `add_to_path`,
 * `path_exists`; YAML with the v0.4 node tags (`!Container`, `!Component`,
 * `!Parallel`, `!Hierarchical`, `!Nothing`, kept as a `kind` field) and
 * `!include`; the merge keys `<<` (shallow) and `<<<` (deep). Files are
 * read through a {@link FileHost} that `io/inputs.ts` supplies on Node.
 */
import { visit } from 'yaml';
import { parseYamlDocument, yamlToPlain } from '../../../spec/yaml.js';
import { SpecError } from '../../../spec/errors.js';
import { isObj } from '../../../spec/read.js';
import { renderTemplate, TemplateError } from './jinja.js';

/** The file operations the front end needs; paths are POSIX-style. */
export interface FileHost {
  /** The file's text; a {@link SpecError} naming it when it cannot be read. */
  read(path: string): string;
  exists(path: string): boolean;
  /** Names of the entries of a folder (empty when it is none). */
  list(dir: string): string[];
}

/** The v0.4 node tags; the tag is kept as the node's `kind`. */
export const NODE_KINDS = ['Container', 'Component', 'Parallel', 'Hierarchical', 'Nothing'] as const;

const INCLUDE_MARK = '__dnnergy_include__';

/** `a/b/../c` → `a/c`. */
export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && abs) continue;
    else out.push(part);
  }
  return (abs ? '/' : '') + out.join('/') || (abs ? '/' : '.');
}

export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

function join(dir: string, p: string): string {
  return p.startsWith('/') ? normalize(p) : normalize(`${dir}/${p}`);
}

/** Whether a file is a template to render first. */
export function isTemplate(file: string, text: string): boolean {
  return /\.j(inja)?2?$/i.test(file) || /\{\{|\{%/.test(text);
}

/** Parse YAML text with the v0.4 tags and `!include`; syntax errors name file, line and column. */
export function parseTaggedYaml(text: string, file: string): unknown {
  const tags = [
    ...NODE_KINDS.map((k) => ({ tag: `!${k}`, collection: 'map' as const, resolve: (m: unknown) => m })),
    { tag: '!include', resolve: (s: string) => ({ [INCLUDE_MARK]: { path: s } }) },
  ];
  // The same checks as every other YAML (duplicate keys, dangling aliases, bombs, depth, empty files).
  const doc = parseYamlDocument(text, file, { customTags: tags, merge: false });
  visit(doc, {
    Map(_, node) {
      const k = node.tag?.slice(1);
      if (k && (NODE_KINDS as readonly string[]).includes(k) && !node.has('kind')) node.set('kind', k);
    },
    Seq(_, node) {
      // `!Parallel [a, b]` / `!Hierarchical [..]`: the list is the nodes.
      const k = node.tag?.slice(1);
      if (k === 'Parallel' || k === 'Hierarchical') node.tag = undefined;
    },
  });
  return yamlToPlain(doc, file);
}

/** The value under a dotted key (`compound_components.classes`), or undefined. */
function atKey(v: unknown, key: string): unknown {
  let cur = v;
  for (const k of key.split('.').filter(Boolean)) {
    if (!isObj(cur) || !(k in cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** timeloopfe's merge keys: `<<` takes the mapping's missing keys, `<<<` merges nested mappings too. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

/** Reads the files of one Timeloop run as timeloopfe would: templates rendered, includes resolved. */
export class FrontEnd {
  private readonly paths: string[] = [];

  constructor(private readonly host: FileHost, private readonly data: Readonly<Record<string, unknown>> = {}) {}

  /** One input file as a plain value. */
  readFile(file: string): unknown {
    return this.load(file, [], '');
  }

  /**
   * One input file split by where its top-level sections were written: a
   * template's `architecture: {{include('arch.yaml', 'architecture')}}` is
   * arch.yaml's, so that errors name the file the user edits.
   */
  readSections(file: string): { file: string; value: Record<string, unknown> }[] {
    const origins = new Map<number, string>();
    this.origins = origins;
    const value = this.load(file, [], '');
    this.origins = undefined;
    if (!isObj(value) || this.topMarks.size === 0) return [{ file, value: value as Record<string, unknown> }];
    const byFile = new Map<string, Record<string, unknown>>();
    for (const [k, v] of Object.entries(value)) {
      const idx = this.topMarks.get(k);
      const from = idx === undefined ? file : origins.get(idx) ?? file;
      const o = byFile.get(from) ?? {};
      o[k] = v;
      byFile.set(from, o);
    }
    this.topMarks.clear();
    return [...byFile].map(([f, v]) => ({ file: f, value: v }));
  }

  /** While reading a top file: include index → the included file. */
  private origins: Map<number, string> | undefined;
  /** Top-level keys of the top file whose value is an include, and its index. */
  private readonly topMarks = new Map<string, number>();

  private find(p: string, from: string, file: string, field: string): string {
    if (p.startsWith('/')) return normalize(p);
    for (const d of [from, ...this.paths]) {
      const c = join(d, p);
      if (this.host.exists(c)) return c;
    }
    // `cwd() ~ '/x.yaml'` gives a path that already starts at the template's folder.
    if (p.startsWith(from + '/') && this.host.exists(normalize(p))) return normalize(p);
    throw new SpecError(file, field, `an included file that exists (looked beside ${file}${this.paths.length ? ' and in the added paths' : ''})`, p);
  }

  private glob(pattern: string, from: string): string[] {
    const full = join(from, pattern);
    const dir = dirOf(full);
    const name = full.slice(dir.length + 1);
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return this.host.list(dir).filter((n) => re.test(n)).sort().map((n) => `${dir}/${n}`);
  }

  private load(file: string, stack: readonly string[], via: string): unknown {
    if (stack.includes(file)) throw new SpecError(stack[stack.length - 1], via, 'includes without a cycle', file);
    if (stack.length > 32) throw new SpecError(stack[0], via, 'includes nested at most 32 deep');
    let text = this.host.read(file);
    const here = dirOf(file);
    const included: unknown[] = [];
    if (isTemplate(file, text)) {
      const inc = (p: unknown, key?: unknown): string => {
        const path = this.find(String(p), here, file, 'include');
        const v = this.load(path, [...stack, file], 'include');
        const sub = key === undefined ? v : atKey(v, String(key));
        if (sub === undefined) throw new SpecError(path, String(key), `a top-level section \`${String(key)}\` (included by ${file})`);
        included.push(sub);
        if (stack.length === 0) this.origins?.set(included.length - 1, path);
        return JSON.stringify({ [INCLUDE_MARK]: { index: included.length - 1 } });
      };
      const functions: Record<string, (...a: unknown[]) => unknown> = {
        cwd: () => here,
        add_to_path: (p) => { this.paths.push(join(here, String(p))); return ''; },
        path_exists: (p) => this.host.exists(join(here, String(p))),
        include: inc,
        include_all: (pattern, key) => {
          const parts = this.glob(String(pattern), here).map((f) => {
            const v = this.load(f, [...stack, file], 'include_all');
            return key === undefined ? v : atKey(v, String(key));
          }).filter((v) => v !== undefined);
          included.push(parts.every(Array.isArray) ? parts.flat() : parts.reduce(deepMerge, {}));
          return JSON.stringify({ [INCLUDE_MARK]: { index: included.length - 1 } });
        },
        include_text: (p) => {
          const path = this.find(String(p), here, file, 'include_text');
          if (stack.includes(path)) throw new SpecError(file, 'include_text', 'includes without a cycle', path);
          return this.host.read(path);
        },
      };
      try {
        text = renderTemplate(text, this.data, functions);
      } catch (e) {
        if (e instanceof TemplateError) throw new SpecError(file, e.line ? `line ${e.line}` : '', e.message);
        throw e;
      }
    }
    const value = parseTaggedYaml(text, file);
    if (stack.length === 0 && this.origins && isObj(value)) {
      for (const [k, v] of Object.entries(value)) {
        const m = isObj(v) ? v[INCLUDE_MARK] : undefined;
        if (isObj(m) && typeof m.index === 'number') this.topMarks.set(k, m.index);
      }
    }
    return this.resolve(value, file, here, stack, included);
  }

  private resolve(v: unknown, file: string, here: string, stack: readonly string[], included: unknown[]): unknown {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x, file, here, stack, included));
    if (!isObj(v)) return v;
    const mark = v[INCLUDE_MARK];
    if (isObj(mark) && Object.keys(v).length === 1) {
      if (typeof mark.index === 'number') return included[mark.index];
      const path = this.find(String(mark.path), here, file, '!include');
      return this.load(path, [...stack, file], '!include');
    }
    let out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '<<' && k !== '<<<') out[k] = this.resolve(x, file, here, stack, included);
    for (const key of ['<<', '<<<'] as const) {
      if (!(key in v)) continue;
      const srcs = [this.resolve(v[key], file, here, stack, included)].flat();
      for (const s of srcs) {
        if (!isObj(s)) throw new SpecError(file, key, 'a mapping (or a list of mappings) to merge', typeof s);
        out = key === '<<' ? { ...s, ...out } : (deepMerge(s, out) as Record<string, unknown>);
      }
    }
    return out;
  }
}
