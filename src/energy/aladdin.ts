/**
 * Accelergy's Aladdin plug-in: energy and area of primitive components from
 * the 40nm tables of `aladdin-data.ts`, scaled by bit width, under either
 * of the two rule sets that produced the reference ERTs:
 * - `v0.3`: accelergy-aladdin-plug-in `aladdin_table.py` at commit 7fe4102
 *   (2022-12; the v0.3 reference cases). The row is the `latency`
 *   attribute; arithmetic reads `datawidth`; the idle action is `idle`.
 * - `v0.4`: the same file at commit ab4123a (2024-05, the plug-in of the
 *   Timeloop v4 references of May 2024). The energy row is
 *   ceil(global_cycle_seconds × action_latency_cycles) read as a number
 *   (so any sub-second clock reads the 1 ns row, a quirk the June 2024
 *   "unit fix" changed), every width is `width` (falling back to
 *   `datawidth`), the idle action is `leak`, priced as the idle energy ×
 *   cycle / row latency × 1e9. Area still reads `latency` (default 5 ns).
 */
import { ALADDIN_TABLES } from './aladdin-data.js';

/** Attribute values of one component (numbers, or strings like `5ns`). */
export type Attrs = Readonly<Record<string, unknown>>;

/** Which plug-in's rules price a component (see the module comment). */
export type AladdinEra = 'v0.3' | 'v0.4';

/** Action arguments (`data_delta`, `address_delta`, …), or null. */
export type Args = Readonly<Record<string, number>> | null;

/** Classes the plug-in prices. */
export const ALADDIN_CLASSES: readonly string[] = [
  'regfile', 'SRAM', 'counter', 'comparator', 'crossbar', 'wire', 'FIFO', 'bitwise',
  'intadder', 'intmultiplier', 'intmac', 'fpadder', 'fpmultiplier', 'fpmac', 'reg',
];

function n(attrs: Attrs, k: string): number {
  const v = attrs[k];
  const x = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(x)) throw new UnsupportedError(`attribute ${k} is ${v === undefined ? 'missing' : `not a number (${String(v)})`}`);
  return x;
}

/** A figure the plug-in does not have (the reason is the message). */
export class UnsupportedError extends Error {}

/** The plug-in's latency row: ceil(ns), capped the way the plug-in caps it. */
function latencyNs(attrs: Attrs): number {
  const v = attrs.latency ?? 5;
  let l: number;
  if (typeof v === 'string' && v.includes('ns')) l = Math.ceil(parseFloat(v));
  else if (typeof v === 'string' && v.includes('ps')) l = Math.ceil(parseFloat(v) / 1000);
  else l = Math.ceil(Number(v));
  // The plug-in's own capping: above 10 → 10, above 6 → 6 (so 7..10 read the 6 ns row).
  if (l > 10) l = 10;
  else if (l > 6) l = 6;
  return l;
}

function row(table: string, attrs: Attrs): readonly [number, number, number, number] {
  const l = latencyNs(attrs);
  const r = ALADDIN_TABLES[table]?.find((x) => x[0] === l);
  if (!r) throw new UnsupportedError(`no ${l} ns row in the Aladdin ${table} table`);
  return r;
}

function cycleSeconds(attrs: Attrs): number {
  const g = attrs.global_cycle_seconds ?? attrs.cycle_seconds ?? 1e-9;
  const x = typeof g === 'number' ? g : Number(g);
  if (!(x > 0) || !Number.isFinite(x)) throw new UnsupportedError(`attribute global_cycle_seconds is not a positive number (${String(g)})`);
  return x;
}

/**
 * The v0.4 plug-in's energy row: the latency in seconds, ceiled as a plain
 * number (1 for any sub-second clock), capped as in v0.3; a latency with no
 * row reads the first row.
 */
function rowV04(table: string, attrs: Attrs): readonly [number, number, number, number] {
  const alc = Number(attrs.action_latency_cycles ?? 1);
  let l = Math.ceil(cycleSeconds(attrs) * (Number.isFinite(alc) ? alc : 1));
  if (l > 10) l = 10;
  else if (l > 6) l = 6;
  const rows = ALADDIN_TABLES[table];
  if (!rows || rows.length === 0) throw new UnsupportedError(`no Aladdin ${table} table`);
  return rows.find((x) => x[0] === l) ?? rows[0];
}

/** Whether an action is the idle/leakage one under the era's action names. */
const isIdle = (action: string): boolean => action === 'idle' || action === 'leak';

/** Dynamic or idle energy of a table row, as the plug-in picks it. */
function tableEnergy(table: string, attrs: Attrs, action: string, era: AladdinEra): number {
  if (era === 'v0.3') {
    const r = row(table, attrs);
    return action === 'idle' ? r[2] : r[1];
  }
  const r = rowV04(table, attrs);
  // Leakage per cycle: the row's idle energy over its latency, times the cycle.
  return isIdle(action) ? (r[2] * cycleSeconds(attrs)) / r[0] * 1e9 : r[1];
}

/** The bit width of an arithmetic unit: `datawidth` in v0.3, `width` in v0.4. */
function bits(attrs: Attrs, era: AladdinEra): number {
  return era === 'v0.4' && attrs.width !== undefined ? n(attrs, 'width') : n(attrs, 'datawidth');
}

const linear = (nbit: number, ref: number, y: number): number => (y * nbit) / ref;
const quadratic = (nbit: number, ref: number, y: number): number => y * (nbit / ref) ** 2;

function comparator(width: number, attrs: Attrs, action: string, era: AladdinEra): number {
  return (tableEnergy('comparator', attrs, action, era) * width) / 32;
}

function intadder(attrs: Attrs, action: string, era: AladdinEra): number {
  const nbit = bits(attrs, era);
  const e = tableEnergy('adder', attrs, action, era);
  return nbit === 32 ? e : linear(nbit, 32, e);
}

function intmultiplier(attrs: Attrs, action: string, era: AladdinEra): number {
  const nbit = bits(attrs, era);
  // A gated multiplier costs its idle energy; a reused one 85% of a random one.
  const e = tableEnergy('multiplier', attrs, action === 'mult_gated' ? 'idle' : action, era);
  const s = nbit === 32 ? e : quadratic(nbit, 32, e);
  return action === 'mult_reused' ? 0.85 * s : s;
}

function fpTable(attrs: Attrs, op: 'adder' | 'multiplier'): [string, number, number] {
  const nbit = n(attrs, 'exponent') + n(attrs, 'mantissa');
  return nbit <= 32 ? [`fp_sp_${op}`, 32, nbit] : [`fp_dp_${op}`, 64, nbit];
}

function fpadder(attrs: Attrs, action: string, era: AladdinEra): number {
  const [t, ref, nbit] = fpTable(attrs, 'adder');
  const e = tableEnergy(t, attrs, action, era);
  return nbit === ref ? e : linear(nbit, ref, e);
}

function fpmultiplier(attrs: Attrs, action: string, era: AladdinEra): number {
  const [t, ref, nbit] = fpTable(attrs, 'multiplier');
  const e = tableEnergy(t, attrs, action === 'mult_gated' ? 'idle' : action, era);
  const s = nbit === ref ? e : quadratic(nbit, ref, e);
  return action === 'mult_reused' ? 0.85 * s : s;
}

function macToMult(action: string): string {
  if (action === 'mac_gated') return 'mult_gated';
  if (action === 'mac_reused') return 'mult_reused';
  if (isIdle(action)) return action;
  return 'mult_random';
}

/**
 * The wire length as the plug-in multiplies it. Until its fix of 2022-12
 * (commit e741e80) a length with a unit was taken in metres (`2mm` → 0.002)
 * while a bare number was taken as is (meant as um); the reference ERTs
 * carry that, so it is reproduced here: wires with units are ~1e6 times
 * cheaper than the fixed plug-in says (see docs/energy.md).
 */
function wireLength(v: unknown): number {
  const s = String(v);
  if (!s.includes('m')) return parseFloat(s);
  if (s.includes('mm')) return parseFloat(s) * 1e-3;
  if (s.includes('um')) return parseFloat(s) * 1e-6;
  if (s.includes('nm')) return parseFloat(s) * 1e-9;
  return 0;
}

/** The wire length in um as the fixed (v0.4) plug-in reads it: mm, um, nm, or a bare number in um. */
function wireLengthUm(v: unknown): number {
  const s = String(v);
  if (!s.includes('m')) return parseFloat(s);
  if (s.includes('mm')) return parseFloat(s) * 1e3;
  if (s.includes('um')) return parseFloat(s);
  if (s.includes('nm')) return parseFloat(s) * 1e-3;
  return 0;
}

function regfile(attrs: Attrs, action: string, args: Args, era: AladdinEra): number {
  const width = n(attrs, 'width');
  const depth = n(attrs, 'depth');
  if (depth === 0) return 0;
  const cw = Math.ceil(Math.log2(depth));
  if (isIdle(action)) return tableEnergy('reg', attrs, action, era) * width + comparator(cw, attrs, action, era) * depth;
  const dataDelta = args?.data_delta ?? 1;
  const addressDelta = args?.address_delta ?? 1;
  // A register file is a vector of registers plus a comparator per entry: an
  // unchanged word costs the registers' idle energy, an unchanged address the comparators'.
  // (The v0.4 plug-in prices an unchanged word at 0, not idle.)
  const reg = dataDelta === 0 ? (era === 'v0.4' ? 0 : tableEnergy('reg', attrs, 'idle', era)) : tableEnergy('reg', attrs, action, era);
  const cmp = addressDelta === 0 ? (era === 'v0.4' ? 0 : comparator(cw, attrs, 'idle', era)) : comparator(cw, attrs, action, era);
  return reg * width + cmp * depth;
}

/**
 * Energy (pJ) of one action of a primitive component, or an
 * `UnsupportedError` saying which figure the plug-in lacks.
 */
export function aladdinEnergy(cls: string, attrs: Attrs, action: string, args: Args, era: AladdinEra = 'v0.3'): number {
  checkSupported(cls, attrs);
  switch (cls) {
    case 'SRAM':
    case 'regfile': return regfile(attrs, action, args, era);
    case 'reg': return tableEnergy('reg', attrs, action, era);
    case 'FIFO': {
      const depth = n(attrs, 'depth');
      if (depth === 0) return 0;
      const a = isIdle(action) ? action : 'access';
      return tableEnergy('reg', attrs, a, era) * bits(attrs, era) + comparator(Math.log2(depth), attrs, a, era);
    }
    case 'crossbar':
      return tableEnergy('crossbar', attrs, action, era) * n(attrs, 'n_inputs') * (n(attrs, 'n_outputs') / 4) * (bits(attrs, era) / 32);
    case 'counter': return (tableEnergy('counter', attrs, action, era) * n(attrs, 'width')) / 32;
    case 'comparator': return comparator(bits(attrs, era), attrs, action, era);
    case 'wire':
      if (action !== 'transfer' && action !== 'transfer_random') return 0;
      // C = 1.627 fF/um, Vdd = 1 V, activity 0.2: the plug-in's wire model.
      return bits(attrs, era) * 0.2 * 1.627e-15 * (era === 'v0.4' ? wireLengthUm(attrs.length) : wireLength(attrs.length)) * 1e12;
    case 'bitwise': return tableEnergy('bitwise', attrs, action, era);
    case 'intadder': return intadder(attrs, action, era);
    case 'intmultiplier': return intmultiplier(attrs, action, era);
    case 'intmac': return intadder(attrs, action, era) + intmultiplier(attrs, macToMult(action), era);
    // The plug-in prices an fpmac's multiplier with the MAC's own action name (not mult_*).
    case 'fpmac': return fpadder(attrs, action, era) + fpmultiplier(attrs, action, era);
    case 'fpadder': return fpadder(attrs, action, era);
    case 'fpmultiplier': return fpmultiplier(attrs, action, era);
    default: throw new UnsupportedError(`class ${cls} is not in the Aladdin table`);
  }
}

function tableArea(table: string, attrs: Attrs): number {
  return row(table, attrs)[3];
}

/** Area (um²) of a primitive component, or an `UnsupportedError`. */
export function aladdinArea(cls: string, attrs: Attrs, era: AladdinEra = 'v0.3'): number {
  checkSupported(cls, attrs, true);
  const cmp = (w: number): number => (tableArea('comparator', attrs) * w) / 32;
  switch (cls) {
    case 'SRAM':
    case 'regfile': {
      const depth = n(attrs, 'depth');
      if (depth === 0) return 0;
      return tableArea('reg', attrs) * n(attrs, 'width') + cmp(Math.ceil(Math.log2(depth))) * depth;
    }
    case 'reg': return tableArea('reg', attrs);
    case 'FIFO': {
      const depth = n(attrs, 'depth');
      if (depth === 0) return 0;
      return tableArea('reg', attrs) * bits(attrs, era) + cmp(Math.log2(depth));
    }
    case 'crossbar':
      return tableArea('crossbar', attrs) * n(attrs, 'n_inputs') * (n(attrs, 'n_outputs') / 4) * (bits(attrs, era) / 32);
    case 'counter': return (tableArea('counter', attrs) * n(attrs, 'width')) / 32;
    case 'comparator': return cmp(bits(attrs, era));
    case 'wire': return 0;
    case 'bitwise': return tableArea('bitwise', attrs);
    case 'intadder': return linear(bits(attrs, era), 32, tableArea('adder', attrs));
    case 'intmultiplier': return quadratic(bits(attrs, era), 32, tableArea('multiplier', attrs));
    case 'intmac': return aladdinArea('intadder', attrs, era) + aladdinArea('intmultiplier', attrs, era);
    case 'fpadder': { const [t, ref, nbit] = fpTable(attrs, 'adder'); return linear(nbit, ref, tableArea(t, attrs)); }
    case 'fpmultiplier': { const [t, ref, nbit] = fpTable(attrs, 'multiplier'); return quadratic(nbit, ref, tableArea(t, attrs)); }
    case 'fpmac': return aladdinArea('fpadder', attrs, era) + aladdinArea('fpmultiplier', attrs, era);
    default: throw new UnsupportedError(`class ${cls} is not in the Aladdin table`);
  }
}

function checkSupported(cls: string, attrs: Attrs, area = false): void {
  if (!ALADDIN_CLASSES.includes(cls)) throw new UnsupportedError(`class ${cls} is not in the Aladdin table`);
  const t = String(attrs.technology ?? '');
  if (!['40', '40nm', '45', '45nm'].includes(t)) throw new UnsupportedError(`the Aladdin table is 40/45nm only (technology ${t || 'missing'})`);
  if (cls === 'SRAM') {
    // Only small SRAMs are approximated as register files; larger ones are CACTI's.
    const maxWidth = area ? 16 : 32;
    if (!(n(attrs, 'depth') <= 128 && n(attrs, 'width') <= maxWidth)) {
      throw new UnsupportedError(`SRAM ${String(attrs.width)}x${String(attrs.depth)} needs CACTI (Aladdin prices SRAMs up to 128 deep, ${maxWidth} wide)`);
    }
  }
}
