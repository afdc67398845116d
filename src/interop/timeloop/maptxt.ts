/**
 * Reads the loop-nest text Timeloop prints for a mapping (`*.map.txt`):
 * level headers `Name [ DS:words ... ]` listing the kept data spaces, then
 * `for D in [0:N)` lines, `(Spatial-X)`/`(Spatial-Y)` for spatial loops,
 * outermost first. The winners of older mapper runs exist only in this form.
 */
import type { Arch } from '../../arch/arch.js';
import type { LevelMapping, Loop, Mapping, SpatialLoop } from '../../mapping/mapping.js';
import type { Workload } from '../../workload/workload.js';
import { SpecError } from '../../spec/errors.js';

export function readMapText(text: string, file: string, w: Workload, arch: Arch): Mapping {
  const names = arch.storage.map((s) => s.name);
  const byLevel = new Map<number, { temporal: Loop[]; spatial: SpatialLoop[]; keep: boolean[] }>();
  let cur = -1;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const field = `line ${i + 1}`;
    const header = /^([A-Za-z_][\w.]*)\s*\[(.*)\]\s*$/.exec(line.trim());
    if (header && !line.trim().startsWith('|')) {
      const li = names.indexOf(header[1]);
      if (li < 0) throw new SpecError(file, field, `a storage level of the architecture (${names.join(', ')})`, header[1]);
      const kept = new Set(header[2].trim().split(/\s+/).filter((t) => t.includes(':')).map((t) => t.split(':')[0]));
      for (const k of kept) if (!w.dataSpaces.some((d) => d.name === k)) throw new SpecError(file, field, 'data spaces of the problem', k);
      byLevel.set(li, { temporal: [], spatial: [], keep: w.dataSpaces.map((d) => kept.has(d.name)) });
      cur = li;
      return;
    }
    // `for P in [0:9,2)`: an imperfect loop (end 9, residual 2), as Timeloop prints it (loop.cpp).
    const loop = /for\s+(\w+)\s+in\s+\[(\d+)\s*:\s*(\d+)(?:,(\d+))?\)\s*(\(Spatial-([XY])\))?/.exec(line);
    if (!loop) return;
    if (cur < 0) throw new SpecError(file, field, 'a level header before the first loop');
    const dim = w.dims.indexOf(loop[1]);
    if (dim < 0) throw new SpecError(file, field, `a dimension of the problem (${w.dims.join(', ')})`, loop[1]);
    const factor = Number(loop[3]) - Number(loop[2]);
    if (factor <= 1) return;
    const r = loop[4] === undefined ? factor : Number(loop[4]);
    if (!(r >= 1 && r <= factor)) throw new SpecError(file, field, `a residual between 1 and the factor ${factor}`, loop[4]);
    const base: Loop = r < factor ? { dim, factor, residual: r } : { dim, factor };
    const lv = byLevel.get(cur)!;
    // Lines run outermost first; the mapping stores innermost first.
    if (loop[5]) lv.spatial.unshift({ ...base, axis: loop[6] as 'X' | 'Y' });
    else lv.temporal.unshift(base);
  });
  const levels: LevelMapping[] = names.map((_, li) => byLevel.get(li) ?? { temporal: [], spatial: [], keep: w.dataSpaces.map(() => false) });
  return { levels };
}
