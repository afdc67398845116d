/** Writes a mapping in Timeloop's v0.4 mapping format (what `dnnergy model` and Timeloop read). */
import { stringify } from 'yaml';
import type { Arch } from '../../arch/arch.js';
import { residualOf, type Loop, type Mapping } from '../../mapping/mapping.js';
import type { Workload } from '../../workload/workload.js';

/** A factor as Timeloop writes it: `9`, or `9,2` for an imperfect loop (end, residual). */
function factorText(l: Loop): string {
  const r = residualOf(l);
  return r < l.factor ? `${l.factor},${r}` : String(l.factor);
}

/** The `mapping:` list: per level a datatype (keep/bypass), a temporal and, if any, a spatial entry. */
export function mappingToTimeloop(w: Workload, arch: Arch, m: Mapping): unknown[] {
  const out: unknown[] = [];
  const dims = w.dims;
  // Permutations are strings of one-letter dimensions, or space-separated names.
  const sep = dims.every((n) => n.length === 1) ? '' : ' ';
  arch.storage.forEach((lv, l) => {
    const lm = m.levels[l];
    out.push({
      target: lv.name,
      type: 'datatype',
      keep: w.dataSpaces.filter((_, s) => lm.keep[s]).map((d) => d.name),
      bypass: w.dataSpaces.filter((_, s) => !lm.keep[s]).map((d) => d.name),
    });
  });
  arch.storage.forEach((lv, l) => {
    const lm = m.levels[l];
    const tf = new Map(lm.temporal.map((x) => [x.dim, factorText(x)]));
    const torder = [...lm.temporal.map((x) => x.dim), ...dims.map((_, d) => d).filter((d) => !tf.has(d))];
    out.push({
      target: lv.name,
      type: 'temporal',
      factors: dims.map((n, d) => `${n}=${tf.get(d) ?? 1}`).join(' '),
      permutation: torder.map((d) => dims[d]).join(sep),
    });
    if (lm.spatial.length > 0) {
      const xs = lm.spatial.filter((x) => x.axis === 'X');
      const ys = lm.spatial.filter((x) => x.axis === 'Y');
      const sf = new Map(lm.spatial.map((x) => [x.dim, factorText(x)]));
      const rest = dims.map((_, d) => d).filter((d) => !sf.has(d));
      const order = [...xs.map((x) => x.dim), ...ys.map((x) => x.dim), ...rest];
      out.push({
        target: lv.name,
        type: 'spatial',
        factors: dims.map((n, d) => `${n}=${sf.get(d) ?? 1}`).join(' '),
        permutation: order.map((d) => dims[d]).join(sep),
        split: xs.length,
      });
    }
  });
  return out;
}

export function mappingToYaml(w: Workload, arch: Arch, m: Mapping): string {
  return stringify({ mapping: mappingToTimeloop(w, arch, m) }, { lineWidth: 0 });
}
