/**
 * The subset of Jinja2 that timeloopfe's templates use (`top.yaml.jinja2`,
 * layer files with `{{include_text(...)}}`): `{{ expr }}`, `{% set %}`,
 * `{% if %}/{% elif %}/{% else %}/{% endif %}`, `{% for x in list %}`,
 * `{# comments #}` and whitespace control (`{%-`, `-%}`). Anything else is
 * one line naming the statement.
 */
import { ExprError, evaluate, scopeOf } from '../../../util/expr.js';

/** A template error: the message, and the line of the template it is on. */
export class TemplateError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Node =
  | { k: 'text'; v: string }
  | { k: 'out'; e: string; line: number }
  | { k: 'set'; name: string; e: string; line: number }
  | { k: 'if'; branches: { e: string | null; body: Node[] }[]; line: number }
  | { k: 'for'; name: string; e: string; body: Node[]; line: number };

interface Tag { kind: 'out' | 'stmt'; body: string; line: number }

function lex(src: string): (string | Tag)[] {
  const out: (string | Tag)[] = [];
  const re = /\{\{-?([\s\S]*?)-?\}\}|\{%(-?)([\s\S]*?)(-?)%\}|\{#[\s\S]*?#\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let trimNext = false;
  while ((m = re.exec(src)) !== null) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[2] === '-') text = text.replace(/\s+$/, '');
    if (text) out.push(text);
    const line = src.slice(0, m.index).split('\n').length;
    if (m[0].startsWith('{{')) out.push({ kind: 'out', body: m[1].trim(), line });
    else if (m[0].startsWith('{%')) out.push({ kind: 'stmt', body: m[3].trim(), line });
    trimNext = m[4] === '-';
    last = m.index + m[0].length;
  }
  let rest = src.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  if (rest) out.push(rest);
  return out;
}

function parse(items: (string | Tag)[]): Node[] {
  let i = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string; line: number } => {
    const nodes: Node[] = [];
    while (i < items.length) {
      const it = items[i++];
      if (typeof it === 'string') { nodes.push({ k: 'text', v: it }); continue; }
      if (it.kind === 'out') { nodes.push({ k: 'out', e: it.body, line: it.line }); continue; }
      const word = /^\w+/.exec(it.body)?.[0] ?? '';
      if (ends.includes(word)) { i--; return { nodes, end: word, line: it.line }; }
      if (word === 'set') {
        const m = /^set\s+([A-Za-z_]\w*)\s*=\s*([\s\S]+)$/.exec(it.body);
        if (!m) throw new TemplateError(`a "{% set name = value %}", found "{% ${it.body} %}"`, it.line);
        nodes.push({ k: 'set', name: m[1], e: m[2], line: it.line });
      } else if (word === 'if') {
        const branches: { e: string | null; body: Node[] }[] = [];
        let cond: string | null = it.body.slice(2).trim();
        for (;;) {
          const b = block(['elif', 'else', 'endif']);
          branches.push({ e: cond, body: b.nodes });
          if (i >= items.length) throw new TemplateError('an "{% endif %}" for this "{% if %}"', it.line);
          const end = items[i++] as Tag;
          if (b.end === 'endif') break;
          cond = b.end === 'elif' ? end.body.slice(4).trim() : null;
        }
        nodes.push({ k: 'if', branches, line: it.line });
      } else if (word === 'for') {
        const m = /^for\s+([A-Za-z_]\w*)\s+in\s+([\s\S]+)$/.exec(it.body);
        if (!m) throw new TemplateError(`a "{% for name in list %}", found "{% ${it.body} %}"`, it.line);
        const b = block(['endfor']);
        if (i >= items.length) throw new TemplateError('an "{% endfor %}" for this "{% for %}"', it.line);
        i++;
        nodes.push({ k: 'for', name: m[1], e: m[2], body: b.nodes, line: it.line });
      } else {
        throw new TemplateError(`a Jinja2 statement of the supported subset (set, if/elif/else/endif, for/endfor), found "{% ${word} %}"`, it.line);
      }
    }
    if (ends.length > 0) throw new TemplateError(`an "{% ${ends[ends.length - 1]} %}"`, 0);
    return { nodes, end: '', line: 0 };
  };
  return block([]).nodes;
}

/**
 * Render a template. `vars` are the template's data (timeloopfe's
 * `jinja_parse_data`); `functions` are the helpers it calls (`include`,
 * `cwd`, ...). An undefined name in `{{ }}` is an error rather than an
 * empty string: an empty attribute would only fail later, further away.
 */
export function renderTemplate(src: string, vars: Readonly<Record<string, unknown>>, functions: Readonly<Record<string, (...a: unknown[]) => unknown>>): string {
  const nodes = parse(lex(src));
  const locals: Record<string, unknown> = {};
  const scope = scopeOf(locals, vars as Record<string, unknown>);
  const ev = (e: string, line: number, undefinedIsFalse = false): unknown => {
    try {
      return evaluate(e, scope, { jinja: true, functions });
    } catch (err) {
      if (err instanceof ExprError && undefinedIsFalse && err.unknown !== undefined) return false;
      if (err instanceof ExprError && err.unknown !== undefined) throw new TemplateError(`a value for the template variable "${err.unknown}" in "${e}" (template data: --jinja ${err.unknown}=...)`, line);
      if (err instanceof ExprError) throw new TemplateError(`a Jinja2 expression it can evaluate in "${e}": ${err.message}`, line);
      throw err;
    }
  };
  const show = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : v === null || v === undefined ? 'None' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  let out = '';
  const run = (list: Node[]): void => {
    for (const n of list) {
      if (n.k === 'text') out += n.v;
      else if (n.k === 'out') out += show(ev(n.e, n.line));
      else if (n.k === 'set') locals[n.name] = ev(n.e, n.line);
      else if (n.k === 'if') {
        const b = n.branches.find((x) => x.e === null || Boolean(ev(x.e, n.line, true)));
        if (b) run(b.body);
      } else {
        const items = ev(n.e, n.line);
        if (!Array.isArray(items)) throw new TemplateError(`a list to loop over in "${n.e}"`, n.line);
        for (const x of items) { locals[n.name] = x; run(n.body); }
      }
    }
  };
  run(nodes);
  return out;
}
