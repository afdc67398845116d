/** Random layers, architectures and mappings for property tests (deterministic). */
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import type { LevelMapping, Mapping } from '../../src/mapping/mapping.js';
import { Rng } from '../../src/util/rng.js';
import { convWorkload } from '../../src/workload/conv.js';
import type { Workload } from '../../src/workload/workload.js';

/** Deterministic uniform numbers in [0, 1) (the mapper's PRNG). */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

export function factorsOf(n: number, parts: number, r: () => number): number[] {
  const out = new Array<number>(parts).fill(1);
  let rest = n;
  for (let p = 2; p <= rest; p++) {
    while (rest % p === 0) { out[Math.floor(r() * parts)] *= p; rest /= p; }
  }
  return out;
}

/** A random conv layer, a random hierarchy with fanouts, a random legal-shaped mapping. */
export function randomCase(r: () => number): { w: Workload; arch: Arch; m: Mapping } {
  const pick = (xs: number[]) => xs[Math.floor(r() * xs.length)];
  const w = convWorkload('rand', {
    N: pick([1, 2]), C: pick([1, 3, 4, 8, 16]), M: pick([2, 4, 8, 12]), P: pick([1, 4, 6, 7, 8]), Q: pick([1, 4, 5, 8]),
    R: pick([1, 3, 5]), S: pick([1, 3]), Wstride: pick([1, 1, 2]), Hstride: pick([1, 2]), Wdilation: pick([1, 1, 2]), Hdilation: 1,
  });
  const L = 2 + Math.floor(r() * 3);
  // Instances grow inwards: level 0 (innermost) has the most.
  const fx: number[] = [], fy: number[] = [];
  for (let l = 0; l < L; l++) { fx.push(pick([1, 1, 2, 3, 4])); fy.push(pick([1, 1, 2, 3])); }
  const storage: StorageLevel[] = [];
  let mx = 1, my = 1;
  const meshes: { x: number; y: number }[] = [];
  for (let l = L - 1; l >= 0; l--) { meshes[l] = { x: mx, y: my }; mx *= fx[l]; my *= fy[l]; }
  for (let l = 0; l < L; l++) {
    storage.push({
      name: `L${l}`, className: 'SRAM', instances: meshes[l].x * meshes[l].y, meshX: meshes[l].x, meshY: meshes[l].y,
      sizeWords: null, wordBits: 8, blockSize: 1, clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null,
      multipleBuffering: 1, isDummy: false, offChip: l === L - 1,
    });
  }
  const arch: Arch = { name: 'rand', compute: { name: 'mac', className: 'intmac', instances: mx * my, meshX: mx, meshY: my }, storage };
  const levels: LevelMapping[] = storage.map(() => ({ temporal: [], spatial: [], keep: w.dataSpaces.map(() => r() < 0.6) }));
  levels[L - 1] = { ...levels[L - 1], keep: w.dataSpaces.map(() => true) };
  const slots = L * 2;
  w.bounds.forEach((b, dim) => {
    const fs = factorsOf(b, slots, r);
    fs.forEach((f, k) => {
      if (f === 1) return;
      const l = Math.floor(k / 2);
      const lm = levels[l] as unknown as { temporal: { dim: number; factor: number }[]; spatial: { dim: number; factor: number; axis: 'X' | 'Y' }[] };
      if (k % 2 === 1 && l < L) {
        const axis = r() < 0.5 ? 'X' : 'Y';
        lm.spatial.push({ dim, factor: f, axis });
      } else lm.temporal.push({ dim, factor: f });
    });
  });
  // Random loop orders; X loops inside Y loops as Timeloop orders them.
  for (const lm of levels) {
    (lm.temporal as unknown as unknown[]).sort(() => r() - 0.5);
    (lm.spatial as unknown as { axis: string }[]).sort((a, b) => (a.axis === b.axis ? r() - 0.5 : a.axis === 'X' ? -1 : 1));
  }
  // Meshes must hold the spatial loops: grow the arch to fit them.
  return { w, arch: fitArch(arch, levels), m: { levels } };
}

function fitArch(arch: Arch, levels: LevelMapping[]): Arch {
  const L = arch.storage.length;
  const fx = levels.map((lm) => lm.spatial.filter((s) => s.axis === 'X').reduce((p, s) => p * s.factor, 1));
  const fy = levels.map((lm) => lm.spatial.filter((s) => s.axis === 'Y').reduce((p, s) => p * s.factor, 1));
  let mx = 1, my = 1;
  const storage = [...arch.storage];
  for (let l = L - 1; l >= 0; l--) {
    storage[l] = { ...storage[l], meshX: mx, meshY: my, instances: mx * my };
    mx *= fx[l]; my *= fy[l];
  }
  return { ...arch, storage, compute: { ...arch.compute, meshX: mx, meshY: my, instances: mx * my } };
}

