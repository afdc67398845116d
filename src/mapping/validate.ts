/**
 * Checks that a mapping fits its workload and architecture: factors multiply
 * to the bounds, spatial loops fit the fanout, kept tiles fit the capacity.
 * Violations are user errors naming the level, the tensor and the numbers.
 */
import { fanout, type Arch } from '../arch/arch.js';
import { SpecError } from '../spec/errors.js';
import { projectedSize, type Workload } from '../workload/workload.js';
import type { Mapping } from './mapping.js';

/** Per level (innermost first): the extent of every dimension its tile spans. */
export function tileExtents(w: Workload, m: Mapping): number[][] {
  const ext = new Array<number>(w.dims.length).fill(1);
  return m.levels.map((lm) => {
    for (const l of lm.spatial) ext[l.dim] *= l.factor;
    for (const l of lm.temporal) ext[l.dim] *= l.factor;
    return [...ext];
  });
}

/** Throw a {@link SpecError} (attributed to `file`) if the mapping is not legal. */
export function validateMapping(w: Workload, arch: Arch, m: Mapping, file: string, checks: { readonly capacity?: boolean } = {}): void {
  if (m.levels.length !== arch.storage.length) {
    throw new SpecError(file, 'mapping', `one entry per storage level (${arch.storage.length})`, String(m.levels.length));
  }
  const prod = new Array<number>(w.dims.length).fill(1);
  m.levels.forEach((lm) => [...lm.temporal, ...lm.spatial].forEach((l) => {
    if (!Number.isSafeInteger(l.factor) || l.factor < 1) throw new SpecError(file, 'mapping', 'positive whole factors', String(l.factor));
    prod[l.dim] *= l.factor;
  }));
  w.dims.forEach((d, i) => {
    if (prod[i] !== w.bounds[i]) throw new SpecError(file, `mapping.${d}`, `factors of ${d} whose product is its bound ${w.bounds[i]}`, String(prod[i]));
  });
  m.levels.forEach((lm, li) => {
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
