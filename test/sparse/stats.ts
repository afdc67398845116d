/** Reads the per level and tensor sparse counts of a Timeloop `.stats.txt` (what refs.json does not keep). */
import { readFileSync } from 'node:fs';

export interface StatsTensor { [field: string]: number | number[][] }
export interface StatsLevel { name: string; computes?: Record<string, number>; cycles?: number; tensors: Record<string, StatsTensor> }

const FIELD = /^\s+(Algorithmic|Actual|Gated|Skipped) scalar (format )?(reads|fills|updates) \(per-instance\)\s*(?::\s*(\d+))?\s*$/;
const RANK = /^\s+Rank (\d+) \(metadata, payload\): \((\d+),\s*(\d+)\)/;

/** Levels of a stats file, compute first. */
export function readStats(file: string): StatsLevel[] {
  const out: StatsLevel[] = [];
  let lv: StatsLevel | null = null;
  let tensor: StatsTensor | null = null;
  let pending: number[][] | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^Networks/.test(line)) break;
    const m0 = /^=== (.+) ===$/.exec(line);
    if (m0) { lv = { name: m0[1], tensors: {} }; out.push(lv); tensor = null; continue; }
    if (!lv) continue;
    const c = /^\s+(Algorithmic|Actual|Gated|Skipped) Computes \(total\)\s*:\s*(\d+)/.exec(line);
    if (c) { (lv.computes ??= {})[c[1].toLowerCase()] = Number(c[2]); continue; }
    const cy = /^\s+Cycles\s*:\s*(\d+)/.exec(line);
    if (cy && lv.cycles === undefined) lv.cycles = Number(cy[1]);
    const t = /^    (\w+):\s*$/.exec(line);
    if (t) { tensor = {}; lv.tensors[t[1]] = tensor; pending = null; continue; }
    if (!tensor) continue;
    const f = FIELD.exec(line);
    if (f) {
      const k = `${f[1].toLowerCase()}_${f[2] ? 'format_' : ''}${f[3]}`;
      if (f[4] !== undefined) { tensor[k] = f[2] ? [] : Number(f[4]); pending = null; } else { pending = []; tensor[k] = pending; }
      continue;
    }
    const r = RANK.exec(line);
    if (r && pending) { pending.push([Number(r[2]), Number(r[3])]); continue; }
    if (/Max utilized Repr format storage capacity/.test(line)) { pending = []; tensor.format_capacity = pending; const z = /:\s*(\d+)\s*$/.exec(line); if (z) pending = null; continue; }
    const cap = /^\s+Max utilized data storage capacity\s*:\s*(\d+)/.exec(line);
    if (cap) tensor.capacity = Number(cap[1]);
    if (!r) pending = null;
  }
  return out;
}
