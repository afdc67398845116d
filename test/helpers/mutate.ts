/** Random mutations of a parsed document (deleted fields, wrong types, bad numbers, renamed keys), for fuzz tests. */

type Node = Record<string, unknown> | unknown[];

export function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([...prefix, i]); paths(x, [...prefix, i], out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([...prefix, k]); paths(x, [...prefix, k], out); }
  return out;
}

export const VALUES = [0, -1, -7, 0.5, 1e12, 1e300, Number.MAX_SAFE_INTEGER * 4, 'x', '', 'C9', null, true, [], {}, [1, 2], { a: 1 }, '1e-9', 'C0 M0', 'Q4 Q4'];

export function mutate(doc: unknown, r: () => number): unknown {
  const copy = structuredClone(doc);
  const n = 1 + Math.floor(r() * 3);
  for (let m = 0; m < n; m++) {
    const all = paths(copy);
    if (all.length === 0) break;
    const p = all[Math.floor(r() * all.length)];
    let parent = copy as Node;
    for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k] as Node;
    const key = p[p.length - 1];
    const kind = r();
    const rec = parent as Record<string | number, unknown>;
    if (kind < 0.3) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete rec[key];
    } else if (kind < 0.85) {
      const cur = rec[key];
      rec[key] = typeof cur === 'number' && r() < 0.5 ? cur * Math.floor(r() * 1000 - 500) : VALUES[Math.floor(r() * VALUES.length)];
    } else if (!Array.isArray(parent)) {
      rec[`${String(key)}_typo`] = rec[key];
      delete rec[key];
    }
  }
  return copy;
}

