/**
 * Accelergy's attribute expressions (`datawidth * 2`, `log(memory_depth)`,
 * `n_PE_rows-1`) and argument ranges (`0..n_banks`), evaluated against the
 * attributes in scope. A value that is not an expression (`45nm`, `2mm`)
 * stays as written.
 */
export type Scope = Readonly<Record<string, unknown>>;

const FUNCS: Readonly<Record<string, (x: number) => number>> = {
  // Accelergy writes log for the base-2 log of a depth (an address width).
  log: Math.log2, log2: Math.log2, ceil: Math.ceil, floor: Math.floor, round: Math.round, sqrt: Math.sqrt,
};

/** Evaluate `v` in `scope`: numbers and non-expressions pass through. */
export function evalValue(v: unknown, scope: Scope): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (Object.prototype.hasOwnProperty.call(scope, s)) return scope[s];
  const x = evalNumber(s, scope);
  return x === undefined ? v : x;
}

/** A numeric expression's value, or undefined if `s` is not one. */
export function evalNumber(s: string, scope: Scope): number | undefined {
  const toks = s.match(/\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z_0-9]*|\*\*|[-+*/()]|\S/g);
  if (!toks) return undefined;
  let i = 0;
  const fail = (): never => { throw new Error('not an expression'); };
  const atom = (): number => {
    const t = toks[i++] ?? fail();
    if (t === '(') { const x = sum(); if (toks[i++] !== ')') fail(); return x; }
    if (t === '-') return -atom();
    if (/^\d/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) {
      const f = FUNCS[t];
      if (f && toks[i] === '(') { i++; const x = sum(); if (toks[i++] !== ')') fail(); return f(x); }
      const val = scope[t];
      const x = typeof val === 'number' ? val : typeof val === 'string' ? evalNumber(val, {}) : undefined;
      return x ?? fail();
    }
    return fail();
  };
  const power = (): number => { const b = atom(); if (toks[i] === '**') { i++; return b ** power(); } return b; };
  const prod = (): number => {
    let x = power();
    while (toks[i] === '*' || toks[i] === '/') x = toks[i++] === '*' ? x * power() : x / power();
    return x;
  };
  const sum = (): number => {
    let x = prod();
    while (toks[i] === '+' || toks[i] === '-') x = toks[i++] === '+' ? x + prod() : x - prod();
    return x;
  };
  try {
    const x = sum();
    return i === toks.length && Number.isFinite(x) ? x : undefined;
  } catch {
    return undefined;
  }
}

/** `lo..hi` (inclusive) evaluated in `scope`, or undefined if `v` is not a range. */
export function evalRange(v: unknown, scope: Scope): [number, number] | undefined {
  if (typeof v !== 'string' || !v.includes('..')) return undefined;
  const [a, b] = v.split('..');
  const lo = evalNumber(a ?? '', scope);
  const hi = evalNumber(b ?? '', scope);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** Split `name[lo..hi]` into its base and instance count (1 without a range). */
export function nameRange(name: string, scope: Scope): { base: string; count: number } {
  const m = /^(.*)\[(.+)\]$/.exec(name);
  if (!m) return { base: name, count: 1 };
  const r = evalRange(m[2], scope);
  if (r) return { base: m[1] ?? name, count: r[1] - r[0] + 1 };
  return { base: m[1] ?? name, count: 1 };
}
