/**
 * Checks that a mapping fits its workload and architecture: factors multiply
 * to the bounds, spatial loops fit the fanout, kept tiles fit the capacity.
 * Violations are user errors naming the level, the tensor and the numbers.
 */
import { fanout, type Arch } from '../arch/arch.js';
import { SpecError } from '../spec/errors.js';
import { projectedSize, type Workload } from '../workload/workload.js';
import { residualOf, type Mapping } from './mapping.js';

/**
 * Per level (innermost first): the extent of every dimension its largest
 * tile spans — the product of the factors at and below it, or, with
 * imperfect loops and no loop of the dimension above that can be off its
 * last pass (residual ≥ 2), the last-pass extent 1 + Σ (residual − 1) × stride.
 */
export function tileExtents(w: Workload, m: Mapping): number[][] {
  const D = w.dims.length;
  const ext = new Array<number>(D).fill(1);
  const last = new Array<number>(D).fill(0);
  const full = m.levels.map((lm) => {
    for (const l of [...lm.spatial, ...lm.temporal]) { last[l.dim] += (residualOf(l) - 1) * ext[l.dim]; ext[l.dim] *= l.factor; }
    return { full: [...ext], resid: last.map((v) => v + 1) };
  });
  return full.map((t, li) => t.full.map((f, d) => {
    if (f === t.resid[d]) return f;
    const offLast = m.levels.some((lm, k) => k > li && [...lm.spatial, ...lm.temporal].some((l) => l.dim === d && residualOf(l) >= 2));
    return offLast ? f : t.resid[d];
  }));
}

/** Throw a {@link SpecError} (attributed to `file`) if the mapping is not legal. */
export function validateMapping(w: Workload, arch: Arch, m: Mapping, file: string, checks: { readonly capacity?: boolean; readonly fanout?: boolean } = {}): void {
  if (m.levels.length !== arch.storage.length) {
    throw new SpecError(file, 'mapping', `one entry per storage level (${arch.storage.length})`, String(m.levels.length));
  }
  // Timeloop's rule (src/mapping/parser.cpp): the loops of a dimension,
  // innermost first with strides = product of the factors inside, cover
  // 1 + Σ (residual − 1) × stride indices — the product of the factors when
  // every loop is perfect.
  const stride = new Array<number>(w.dims.length).fill(1);
  const last = new Array<number>(w.dims.length).fill(0);
  let imperfect = false;
  m.levels.forEach((lm) => [...lm.spatial, ...lm.temporal].forEach((l) => {
    if (!Number.isSafeInteger(l.factor) || l.factor < 1) throw new SpecError(file, 'mapping', 'positive whole factors', String(l.factor));
    const r = residualOf(l);
    if (!Number.isSafeInteger(r) || r < 1 || r > l.factor) throw new SpecError(file, 'mapping', `a residual between 1 and the factor ${l.factor}`, String(r));
    if (r < l.factor) imperfect = true;
    last[l.dim] += (r - 1) * stride[l.dim];
    stride[l.dim] *= l.factor;
  }));
  w.dims.forEach((d, i) => {
    const covered = last[i] + 1;
    if (covered !== w.bounds[i]) {
      throw new SpecError(file, `mapping.${d}`, imperfect ? `factors and residuals of ${d} that cover its bound ${w.bounds[i]}` : `factors of ${d} whose product is its bound ${w.bounds[i]}`, String(covered));
    }
  });
  // Spatial skipping checks the fanout it reduces itself (src/sparse/spatial-skip.ts).
  if (checks.fanout !== false) m.levels.forEach((lm, li) => {
    const name = arch.storage[li].name;
    const fo = fanout(arch, li);
    let x = 1, y = 1;
    for (const l of lm.spatial) { if (l.axis === 'X') x *= l.factor; else y *= l.factor; }
    if (x > fo.x) throw new SpecError(file, `mapping.${name}.spatial.X`, `a spatial X fanout of at most ${fo.x} under ${name}`, String(x));
    if (y > fo.y) throw new SpecError(file, `mapping.${name}.spatial.Y`, `a spatial Y fanout of at most ${fo.y} under ${name}`, String(y));
    if (x * y > fo.total) throw new SpecError(file, `mapping.${name}.spatial`, `a spatial fanout of at most ${fo.total} under ${name}`, String(x * y));
  });
  // Compressed tiles take less room: a sparse evaluation checks them itself.
  if (checks.capacity === false) return;
  const ext = tileExtents(w, m);
  m.levels.forEach((lm, li) => {
    const lv = arch.storage[li];
    if (lv.sizeWords === null) return;
    const cap = Math.floor(lv.sizeWords / lv.multipleBuffering);
    let used = 0;
    const parts: string[] = [];
    w.dataSpaces.forEach((ds, di) => {
      if (!lm.keep[di]) return;
      const s = projectedSize(ds, ext[li]);
      used += s;
      parts.push(`${ds.name} ${s}`);
    });
    if (used > cap) {
      throw new SpecError(file, `mapping.${lv.name}`, `tiles that fit ${lv.name}'s ${cap} words`, `${used} words (${parts.join(' + ')})`);
    }
  });
}
