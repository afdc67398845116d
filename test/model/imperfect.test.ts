/**
 * Imperfect factorisation (a loop's last pass runs `residual` < factor
 * iterations): hand-reasoned cases for both partial-tile rules, the
 * Timeloop rule against the perfect kernel where both apply, and the exact
 * rule against a brute-force walk over every point of the iteration space.
 */
import { describe, expect, it } from 'vitest';
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import type { LevelMapping, Loop, Mapping, SpatialLoop } from '../../src/mapping/mapping.js';
import { residualOf } from '../../src/mapping/mapping.js';
import { validateMapping } from '../../src/mapping/validate.js';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { countImperfect } from '../../src/model/imperfect.js';
import { analyse, Evaluator } from '../../src/model/nest.js';
import { convWorkload } from '../../src/workload/conv.js';
import type { Workload } from '../../src/workload/workload.js';
import { randomCase, rng } from '../helpers/random.js';

function level(name: string, instances: number, meshX: number, offChip = false): StorageLevel {
  return {
    name, className: 'SRAM', instances, meshX, meshY: 1, sizeWords: null, wordBits: 8, blockSize: 1, clusterSize: 1,
    readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip,
  };
}

/** A buffer per PE under a DRAM with `pes` children. */
function twoLevels(pes: number): Arch {
  return { name: 't', compute: { name: 'mac', className: 'intmac', instances: pes, meshX: pes, meshY: 1 }, storage: [level('Buf', pes, pes), level('DRAM', 1, 1, true)] };
}

/** A 1-D layer: P outputs, R taps (dims C M R S N P Q; C = M = 1). */
function oneD(P: number, R = 1): Workload {
  return convWorkload('1d', { N: 1, C: 1, M: 1, P, Q: 1, R, S: 1, Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1 });
}
const Pd = 5; // index of P in C M R S N P Q
const all = [true, true, true];

function counts(w: Workload, arch: Arch, m: Mapping, mode: 'timeloop' | 'exact') {
  validateMapping(w, arch, m, 'test');
  return analyse(w, arch, m, { partialTiles: mode });
}

describe('imperfect factors: hand-reasoned cases', () => {
  // P = 11 as an outer loop of 3 over an inner loop of 4 whose last pass runs 3: (3−1)·4 + 3 = 11.
  const w = oneD(11);
  const m: Mapping = { levels: [
    { temporal: [{ dim: Pd, factor: 4, residual: 3 }], spatial: [], keep: all },
    { temporal: [{ dim: Pd, factor: 3 }], spatial: [], keep: all },
  ] };

  it('a 1-D loop of 11 with factor 4,3: tiles 4, 4, 3', () => {
    const ex = counts(w, twoLevels(1), m, 'exact');
    const tl = counts(w, twoLevels(1), m, 'timeloop');
    const [W, I, O] = [0, 1, 2];
    for (const c of [ex, tl]) {
      // Inputs and outputs move by whole tiles: every word once; the weight once.
      expect(c.levels[0].dataSpaces[I].fills).toBe(11);
      expect(c.levels[0].dataSpaces[W].fills).toBe(1);
      expect(c.levels[0].dataSpaces[I].reads).toBe(11); // one per MAC
      expect(c.levels[1].dataSpaces[O].updates).toBe(11);
      expect(c.levels[0].dataSpaces[I].utilizedCapacity).toBe(4); // the largest tile
    }
    // Timeloop counts the compute cycles as the product of the temporal factors: 4 × 3.
    expect(tl.temporalIterations).toBe(12);
    expect(ex.temporalIterations).toBe(11);
    void O;
  });

  it('a spatial split of 11 over 4 PEs (spatial 4,3 inside temporal 3)', () => {
    const ms: Mapping = { levels: [
      { temporal: [], spatial: [], keep: all },
      { temporal: [{ dim: Pd, factor: 3 }], spatial: [{ dim: Pd, factor: 4, residual: 3, axis: 'X' }], keep: all },
    ] };
    const arch = twoLevels(4);
    const ex = counts(w, arch, ms, 'exact');
    const tl = counts(w, arch, ms, 'timeloop');
    // Exact: 4 PEs ever busy, 11 input words over them, 3 time steps.
    expect(ex.levels[0].utilizedInstances).toBe(4);
    expect(ex.levels[0].dataSpaces[1].fills * 4).toBe(11);
    expect(ex.temporalIterations).toBe(3);
    expect(ex.utilizedComputeInstances).toBeCloseTo(11 / 3, 12);
    // Timeloop: the first PE's 3 words stand for each of (3 + 4·2)/3 = 11/3 average PEs.
    expect(tl.levels[0].utilizedInstances).toBeCloseTo(11 / 3, 12);
    expect(tl.levels[0].dataSpaces[1].fills).toBe(3);
    expect(tl.temporalIterations).toBe(3);
    // The buffer of each PE is read once per MAC; DRAM sends each input word once.
    expect(tl.levels[1].dataSpaces[1].reads).toBe(11);
    expect(ex.levels[1].dataSpaces[1].reads).toBe(11);
  });

  it('Timeloop bills a partial tile as a full one when only the first PE is simulated', () => {
    // Spatial 4,3 over P with a temporal loop of 2 inside each PE: P = 2·((3−1)·4 + 3)?
    // No: the PE's own loop P=2 is inside, so the spatial loop's stride is 2 and
    // the PE at index 2 on the last pass is on its last iteration. Bound: 1 + (3−1)·8 + (3−1)·2 + (2−1) = 22.
    const w22 = oneD(22);
    const ms: Mapping = { levels: [
      { temporal: [{ dim: Pd, factor: 2 }], spatial: [], keep: all },
      { temporal: [{ dim: Pd, factor: 3 }], spatial: [{ dim: Pd, factor: 4, residual: 3, axis: 'X' }], keep: all },
    ] };
    const arch = twoLevels(4);
    const ex = counts(w22, arch, ms, 'exact');
    const tl = counts(w22, arch, ms, 'timeloop');
    // Exact: 22 input words reach the PEs; Timeloop: PE 0's 6 words × 11/3 average PEs = 22 as well.
    expect(ex.levels[0].dataSpaces[1].fills * ex.levels[0].utilizedInstances).toBe(22);
    expect(tl.levels[0].dataSpaces[1].fills * tl.levels[0].utilizedInstances).toBeCloseTo(22, 9);
  });

  it('Computes: Timeloop truncates the first PE\'s operations times the average PEs', () => {
    // 13 = (3−1)·5 + 3 with the spatial loop of 5 (residual 3) over 5 PEs: PE 0 runs 3 MACs,
    // the average PEs are (3 + 5·2)/3 = 13/3; 3 × 13/3 in doubles.
    const w13 = oneD(13);
    const ms: Mapping = { levels: [
      { temporal: [], spatial: [], keep: all },
      { temporal: [{ dim: Pd, factor: 3 }], spatial: [{ dim: Pd, factor: 5, residual: 3, axis: 'X' }], keep: all },
    ] };
    const p = compileProblem(w13, twoLevels(5));
    const cm = compileMapping(p, ms);
    const tl = new Evaluator(p).run(cm).imperfect!;
    expect(tl.computes).toBe(Math.floor(3 * ((1 * (3 + 5 * 2)) / 3)));
    expect(tl.exactComputes).toBe(13);
  });

  it('validation: residuals must cover the bound exactly', () => {
    const bad: Mapping = { levels: [
      { temporal: [{ dim: Pd, factor: 4, residual: 2 }], spatial: [], keep: all },
      { temporal: [{ dim: Pd, factor: 3 }], spatial: [], keep: all },
    ] };
    expect(() => validateMapping(w, twoLevels(1), bad, 'm.yaml')).toThrow(/cover its bound 11/);
  });
});

describe('the Timeloop rule on perfect nests equals the kernel', () => {
  it('on 300 random layers, architectures and mappings (link transfers off)', () => {
    // The kernel's link transfers are not modelled on imperfect nests: compare without them.
    const proto = Evaluator.prototype as unknown as { linksPossible: () => boolean };
    const saved = proto.linksPossible;
    proto.linksPossible = () => false;
    try {
      const r = rng(11);
      for (let i = 0; i < 300; i++) {
        const { w, arch, m } = randomCase(r);
        const p = compileProblem(w, arch);
        const cm = compileMapping(p, m);
        const k = new Evaluator(p).run(cm);
        const want = JSON.stringify([...k.reads, ...k.fills, ...k.updates, ...k.utilizedCapacity, ...k.partitionSize, k.temporalIterations, ...k.utilizedInstances]);
        const o = new Evaluator(p).out;
        countImperfect(p, cm, o, 'timeloop', true, w.bounds.reduce((a, b) => a * b, 1));
        expect(JSON.stringify([...o.reads, ...o.fills, ...o.updates, ...o.utilizedCapacity, ...o.partitionSize, o.temporalIterations, ...o.utilizedInstances]), `case ${i}`).toBe(want);
      }
    } finally {
      proto.linksPossible = saved;
    }
  });
});

/** Make a perfect random mapping imperfect: some dimensions get smaller bounds covered by residuals. */
function makeImperfect(w: Workload, m: Mapping, r: () => number): { w: Workload; m: Mapping } | null {
  const levels = m.levels.map((lm) => ({ temporal: lm.temporal.map((l) => ({ ...l })), spatial: lm.spatial.map((l) => ({ ...l })), keep: lm.keep })) as { temporal: Loop[]; spatial: SpatialLoop[]; keep: boolean[] }[];
  const bounds = [...w.bounds];
  let changed = false;
  for (let d = 0; d < w.dims.length; d++) {
    const loops: Loop[] = [];
    for (const lm of levels) { for (const l of lm.spatial) if (l.dim === d) loops.push(l); for (const l of lm.temporal) if (l.dim === d) loops.push(l); }
    const full = loops.reduce((a, l) => a * l.factor, 1);
    if (loops.length < 2 || r() < 0.4) continue;
    const nb = Math.max(1, full - 1 - Math.floor(r() * (full / 2)));
    // Residuals: the mixed-radix digits of nb − 1 over the loops, innermost first.
    let rest = nb - 1;
    for (const l of loops) { (l as { residual?: number }).residual = (rest % l.factor) + 1; rest = Math.floor(rest / l.factor); }
    bounds[d] = nb;
    changed = true;
  }
  if (!changed) return null;
  return { w: { ...w, bounds }, m: { levels: levels as LevelMapping[] } };
}

/**
 * Brute force over every point of the iteration space in loop order: each
 * level's tile is the set of words its operations touch; an instance's
 * tiles follow in time order under the reuse rule (keep the previous tile;
 * bring the difference when the translation repeats or is the first one and
 * the two boxes differ along one rank, else the whole tile); a parent
 * serves each distinct delta among its children once per time step.
 */
function bruteForce(w: Workload, arch: Arch, m: Mapping) {
  const D = w.dims.length, S = w.dataSpaces.length, L = arch.storage.length;
  type L1 = { level: number; spatial: boolean; dim: number; e: number; r: number; stride: number };
  const loops: L1[] = [];
  const run = new Array<number>(D).fill(1);
  m.levels.forEach((lm, l) => {
    for (const x of lm.spatial) { loops.push({ level: l, spatial: true, dim: x.dim, e: x.factor, r: residualOf(x), stride: run[x.dim] }); run[x.dim] *= x.factor; }
    for (const x of lm.temporal) { loops.push({ level: l, spatial: false, dim: x.dim, e: x.factor, r: residualOf(x), stride: run[x.dim] }); run[x.dim] *= x.factor; }
  });
  const n = loops.length;
  const idx = new Array<number>(n).fill(0);
  const word = (s: number, pt: number[]) => w.dataSpaces[s].ranks.map((rank) => rank.reduce((a, t) => a + t.coef * pt[t.dim], 0));
  // Per (s, c): instance key → time key → set of words.
  const tiles = new Map<string, Map<string, Map<string, Set<string>>>>();
  const keyAbove = (c: number, spatial: boolean) => loops.map((l, j) => (l.level > c && l.spatial === spatial ? idx[j] : '')).join('.');
  let ops = 0;
  const rec = (j: number) => {
    if (j < 0) {
      ops++;
      const pt = new Array<number>(D).fill(0);
      loops.forEach((l, k) => { pt[l.dim] += idx[k] * l.stride; });
      for (let s = 0; s < S; s++) {
        const wd = word(s, pt).join(',');
        for (let c = -1; c < L; c++) {
          const key = `${s}|${c}`;
          if (!tiles.has(key)) tiles.set(key, new Map());
          const inst = c < 0 ? keyAbove(-1, true) : keyAbove(c, true);
          // The compute units hold nothing: every operation is its own tile.
          const time = c < 0 ? `${keyAbove(-1, false)}#${ops}` : keyAbove(c, false);
          const byInst = tiles.get(key)!;
          if (!byInst.has(inst)) byInst.set(inst, new Map());
          const byTime = byInst.get(inst)!;
          if (!byTime.has(time)) byTime.set(time, new Set());
          byTime.get(time)!.add(wd);
        }
      }
      return;
    }
    const l = loops[j];
    let last = true;
    for (let k = j + 1; k < n; k++) if (loops[k].dim === l.dim && idx[k] + 1 < loops[k].r) last = false;
    const range = last ? l.r : l.e;
    for (let q = 0; q < range; q++) { idx[j] = q; rec(j - 1); }
    idx[j] = 0;
  };
  rec(n - 1);
  const parse = (x: string) => x.split(',').map(Number);
  // A tile is the box its operations' words span (Timeloop's projection:
  // with stride 2 the skipped columns are part of it).
  const fillBox = (set: Set<string>) => {
    const { lo, hi } = bbox(set);
    const out = new Set<string>();
    const cur = [...lo];
    const go = (k: number) => {
      if (k === lo.length) { out.add(cur.join(',')); return; }
      for (let v = lo[k]; v <= hi[k]; v++) { cur[k] = v; go(k + 1); }
    };
    go(0);
    return out;
  };
  for (const byInst of tiles.values()) for (const byTime of byInst.values()) for (const [t, set] of byTime) byTime.set(t, fillBox(set));
  function bbox(set: Set<string>) {
    const pts = [...set].map(parse);
    const R = pts[0].length;
    const lo = new Array<number>(R).fill(Infinity), hi = new Array<number>(R).fill(-Infinity);
    for (const p of pts) p.forEach((v, k) => { lo[k] = Math.min(lo[k], v); hi[k] = Math.max(hi[k], v); });
    return { lo, hi };
  }
  const deltaOf = (nw: Set<string>, old: Set<string>) => {
    const a = bbox(old), b = bbox(nw);
    const R = a.lo.length;
    let differ = 0;
    for (let k = 0; k < R; k++) {
      if (a.hi[k] < b.lo[k] || a.lo[k] > b.hi[k]) return nw;
      if (a.lo[k] !== b.lo[k] || a.hi[k] !== b.hi[k]) differ++;
    }
    if (differ > 1) return nw;
    for (let k = 0; k < R; k++) if (a.lo[k] > b.lo[k] && a.hi[k] < b.hi[k]) return nw; // a fracture
    return new Set([...nw].filter((x) => !old.has(x)));
  };
  const cmpTime = (x: string, y: string) => {
    const a = x.split(/[.#]/).map((v) => (v === '' ? 0 : Number(v))), b = y.split(/[.#]/).map((v) => (v === '' ? 0 : Number(v)));
    // Keys list loops innermost first: compare from the outermost.
    for (let k = a.length - 1; k >= 0; k--) if (a[k] !== b[k]) return a[k] - b[k];
    return 0;
  };
  const res = { fills: new Float64Array(L * S), content: new Float64Array(L * S), partition: new Float64Array(L * S), instances: new Float64Array(L), ops };
  for (let s = 0; s < S; s++) {
    const keepers: number[] = [];
    for (let l = 0; l < L; l++) if (m.levels[l].keep[s]) keepers.push(l);
    let c = -1;
    for (const parent of keepers) {
      const byInst = tiles.get(`${s}|${c}`)!;
      const served = new Map<string, Set<string>>();
      let fills = 0;
      for (const [inst, byTime] of byInst) {
        const times = [...byTime.keys()].sort(cmpTime);
        let prev: Set<string> | null = null, prevLo: number[] | null = null, prevT: number[] | null = null;
        for (const t of times) {
          const set = byTime.get(t)!;
          let delta: Set<string>;
          if (c < 0) delta = set;
          else if (prev === null) { delta = set; prevT = null; }
          else {
            const tr = bbox(set).lo.map((v, k) => v - prevLo![k]);
            if (prevT === null || tr.every((v, k) => v === prevT![k])) { delta = deltaOf(set, prev); if (prevT === null) prevT = tr; }
            else { delta = set; prevT = null; }
          }
          if (c >= 0) { prev = set; prevLo = bbox(set).lo; }
          fills += delta.size;
          if (delta.size === 0) continue;
          // The parent instance and the time step of this event.
          const parts = inst.split('.');
          const pInst = loops.map((l, j) => (l.spatial && l.level > parent ? parts[j] : '')).join('.');
          const step = c < 0 ? t.split('#')[0] : t;
          const k = `${pInst}|${step}`;
          if (!served.has(k)) served.set(k, new Set());
          served.get(k)!.add([...delta].sort().join(';'));
        }
      }
      let content = 0;
      for (const ds of served.values()) for (const d of ds) content += d.split(';').length;
      res.content[parent * S + s] = content;
      if (c >= 0) res.fills[c * S + s] = fills;
      c = parent;
    }
    for (const l of keepers) {
      const byInst = tiles.get(`${s}|${l}`)!;
      let total = 0;
      for (const byTime of byInst.values()) { const u = new Set<string>(); for (const set of byTime.values()) for (const x of set) u.add(x); total += u.size; }
      res.partition[l * S + s] = total / byInst.size;
      res.instances[l] = byInst.size;
    }
  }
  return res;
}

describe('the exact rule equals a brute-force walk of the iteration space', () => {
  it('on 120 random small imperfect layers, architectures and mappings', () => {
    const r = rng(5);
    let checked = 0;
    for (let i = 0; checked < 120 && i < 2000; i++) {
      const c0 = randomCase(r);
      if (c0.w.bounds.reduce((a, b) => a * b, 1) > 1500) continue;
      const im = makeImperfect(c0.w, c0.m, r);
      if (!im) continue;
      const { w, m } = im;
      const arch = c0.arch;
      validateMapping(w, arch, m, 'rand', { capacity: false });
      const p = compileProblem(w, arch);
      const o = new Evaluator(p, { partialTiles: 'exact' }).run(compileMapping(p, m));
      const bf = bruteForce(w, arch, m);
      const S = w.dataSpaces.length;
      expect(o.imperfect!.exactComputes, `case ${i} computes`).toBe(bf.ops);
      for (let l = 0; l < arch.storage.length; l++) {
        for (let s = 0; s < S; s++) {
          const q = l * S + s;
          if (!m.levels[l].keep[s]) continue;
          const u = o.utilizedInstances[l];
          expect(u, `case ${i} instances L${l}`).toBe(bf.instances[l]);
          const rw = w.dataSpaces[s].readWrite;
          const content = rw ? o.updates[q] * u : o.reads[q] * u;
          expect(content, `case ${i} L${l} ${w.dataSpaces[s].name} content`).toBeCloseTo(bf.content[q], 6);
          if (rw) expect(o.partitionSize[q], `case ${i} L${l} partition`).toBeCloseTo(bf.partition[q], 6);
          const outermost = m.levels.every((lm, k) => k <= l || !lm.keep[s]);
          if (!outermost) {
            const fills = rw ? (o.fills[q] + o.partitionSize[q]) * u : o.fills[q] * u;
            expect(fills, `case ${i} L${l} ${w.dataSpaces[s].name} fills`).toBeCloseTo(bf.fills[q], 6);
          }
        }
      }
      checked++;
    }
    expect(checked).toBe(120);
  });
});
