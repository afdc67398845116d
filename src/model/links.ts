/**
 * Link transfers between mesh neighbours, the exact (enumerating) side: a
 * child whose next tile is its neighbour's current one, moved by the
 * event's translation, takes it over the link instead of from the parent
 * (Timeloop's neighbour links). The kernel (nest.ts) detects cheaply when
 * this can happen and only then comes here, so nothing here is on the
 * mapper's common path.
 */
import type { CompiledMapping, CompiledProblem } from './compile.js';

/** Tile offsets of a level's children and the mesh they sit on. */
export interface ChildGrid {
  /** Per child (innermost spatial loop fastest), the tile's offset per rank. */
  readonly offsets: number[][];
  /** Children per mesh row and per mesh column. */
  readonly hs: number;
  readonly vs: number;
}

/** What link transfers do for one event translation at one level. */
export interface LinkInfo {
  /** Children that take the delta from a mesh neighbour. */
  readonly linked: number;
  /** Distinct tiles the parent still serves. */
  readonly remaining: number;
}

/**
 * Child tile offsets of level l's spatial loops for data space s, enumerated
 * (innermost loop fastest). `stride` holds each loop's step (the kernel's,
 * for the current mapping); `fanout` the level's used fanout.
 */
export function childOffsets(p: CompiledProblem, m: CompiledMapping, s: number, l: number, stride: Float64Array, fanout: number): ChildGrid {
  const { D, RM, coef } = p;
  const R = p.ranks[s];
  const idx: number[] = [];
  let lx = 1, ly = 1;
  for (let i = 0; i < m.n; i++) if (m.level[i] === l && m.spatial[i] === 1) { idx.push(i); if (m.axisY[i]) ly *= m.factor[i]; else lx *= m.factor[i]; }
  const offsets: number[][] = [];
  const ctr = new Array<number>(idx.length).fill(0);
  for (let key = 0; key < fanout; key++) {
    const o = new Array<number>(R).fill(0);
    for (let q = 0; q < idx.length; q++) for (let k = 0; k < R; k++) o[k] += ctr[q] * coef[s * RM * D + k * D + m.dim[idx[q]]] * stride[idx[q]];
    offsets.push(o);
    for (let q = 0; q < idx.length; q++) { if (++ctr[q] < m.factor[idx[q]]) break; ctr[q] = 0; }
  }
  return { offsets, hs: Math.max(p.meshX[l], lx), vs: Math.max(p.meshY[l], ly) };
}

/** Distinct child tiles under level l's spatial loops, by enumeration (for loops that move a tile along two ranks). */
export function distinctChildTiles(p: CompiledProblem, m: CompiledMapping, s: number, l: number, stride: Float64Array, fanout: number): number {
  return new Set(childOffsets(p, m, s, l, stride, fanout).offsets.map((o) => o.join(','))).size;
}

/**
 * {@link LinkInfo} per (data space, level, translation, spatial loops),
 * remembered: a search meets the same few again and again. Bounded (cleared
 * past 10,000 entries).
 */
export class LinkCache {
  private readonly map = new Map<string, LinkInfo>();

  /** Children that can take a delta translated by τ from a mesh neighbour, and the distinct tiles left. */
  info(p: CompiledProblem, m: CompiledMapping, s: number, l: number, tau: readonly number[], stride: Float64Array, fanout: number): LinkInfo {
    const sig: number[] = [s, l, ...tau];
    for (let i = 0; i < m.n; i++) if (m.level[i] === l && m.spatial[i] === 1) sig.push(m.dim[i], m.factor[i], m.axisY[i], stride[i]);
    const key = sig.join(',');
    const hit = this.map.get(key);
    if (hit) return hit;
    const { offsets, hs, vs } = childOffsets(p, m, s, l, stride, fanout);
    const F = offsets.length;
    const R = tau.length;
    const neighbour = (k: number, n: number) => {
      if (n < 0 || n >= F) return false;
      for (let r = 0; r < R; r++) if (offsets[n][r] - offsets[k][r] !== tau[r]) return false;
      return true;
    };
    let linked = 0;
    const left = new Set<string>();
    for (let k = 0; k < F; k++) {
      const h = k % hs;
      const v = Math.floor(k / hs);
      const ok =
        (vs > 1 && v >= 1 && neighbour(k, k - hs)) ||
        (vs > 1 && v < vs - 1 && neighbour(k, k + hs)) ||
        (hs > 1 && h >= 1 && neighbour(k, k - 1)) ||
        (hs > 1 && h < hs - 1 && neighbour(k, k + 1));
      if (ok) linked++;
      else left.add(offsets[k].join(','));
    }
    const res = { linked, remaining: left.size };
    if (this.map.size > 10000) this.map.clear();
    this.map.set(key, res);
    return res;
  }
}
