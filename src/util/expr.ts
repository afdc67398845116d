/**
 * A small, safe evaluator for the Python-ish expressions timeloopfe accepts
 * in attributes and variables (`datawidth * 3`, `max(W, 16)`, `log2(depth)`)
 * and for Jinja2 expressions (`cwd() ~ '/arch.yaml'`, `x | default(8)`).
 * Never `eval`: a tokenizer and a precedence-climbing parser over a fixed
 * set of operators and functions.
 */

/** Why an expression could not be evaluated; `unknown` names the missing name. */
export class ExprError extends Error {
  constructor(message: string, readonly unknown?: string) {
    super(message);
    this.name = 'ExprError';
  }
}

/** Names an expression may use: values, or functions of evaluated arguments. */
export interface Scope {
  lookup(name: string): unknown;
  has(name: string): boolean;
}

/** A scope over plain objects (earlier objects shadow later ones). */
export function scopeOf(...layers: readonly Record<string, unknown>[]): Scope {
  return {
    has: (n) => layers.some((l) => Object.prototype.hasOwnProperty.call(l, n)),
    lookup: (n) => layers.find((l) => Object.prototype.hasOwnProperty.call(l, n))?.[n],
  };
}

type Tok = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = ['**', '//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '<', '>', '(', ')', ',', '~', '|', '[', ']', '.'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[1]) }); i += num[1].length; continue; }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExprError('an unterminated string');
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (name) { out.push({ t: 'name', v: name[0] }); i += name[0].length; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`an unexpected character ${JSON.stringify(c)}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  min: (...a) => Math.min(...flat(a).map(toNum)),
  max: (...a) => Math.max(...flat(a).map(toNum)),
  log2: (x) => Math.log2(toNum(x)),
  log: (x, b) => (b === undefined ? Math.log(toNum(x)) : Math.log(toNum(x)) / Math.log(toNum(b))),
  ceil: (x) => Math.ceil(toNum(x)),
  floor: (x) => Math.floor(toNum(x)),
  round: (x) => Math.round(toNum(x)),
  abs: (x) => Math.abs(toNum(x)),
  sqrt: (x) => Math.sqrt(toNum(x)),
  int: (x) => Math.trunc(toNum(x)),
  float: (x) => toNum(x),
  str: (x) => String(x),
  len: (x) => (Array.isArray(x) ? x.length : typeof x === 'string' ? x.length : typeof x === 'object' && x !== null ? Object.keys(x).length : fail('len of a list, mapping or string')),
};

function fail(msg: string): never {
  throw new ExprError(msg);
}

function flat(a: unknown[]): unknown[] {
  return a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
}

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fail(`a number, found ${JSON.stringify(v)}`);
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Marks a name the scope does not hold, so that `x | default(y)` can replace it. */
const UNDEFINED = Symbol('undefined');

/** Extra operations the Jinja side brings: filters and functions with their own names. */
export interface ExprOptions {
  readonly functions?: Readonly<Record<string, (...a: unknown[]) => unknown>>;
  /** Allow Jinja's `~` (concatenation) and `| filter`. */
  readonly jinja?: boolean;
}

/**
 * Evaluate an expression. Unknown names, unknown functions and syntax
 * outside the subset throw an {@link ExprError} (one line).
 */
export function evaluate(src: string, scope: Scope, o: ExprOptions = {}): unknown {
  const toks = tokenize(src);
  let p = 0;
  const peek = (v?: string): boolean => p < toks.length && toks[p].t === 'op' && (v === undefined || toks[p].v === v);
  const isName = (v: string): boolean => p < toks.length && toks[p].t === 'name' && toks[p].v === v;
  const expect = (v: string): void => {
    if (!peek(v)) throw new ExprError(`expected "${v}"`);
    p++;
  };
  const val = (v: unknown): unknown => {
    if (v === UNDEFINED) throw new ExprError(`an undefined name "${lastUnknown}"`, lastUnknown);
    return v;
  };
  let lastUnknown = '';

  // Python's `a if cond else b` (Accelergy 0.4 components write `max(1, ceil(log2(depth))) if depth >= 1 else 1`).
  const condExpr = (): unknown => {
    const a = orExpr();
    if (!isName('if')) return a;
    p++;
    const c = orExpr();
    if (!isName('else')) throw new ExprError('expected "else" after "… if …"');
    p++;
    const b = condExpr();
    return truthy(val(c)) ? a : b;
  };
  const orExpr = (): unknown => {
    let l = andExpr();
    while (isName('or')) { p++; const r = andExpr(); l = truthy(val(l)) ? l : r; }
    return l;
  };
  const andExpr = (): unknown => {
    let l = notExpr();
    while (isName('and')) { p++; const r = notExpr(); l = truthy(val(l)) ? r : l; }
    return l;
  };
  const notExpr = (): unknown => {
    if (isName('not')) { p++; return !truthy(val(notExpr())); }
    return cmp();
  };
  const cmp = (): unknown => {
    const l = concat();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (peek(op)) {
        p++;
        const a = val(l);
        const b = val(concat());
        switch (op) {
          case '==': return a === b;
          case '!=': return a !== b;
          case '<=': return toNum(a) <= toNum(b);
          case '>=': return toNum(a) >= toNum(b);
          case '<': return toNum(a) < toNum(b);
          default: return toNum(a) > toNum(b);
        }
      }
    }
    return l;
  };
  const concat = (): unknown => {
    let l = add();
    while (o.jinja && peek('~')) { p++; l = String(val(l)) + String(val(add())); }
    return l;
  };
  const add = (): unknown => {
    let l = mul();
    while (peek('+') || peek('-')) {
      const op = toks[p++].v;
      const r = val(mul());
      const a = val(l);
      l = op === '+' ? (typeof a === 'string' && typeof r === 'string' ? a + r : toNum(a) + toNum(r)) : toNum(a) - toNum(r);
    }
    return l;
  };
  const mul = (): unknown => {
    let l = unary();
    while (peek('*') || peek('/') || peek('//') || peek('%')) {
      const op = toks[p++].v;
      const a = toNum(val(l));
      const b = toNum(val(unary()));
      if (op !== '*' && b === 0) throw new ExprError('a division by zero');
      l = op === '*' ? a * b : op === '/' ? a / b : op === '//' ? Math.floor(a / b) : a - b * Math.floor(a / b);
    }
    return l;
  };
  const unary = (): unknown => {
    if (peek('-')) { p++; return -toNum(val(unary())); }
    if (peek('+')) { p++; return toNum(val(unary())); }
    return power();
  };
  const power = (): unknown => {
    const base = filtered();
    if (peek('**')) { p++; return toNum(val(base)) ** toNum(val(unary())); }
    return base;
  };
  const filtered = (): unknown => {
    let v = postfix();
    while (o.jinja && peek('|')) {
      p++;
      const t = toks[p++];
      if (!t || t.t !== 'name') throw new ExprError('a filter name after "|"');
      const args = peek('(') ? callArgs() : [];
      if (t.v === 'default' || t.v === 'd') v = v === UNDEFINED || v === undefined ? args[0] : v;
      else if (t.v === 'int') v = Math.trunc(toNum(val(v)));
      else if (t.v === 'float') v = toNum(val(v));
      else if (t.v === 'string') v = String(val(v));
      else if (t.v === 'length') v = FUNCS.len(val(v));
      else throw new ExprError(`the filter "${t.v}" (supported: default, int, float, string, length)`);
    }
    return v;
  };
  const callArgs = (): unknown[] => {
    expect('(');
    const args: unknown[] = [];
    while (!peek(')')) {
      args.push(val(condExpr()));
      if (!peek(')')) expect(',');
    }
    p++;
    return args;
  };
  const postfix = (): unknown => {
    let v = atom();
    for (;;) {
      if (peek('.')) {
        p++;
        const t = toks[p++];
        if (!t || t.t !== 'name') throw new ExprError('a name after "."');
        const b = val(v);
        v = typeof b === 'object' && b !== null && Object.prototype.hasOwnProperty.call(b, t.v) ? (b as Record<string, unknown>)[t.v] : UNDEFINED;
        if (v === UNDEFINED) lastUnknown = t.v;
      } else if (peek('[')) {
        p++;
        const k = val(condExpr());
        expect(']');
        const b = val(v);
        v = Array.isArray(b) ? b[toNum(k)] : typeof b === 'object' && b !== null ? (b as Record<string, unknown>)[String(k)] : undefined;
        if (v === undefined) throw new ExprError(`no element ${JSON.stringify(k)}`);
      } else return v;
    }
  };
  const atom = (): unknown => {
    const t = toks[p];
    if (!t) throw new ExprError('an unexpected end of the expression');
    p++;
    if (t.t === 'num' || t.t === 'str') return t.v;
    if (t.t === 'op' && t.v === '(') { const v = condExpr(); expect(')'); return v; }
    if (t.t === 'op' && t.v === '[') {
      const items: unknown[] = [];
      while (!peek(']')) { items.push(val(condExpr())); if (!peek(']')) expect(','); }
      p++;
      return items;
    }
    if (t.t !== 'name') throw new ExprError(`an unexpected "${t.v}"`);
    if (t.v === 'True' || t.v === 'true') return true;
    if (t.v === 'False' || t.v === 'false') return false;
    if (t.v === 'None' || t.v === 'none') return null;
    if (t.v === 'math' && peek('.')) { p++; return atom(); }
    if (peek('(')) {
      const f = o.functions?.[t.v] ?? FUNCS[t.v];
      if (!f) throw new ExprError(`the function "${t.v}" (supported: ${[...Object.keys(o.functions ?? {}), ...Object.keys(FUNCS)].join(', ')})`);
      return f(...callArgs());
    }
    if (scope.has(t.v)) return scope.lookup(t.v);
    lastUnknown = t.v;
    return UNDEFINED;
  };

  const v = condExpr();
  if (p < toks.length) throw new ExprError(`an unexpected "${String(toks[p].v)}"`);
  if (v === UNDEFINED) throw new ExprError(`an undefined name "${lastUnknown}"`, lastUnknown);
  return v;
}
