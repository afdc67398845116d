/**
 * Combining the optimizations into fine-grained counts (Timeloop's
 * `storage-optimization-combiner` and `compute-gs-analyzer`): compressed
 * tiles move only their non-zeros; a gated or skipped read at a level
 * removes the same share of everything below it (fills, reads, updates,
 * metadata), down to the next level that optimizes the tensor itself; an
 * optimization at the innermost level of a read-only operand removes that
 * share of the computes; compute gating and skipping then split the rest
 * by the operands' states. Timeloop's roundings are kept: reads of
 * read-write tensors round the optimized share up, everything else down.
 */
import type { Masks } from './actions.js';
import type { TileState } from './representation.js';

/** Fine-grained counts of one tensor at one level, per instance. */
export interface Fine {
  actual: [number, number, number];
  gated: [number, number, number];
  skipped: [number, number, number];
  temporalReductions: number;
  /** Metadata accesses per rank [metadata, payload]: actual/gated/skipped × read/fill/update. */
  fmt: { actual: [number, number][][]; gated: [number, number][][]; skipped: [number, number][][] };
  decompression: number;
  compression: number;
}

const R = 0, F = 1, U = 2;

function zeros(n: number): [number, number][] {
  const out: [number, number][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = [0, 0];
  return out;
}

// Tensors without metadata share these: nothing ever writes into them (writes are guarded by rank).
const NONE: [number, number][] = [];

/** Initial fine-grained counts: the dense ones, metadata as implied, compressed tiles scaled by their density (written into `into` when given). */
export function initialFine(t: TileState, reads: number, fills: number, updates: number, tr: number, readWrite: boolean, into?: Fine): Fine {
  let fine: Fine;
  if (into) {
    fine = into;
    const a = fine.actual, g = fine.gated, k = fine.skipped;
    a[0] = reads; a[1] = fills; a[2] = updates;
    g[0] = 0; g[1] = 0; g[2] = 0;
    k[0] = 0; k[1] = 0; k[2] = 0;
    fine.temporalReductions = tr;
    // Replaced, never cleared: a finished result may still hold the old ones.
    const m = fine.fmt;
    m.actual = [NONE, NONE, NONE]; m.gated = [NONE, NONE, NONE]; m.skipped = [NONE, NONE, NONE];
    fine.decompression = 0; fine.compression = 0;
  } else {
    fine = {
      actual: [reads, fills, updates], gated: [0, 0, 0], skipped: [0, 0, 0], temporalReductions: tr,
      fmt: { actual: [NONE, NONE, NONE], gated: [NONE, NONE, NONE], skipped: [NONE, NONE, NONE] },
      decompression: 0, compression: 0,
    };
  }
  if (t.hasMetadata) {
    const n = t.formatReads.length;
    fine.fmt.gated = [zeros(n), zeros(n), zeros(n)];
    fine.fmt.skipped = [zeros(n), zeros(n), zeros(n)];
    const sparsity = 1 - t.expectedDensity;
    fine.actual[R] = reads - Math.floor(reads * sparsity);
    fine.actual[F] = fills - Math.floor(fills * sparsity);
    if (readWrite) fine.actual[U] = updates - Math.floor(updates * sparsity);
  }
  return fine;
}

/** Per-tensor inputs of the propagation. */
export interface CombineInput {
  readonly tiles: TileState[][];
  readonly fine: Fine[][];
  readonly readWrite: readonly boolean[];
  readonly dense: { readonly updates: (l: number, s: number) => number };
}

/** Result of the propagation for compute. */
export interface ComputeState {
  maxComputes: number;
  storageSaf: boolean[];
  innermostEmpty: number[];
}

function copyFmt(x: [number, number][]): [number, number][] { return x.length === 0 ? NONE : x.map((p) => [p[0], p[1]] as [number, number]); }

function scaleFmt(x: [number, number][], p: number, lower: number, upper: number): void {
  for (let id = lower; id <= upper; id++) {
    if (!x[id]) continue;
    x[id][0] -= Math.floor(x[id][0] * p);
    x[id][1] -= Math.floor(x[id][1] * p);
  }
}

/** Timeloop's ApplyLocalStorageSAFImpact: split a level's own counts into actual and gated/skipped. */
function applyLocal(inp: CombineInput, p: number, s: number, l: number, kind: 'gated' | 'skipped'): void {
  const f = inp.fine[l][s];
  const t = inp.tiles[l][s];
  const into = f[kind];
  let reads = f.actual[R];
  const dr = inp.readWrite[s] ? Math.ceil(reads * p) : Math.floor(reads * p);
  into[R] += dr; reads -= dr;
  let upd = f.actual[U];
  const du = Math.floor(upd * p);
  into[U] += du; upd -= du;
  const childRanks = t.child >= 0 ? (inp.tiles[t.child][s].hasMetadata ? inp.tiles[t.child][s].ranks.length : 0) : (t.hasMetadata ? t.ranks.length : 0);
  const fr = f.fmt.actual[R], fu = f.fmt.actual[U];
  for (let r = 0; r < childRanks; r++) {
    for (let k = 0; k < 2; k++) {
      if (fr[r]) { const d = Math.floor(fr[r][k] * p); fr[r][k] -= d; if (f.fmt[kind][R][r]) f.fmt[kind][R][r][k] += d; }
      if (fu[r]) { const d = Math.floor(fu[r][k] * p); fu[r][k] -= d; if (f.fmt[kind][U][r]) f.fmt[kind][U][r][k] += d; }
    }
  }
  f.actual[R] = reads;
  f.actual[U] = upd;
  const denseUpd = inp.dense.updates(l, s);
  if (t.shape !== 0 && inp.readWrite[s]) f.temporalReductions = Math.ceil(f.temporalReductions * f.actual[U] / denseUpd);
}

// Per-call counts of the propagation: one set of buffers, grown, serves every call.
let MAX_R = new Float64Array(0), MAX_F = new Float64Array(0), MAX_U = new Float64Array(0);
let DONE = new Uint8Array(0);

/** Timeloop's PropagateImpactOfExplicitlyOptimizedRead. */
export function propagate(inp: CombineInput, masks: Masks, S: number, computes: number): ComputeState {
  const { fine, tiles } = inp;
  const L = tiles.length;
  const n = L * S;
  if (MAX_R.length < n) { MAX_R = new Float64Array(n); MAX_F = new Float64Array(n); MAX_U = new Float64Array(n); DONE = new Uint8Array(n); }
  const maxR = MAX_R, maxF = MAX_F, maxU = MAX_U, done = DONE;
  const mfR: [number, number][][] = new Array(n), mfF: [number, number][][] = new Array(n), mfU: [number, number][][] = new Array(n);
  for (let l = 0; l < L; l++) {
    for (let s = 0; s < S; s++) {
      const f = fine[l][s], t = tiles[l][s], i = l * S + s;
      maxR[i] = f.actual[R]; maxF[i] = f.actual[F]; maxU[i] = f.actual[U];
      mfR[i] = copyFmt(t.formatReads); mfF[i] = copyFmt(t.formatFills); mfU[i] = copyFmt(t.formatUpdates);
      done[i] = 0;
    }
  }
  const state: ComputeState = { maxComputes: computes, storageSaf: new Array<boolean>(S).fill(false), innermostEmpty: new Array<number>(S).fill(0) };
  const setFrom = (l: number, s: number, readFmt: [number, number][]) => {
    const f = fine[l][s];
    f.actual[F] = maxF[l * S + s]; f.actual[R] = maxR[l * S + s]; f.actual[U] = maxU[l * S + s];
    f.fmt.actual[F] = mfF[l * S + s]; f.fmt.actual[R] = readFmt; f.fmt.actual[U] = mfU[l * S + s];
  };
  const opt = (l: number, s: number) => masks.gate[l * S + s] === 1 || masks.skip[l * S + s] === 1;
  for (let s = 0; s < S; s++) {
    for (let l = L - 1; l >= 0; l--) {
      if (!opt(l, s)) continue;
      const p = masks.prob[l * S + s];
      let im = l - 1;
      while (im >= 0) {
        maxF[im * S + s] -= Math.floor(maxF[im * S + s] * p);
        maxR[im * S + s] -= Math.floor(maxR[im * S + s] * p);
        maxU[im * S + s] -= Math.floor(maxU[im * S + s] * p);
        if (tiles[im][s].hasMetadata) {
          const top = mfR[l * S + s].length - 1;
          scaleFmt(mfF[im * S + s], p, Math.min(mfF[im * S + s].length, top), 0);
          scaleFmt(mfR[im * S + s], p, Math.min(mfR[im * S + s].length, top), 0);
          scaleFmt(mfU[im * S + s], p, mfU[im * S + s].length, 0);
        }
        if (opt(im, s)) {
          const kind = masks.gate[im * S + s] ? 'gated' : 'skipped';
          const local = masks.prob[im * S + s];
          const eff = 1 - (1 - local) / (1 - p);
          // Timeloop stores the metadata updates as the metadata reads here; kept.
          setFrom(im, s, copyFmt(mfU[im * S + s]));
          applyLocal(inp, eff, s, im, kind);
          done[im * S + s] = 1;
          break;
        }
        im--;
      }
      if (!done[l * S + s]) {
        done[l * S + s] = 1;
        setFrom(l, s, mfR[l * S + s]);
        applyLocal(inp, p, s, l, masks.gate[l * S + s] ? 'gated' : 'skipped');
      }
      if (im < 0 && !inp.readWrite[s]) {
        state.maxComputes -= Math.floor(state.maxComputes * p);
        state.storageSaf[s] = true;
        state.innermostEmpty[s] = Math.round(p * 1000000) / 1000000;
      }
    }
  }
  for (let l = 0; l < L; l++) for (let s = 0; s < S; s++) {
    if (opt(l, s)) continue;
    setFrom(l, s, mfR[l * S + s]);
    const f = fine[l][s];
    const du = inp.dense.updates(l, s);
    f.temporalReductions = du === 0 ? 0 : Math.ceil(f.temporalReductions * f.actual[U] / du);
  }
  return state;
}

/** Decompression (and, for read-write tensors, compression) where an uncompressed level is filled from a compressed parent. */
export function decompression(inp: CombineInput, S: number): void {
  const L = inp.tiles.length;
  for (let l = L - 1; l >= 0; l--) for (let s = 0; s < S; s++) {
    const t = inp.tiles[l][s];
    if (t.compressed || t.parent < 0 || !inp.tiles[t.parent][s].compressed) continue;
    const f = inp.fine[l][s];
    if (inp.readWrite[s]) f.compression += inp.fine[t.parent][s].actual[U];
    f.decompression += f.actual[F];
  }
}

/** Computes split into actual, gated and skipped (Timeloop's two-operand analysis). */
export interface ComputeCounts { actual: number; gated: number; skipped: number }

/**
 * The two-operand compute analysis. `operands`: the two read-only tensors
 * with their density and whether their innermost keeper has metadata.
 */
export function computeCounts(st: ComputeState, operands: readonly { s: number; density: number; hasMetadata: boolean }[], gate: boolean, skip: boolean): ComputeCounts {
  const total = st.maxComputes;
  if (operands.length !== 2) return { actual: total, gated: 0, skipped: 0 };
  const [a, b] = operands;
  const dens = operands.map((o) => Math.round(1000000 * o.density) / 1000000);
  // states: [ENZ, EZ, NE]
  const states = operands.map((o, i) => {
    const d = Math.round(dens[i] * 1000000) / 1000000;
    return o.hasMetadata ? [d, 0, 1 - d] : [d, 1 - d, 0];
  });
  const condition = (i: number, onOther: number) => {
    const ratio = 1 - st.innermostEmpty[operands[onOther].s];
    const o = operands[i];
    states[i] = [dens[i] / ratio, o.hasMetadata ? 0 : 1 - dens[i] / ratio, !o.hasMetadata ? 0 : 1 - dens[i] / ratio];
  };
  const sa = st.storageSaf[a.s], sb = st.storageSaf[b.s];
  if (sa && sb) { condition(0, 1); condition(1, 0); } else if (sa) condition(1, 0); else if (sb) condition(0, 1);
  for (const x of states) for (let k = 0; k < 3; k++) { if (x[k] < 0) x[k] = 0; if (x[k] > 1) x[k] = 1; }
  const [A, B] = states;
  const pr = (i: number, j: number) => A[i] * B[j];
  let random = 0, gated = 0, skipped = 0;
  random += total * pr(0, 0);
  let t = total * (pr(0, 1) + pr(1, 0));
  if (gate) gated += t; else random += t;
  t = total * (pr(0, 2) + pr(2, 0));
  if (skip) skipped += t; else if (gate) gated += t; else random += t;
  t = total * pr(1, 1);
  if (gate) gated += t; else random += t;
  t = total * (pr(1, 2) + pr(2, 1));
  if (skip) skipped += t; else if (gate) gated += t; else random += t;
  const nonexistent = total * pr(2, 2);
  void random;
  return { actual: total - Math.floor(skipped) - Math.floor(gated) - Math.floor(nonexistent), gated: Math.floor(gated), skipped: Math.floor(skipped) };
}
