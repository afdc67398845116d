/**
 * The sparse pass's flat loop nest rebuilds only from the first level whose
 * loops changed since the last build: after any sequence of builds it must
 * hold exactly what a fresh nest built from the same mapping holds; built
 * from the compiled loops, what the mapping's own build holds.
 */
import { describe, expect, it } from 'vitest';
import type { LevelMapping, Mapping } from '../../src/mapping/mapping.js';
import { CompiledBuffer } from '../../src/model/compile.js';
import { FlatNest } from '../../src/sparse/nest.js';

/** A small deterministic generator (the test must not depend on Math.random). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function randomLevel(r: () => number, D: number): LevelMapping {
  const loops = (p: number) => {
    const out: { dim: number; factor: number; axis: 'X' | 'Y' }[] = [];
    for (let d = 0; d < D; d++) if (r() < p) out.push({ dim: d, factor: [1, 2, 3, 4, 7][Math.floor(r() * 5)], axis: r() < 0.5 ? 'X' : 'Y' });
    // The mapping's own order, not the dimensions' (the nest keeps it).
    for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
    return out;
  };
  return { temporal: loops(0.5), spatial: r() < 0.4 ? loops(0.3) : [], keep: [] };
}

/** What a nest holds that the pass reads: loops, molds, skip list. */
function snapshot(n: FlatNest, L: number, D: number) {
  const loops = n.start[L];
  let moldEnd = D;
  for (let k = 0; k < loops; k++) moldEnd = Math.max(moldEnd, n.moldAt[k] + D);
  return {
    start: Array.from(n.start.subarray(0, L + 1)),
    dim: Array.from(n.dim.subarray(0, loops)),
    factor: Array.from(n.factor.subarray(0, loops)),
    spatial: Array.from(n.spatial.subarray(0, loops)),
    moldAt: Array.from(n.moldAt.subarray(0, loops)),
    molds: Array.from(n.molds.subarray(0, moldEnd)),
    nextBig: Array.from(n.nextBig.subarray(0, loops + 1)),
  };
}

describe('FlatNest rebuilt from the first changed level', () => {
  it('holds what a fresh build holds, over sequences of mappings sharing inner, outer or no levels', () => {
    const r = rng(12);
    const reused = new FlatNest(), compiled = new FlatNest();
    let compared = 0, partial = 0;
    for (let run = 0; run < 40; run++) {
      const D = 2 + Math.floor(r() * 4), L = 2 + Math.floor(r() * 5);
      const spatialLevel = Uint8Array.from({ length: L }, () => (r() < 0.3 ? 1 : 0));
      let levels = Array.from({ length: L }, () => randomLevel(r, D));
      for (let step = 0; step < 30; step++) {
        // Change one or two levels (or none: the same loops again), as a search's next candidate does.
        const changes = Math.floor(r() * 3);
        levels = levels.slice();
        for (let c = 0; c < changes; c++) levels[Math.floor(r() * L)] = randomLevel(r, D);
        const m: Mapping = { levels };
        reused.build(D, m, spatialLevel);
        const fresh = new FlatNest();
        fresh.build(D, m, spatialLevel);
        expect(snapshot(reused, L, D)).toEqual(snapshot(fresh, L, D));
        // The same mapping as compiled loops (trivial loops left out, as in the mapper's candidates).
        const nonTrivial: Mapping = { levels: levels.map((lv) => ({ ...lv, spatial: lv.spatial.filter((x) => x.factor > 1), temporal: lv.temporal.filter((x) => x.factor > 1) })) };
        const cm = new CompiledBuffer(L * 2 * D, 1);
        nonTrivial.levels.forEach((lv, l) => { for (const x of lv.spatial) cm.push(l, true, x.dim, x.factor, x.axis === 'Y'); for (const x of lv.temporal) cm.push(l, false, x.dim, x.factor, false); });
        compiled.buildCompiled(D, L, cm, spatialLevel);
        const fromMapping = new FlatNest();
        fromMapping.build(D, nonTrivial, spatialLevel);
        expect(snapshot(compiled, L, D)).toEqual(snapshot(fromMapping, L, D));
        compared++;
        if (changes > 0) partial++;
      }
    }
    expect(compared).toBe(1200);
    expect(partial).toBeGreaterThan(500);
  });

  it('a level that keeps its loops but changes below it is rebuilt (its molds move)', () => {
    const D = 2;
    const spatialLevel = new Uint8Array(3);
    const outer: LevelMapping = { temporal: [{ dim: 0, factor: 3 }], spatial: [], keep: [] };
    const top: LevelMapping = { temporal: [{ dim: 1, factor: 5 }], spatial: [], keep: [] };
    const n = new FlatNest();
    n.build(D, { levels: [{ temporal: [{ dim: 0, factor: 2 }], spatial: [], keep: [] }, outer, top] }, spatialLevel);
    n.build(D, { levels: [{ temporal: [{ dim: 0, factor: 4 }], spatial: [], keep: [] }, outer, top] }, spatialLevel);
    // Level 1's loop over dimension 0 closes a box of 4 × 3 = 12 along it, not the first build's 6.
    const k = n.start[1];
    expect(n.dim[k]).toBe(0);
    expect(n.molds[n.moldAt[k]]).toBe(12);
    expect(n.molds[n.moldAt[n.start[2]] + 1]).toBe(5);
  });
});
