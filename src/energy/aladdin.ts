/**
 * Accelergy's Aladdin plug-in (v0.3 interface, as it produced the reference
 * ERTs): energy and area of primitive components from the 40nm tables of
 * `aladdin-data.ts`, scaled by bit width. The rules follow
 * accelergy-aladdin-plug-in `aladdin_table.py` (commit 7fe4102).
 */
import { ALADDIN_TABLES } from './aladdin-data.js';

/** Attribute values of one component (numbers, or strings like `5ns`). */
export type Attrs = Readonly<Record<string, unknown>>;

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

/** Dynamic or idle energy of a table row, as the plug-in picks it. */
function tableEnergy(table: string, attrs: Attrs, action: string): number {
  const r = row(table, attrs);
  return action === 'idle' ? r[2] : r[1];
}

const linear = (nbit: number, ref: number, y: number): number => (y * nbit) / ref;
const quadratic = (nbit: number, ref: number, y: number): number => y * (nbit / ref) ** 2;

function comparator(width: number, attrs: Attrs, action: string): number {
  return (tableEnergy('comparator', attrs, action) * width) / 32;
}

function intadder(attrs: Attrs, action: string): number {
  const nbit = n(attrs, 'datawidth');
  const e = tableEnergy('adder', attrs, action);
  return nbit === 32 ? e : linear(nbit, 32, e);
}

function intmultiplier(attrs: Attrs, action: string): number {
  const nbit = n(attrs, 'datawidth');
  // A gated multiplier costs its idle energy; a reused one 85% of a random one.
  const e = tableEnergy('multiplier', attrs, action === 'mult_gated' ? 'idle' : action);
  const s = nbit === 32 ? e : quadratic(nbit, 32, e);
  return action === 'mult_reused' ? 0.85 * s : s;
}

function fpTable(attrs: Attrs, op: 'adder' | 'multiplier'): [string, number, number] {
  const nbit = n(attrs, 'exponent') + n(attrs, 'mantissa');
  return nbit <= 32 ? [`fp_sp_${op}`, 32, nbit] : [`fp_dp_${op}`, 64, nbit];
}

function fpadder(attrs: Attrs, action: string): number {
  const [t, ref, nbit] = fpTable(attrs, 'adder');
  const e = tableEnergy(t, attrs, action);
  return nbit === ref ? e : linear(nbit, ref, e);
}

function fpmultiplier(attrs: Attrs, action: string): number {
  const [t, ref, nbit] = fpTable(attrs, 'multiplier');
  const e = tableEnergy(t, attrs, action === 'mult_gated' ? 'idle' : action);
  const s = nbit === ref ? e : quadratic(nbit, ref, e);
  return action === 'mult_reused' ? 0.85 * s : s;
}

function macToMult(action: string): string {
  if (action === 'mac_gated') return 'mult_gated';
  if (action === 'mac_reused') return 'mult_reused';
  if (action === 'idle') return 'idle';
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

function regfile(attrs: Attrs, action: string, args: Args): number {
  const width = n(attrs, 'width');
  const depth = n(attrs, 'depth');
  if (depth === 0) return 0;
  const cw = Math.ceil(Math.log2(depth));
  if (action === 'idle') return tableEnergy('reg', attrs, 'idle') * width + comparator(cw, attrs, 'idle') * depth;
  const dataDelta = args?.data_delta ?? 1;
  const addressDelta = args?.address_delta ?? 1;
  // A register file is a vector of registers plus a comparator per entry: an
  // unchanged word costs the registers' idle energy, an unchanged address the comparators'.
  const reg = tableEnergy('reg', attrs, dataDelta === 0 ? 'idle' : action);
  const cmp = comparator(cw, attrs, addressDelta === 0 ? 'idle' : action);
  return reg * width + cmp * depth;
}

/**
 * Energy (pJ) of one action of a primitive component, or an
 * `UnsupportedError` saying which figure the plug-in lacks.
 */
export function aladdinEnergy(cls: string, attrs: Attrs, action: string, args: Args): number {
  checkSupported(cls, attrs);
  switch (cls) {
    case 'SRAM':
    case 'regfile': return regfile(attrs, action, args);
    case 'reg': return tableEnergy('reg', attrs, action);
    case 'FIFO': {
      const depth = n(attrs, 'depth');
      if (depth === 0) return 0;
      const a = action === 'idle' ? 'idle' : 'access';
      return tableEnergy('reg', attrs, a) * n(attrs, 'datawidth') + comparator(Math.log2(depth), attrs, a);
    }
    case 'crossbar':
      return tableEnergy('crossbar', attrs, action) * n(attrs, 'n_inputs') * (n(attrs, 'n_outputs') / 4) * (n(attrs, 'datawidth') / 32);
    case 'counter': return (tableEnergy('counter', attrs, action) * n(attrs, 'width')) / 32;
    case 'comparator': return comparator(n(attrs, 'datawidth'), attrs, action);
    case 'wire':
      if (action !== 'transfer' && action !== 'transfer_random') return 0;
      // C = 1.627 fF/um, Vdd = 1 V, activity 0.2: the plug-in's wire model.
      return n(attrs, 'datawidth') * 0.2 * 1.627e-15 * wireLength(attrs.length) * 1e12;
    case 'bitwise': return tableEnergy('bitwise', attrs, action);
    case 'intadder': return intadder(attrs, action);
    case 'intmultiplier': return intmultiplier(attrs, action);
    case 'intmac': return intadder(attrs, action) + intmultiplier(attrs, macToMult(action));
    // The plug-in prices an fpmac's multiplier with the MAC's own action name (not mult_*).
    case 'fpmac': return fpadder(attrs, action) + fpmultiplier(attrs, action);
    case 'fpadder': return fpadder(attrs, action);
    case 'fpmultiplier': return fpmultiplier(attrs, action);
    default: throw new UnsupportedError(`class ${cls} is not in the Aladdin table`);
  }
}

function tableArea(table: string, attrs: Attrs): number {
  return row(table, attrs)[3];
}

/** Area (um²) of a primitive component, or an `UnsupportedError`. */
export function aladdinArea(cls: string, attrs: Attrs): number {
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
      return tableArea('reg', attrs) * n(attrs, 'datawidth') + cmp(Math.log2(depth));
    }
    case 'crossbar':
      return tableArea('crossbar', attrs) * n(attrs, 'n_inputs') * (n(attrs, 'n_outputs') / 4) * (n(attrs, 'datawidth') / 32);
    case 'counter': return (tableArea('counter', attrs) * n(attrs, 'width')) / 32;
    case 'comparator': return cmp(n(attrs, 'datawidth'));
    case 'wire': return 0;
    case 'bitwise': return tableArea('bitwise', attrs);
    case 'intadder': return linear(n(attrs, 'datawidth'), 32, tableArea('adder', attrs));
    case 'intmultiplier': return quadratic(n(attrs, 'datawidth'), 32, tableArea('multiplier', attrs));
    case 'intmac': return aladdinArea('intadder', attrs) + aladdinArea('intmultiplier', attrs);
    case 'fpadder': { const [t, ref, nbit] = fpTable(attrs, 'adder'); return linear(nbit, ref, tableArea(t, attrs)); }
    case 'fpmultiplier': { const [t, ref, nbit] = fpTable(attrs, 'multiplier'); return quadratic(nbit, ref, tableArea(t, attrs)); }
    case 'fpmac': return aladdinArea('fpadder', attrs) + aladdinArea('fpmultiplier', attrs);
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
