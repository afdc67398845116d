/**
 * Timeloop's sparse inputs in typed form: `sparse_optimizations` (a
 * top-level section, or per component as v4 `!Component` attributes after
 * the front end collects them; v3 spellings `action-optimization`,
 * `representation-format`, `compute-optimization`, `condition-on`) and the
 * problem's densities (`instance.densities`, v3 `density_distribution`).
 * Errors name the field path.
 */
import type { Arch } from '../../arch/arch.js';
import type { DensitySpec, LevelSparsity, OptimizationGroup, RankFormat, RankFormatName, SparseSpec, TensorFormat } from '../../sparse/spec.js';
import type { Workload } from '../../workload/workload.js';
import { At, isObj, list, num, obj, str, strList, type Obj } from '../../spec/read.js';
import { rankExtents, tileOf } from '../../sparse/tiles.js';
import type { Merged } from './v4.js';

const FORMATS: Record<string, RankFormatName> = { uop: 'UOP', cp: 'CP', rle: 'RLE', b: 'B', ub: 'UB', bitmask: 'B', coordinate_payload: 'CP', run_length_encoding: 'RLE', uncompressed_offset_pair: 'UOP', uncompressed_bitmask: 'UB' };

function key(o: Obj, ...names: string[]): string | undefined {
  return names.find((n) => o[n] !== undefined && o[n] !== null);
}

/** Attributes of every component of an architecture tree, by name (without an instance range). */
function componentAttributes(v: unknown, out = new Map<string, Obj>()): Map<string, Obj> {
  if (!isObj(v)) return out;
  for (const k of ['local', 'subtree', 'nodes']) {
    const items = v[k];
    if (!Array.isArray(items)) continue;
    for (const it of items) {
      if (!isObj(it)) continue;
      if (typeof it.name === 'string' && isObj(it.attributes)) out.set(it.name.replace(/\[.*\]$/, ''), it.attributes);
      componentAttributes(it, out);
    }
  }
  return out;
}

function attrNum(a: Obj | undefined, ...names: string[]): number | undefined {
  if (!a) return undefined;
  for (const n of names) if (typeof a[n] === 'number') return a[n] as number;
  return undefined;
}

/**
 * One tensor's density model as Timeloop's DensityDistributionFactory reads
 * it (0fc43fb): `fixed`/`fixed_structured` (v4 front end: `fixed-structured`)
 * and `hypergeometric` take `density`; `banded`/`diagonal` take `band_width`
 * (default 0) on a square matrix and imply their density. A hypergeometric
 * tensor's size is the whole data space's: Timeloop sets it from the
 * workload before any analysis, over a `workload_tensor_size` given.
 */
export function densityOf(v: unknown, at: At, w: Workload, s: number): DensitySpec {
  if (typeof v === 'number') {
    if (!(v >= 0 && v <= 1)) at.fail('a density between 0 and 1', v);
    return { distribution: 'fixed_structured', density: v };
  }
  const o = obj(v, at);
  const dist = o.distribution === undefined ? 'fixed_structured' : str(o.distribution, at.key('distribution'));
  const ds = w.dataSpaces[s];
  if (dist === 'banded' || dist === 'diagonal') {
    const bw = o.band_width === undefined || o.band_width === null ? 0 : num(o.band_width, at.key('band_width'));
    if (!(Number.isSafeInteger(bw) && bw >= 0)) at.key('band_width').fail('a whole number of diagonals ≥ 0', bw);
    const shape = rankExtents(ds, w.bounds);
    if (shape.length !== 2 || shape[0] !== shape[1]) at.key('distribution').fail(`a square matrix for a banded density (Timeloop's rule; ${ds.name} is ${shape.join('×')})`, dist);
    let nnz = shape[0];
    for (let ud = 1; ud <= bw; ud++) nnz += (shape[0] - ud) * 2;
    return { distribution: 'banded', density: nnz / (shape[0] * shape[1]), bandWidth: bw, shape };
  }
  const d = num(o.density, at.key('density'));
  if (!(d >= 0 && d <= 1)) at.key('density').fail('a density between 0 and 1', d);
  if (dist === 'fixed_structured' || dist === 'fixed-structured' || dist === 'fixed') return { distribution: 'fixed_structured', density: d };
  if (dist === 'hypergeometric') return { distribution: 'hypergeometric', density: d, tensorSize: tileOf(ds, w.bounds) };
  return at.key('distribution').fail('fixed_structured, fixed, hypergeometric, banded or diagonal', dist);
}

/**
 * The sparse spec of Timeloop inputs, or null when they give neither
 * optimizations nor densities. Unknown level or tensor names are errors.
 */
export function readSparse(sections: Merged, w: Workload, arch: Arch): SparseSpec | null {
  const S = w.dataSpaces.length;
  const warnings: string[] = [];
  const dsIndex = (name: string, at: At) => {
    const i = w.dataSpaces.findIndex((d) => d.name === name);
    if (i < 0) at.fail(`a data space of the problem (${w.dataSpaces.map((d) => d.name).join(', ')})`, name);
    return i;
  };
  // Densities.
  const densities: DensitySpec[] = w.dataSpaces.map(() => ({ distribution: 'fixed_structured', density: 1 }));
  let anyDensity = false;
  const prob = sections.get('problem');
  if (prob && isObj(prob.value) && isObj(prob.value.instance)) {
    const inst = prob.value.instance;
    const iat = prob.at.key('instance');
    const k = key(inst, 'densities', 'density_distribution', 'densities_distribution');
    // Timeloop reads `commonDensity` (one model for every tensor) before `densities`.
    if (inst.commonDensity !== undefined && inst.commonDensity !== null) {
      w.dataSpaces.forEach((_, s) => { densities[s] = densityOf(inst.commonDensity, iat.key('commonDensity'), w, s); });
      anyDensity = densities.some((d) => d.density !== 1 || d.distribution !== 'fixed_structured');
    } else if (k) {
      const dens = obj(inst[k], iat.key(k));
      for (const [name, v] of Object.entries(dens)) {
        const at = iat.key(k).key(name);
        const s = dsIndex(name, at);
        const spec = densityOf(v, at, w, s);
        densities[s] = spec;
        if (spec.density !== 1 || spec.distribution !== 'fixed_structured') anyDensity = true;
      }
    }
  }
  // Optimizations.
  const attrs = componentAttributes(sections.get('architecture')?.value);
  const levels: LevelSparsity[] = arch.storage.map((lv) => {
    const a = attrs.get(lv.name);
    return {
      formats: new Array<TensorFormat | null>(S).fill(null), gating: [], skipping: [], spatialSkipping: [],
      metadataWidth: attrNum(a, 'metadata_storage_width', 'metadata_width') ?? 0,
      metadataWordBits: attrNum(a, 'metadata_datawidth', 'metadata_word_bits') ?? 0,
      metadataDepth: attrNum(a, 'metadata_storage_depth', 'metadata_depth') ?? null,
    };
  });
  const compute = { gateOnZeroOperand: false, skipOnNotAlignedOperands: false };
  let anyOpt = false;
  const src = sections.get('sparse_optimizations') ?? sections.get('sparse-optimizations');
  if (src && isObj(src.value) && src.value.targets !== undefined && src.value.targets !== null) {
    const tat = src.at.key('targets');
    list(src.value.targets, tat).forEach((raw, ti) => {
      const at = tat.key(ti);
      const d = obj(raw, at);
      const name = str(d.name, at.key('name'));
      const li = arch.storage.findIndex((l) => l.name === name);
      const isCompute = name === arch.compute.name;
      if (li < 0 && !isCompute) at.key('name').fail(`a storage level or the compute unit (${[...arch.storage.map((l) => l.name), arch.compute.name].join(', ')})`, name);
      const co = key(d, 'compute_optimization', 'compute-optimization');
      if (co) {
        anyOpt = true;
        list(d[co], at.key(co)).forEach((c, ci) => {
          const cat = at.key(co).key(ci);
          const type = str(obj(c, cat).type, cat.key('type'));
          if (type === 'gate_on_zero_operand' || type === 'gating') compute.gateOnZeroOperand = true;
          else if (type === 'skip_on_not_aligned_operands' || type === 'skipping') compute.skipOnNotAlignedOperands = true;
          else cat.key('type').fail('gate_on_zero_operand, skip_on_not_aligned_operands, gating or skipping', type);
        });
      }
      if (li < 0) return;
      const lv = levels[li] as unknown as { formats: (TensorFormat | null)[]; gating: OptimizationGroup[]; skipping: OptimizationGroup[]; spatialSkipping: OptimizationGroup[] };
      const rf = key(d, 'representation_format', 'representation-format');
      if (rf) {
        anyOpt = true;
        const r = obj(d[rf], at.key(rf));
        const dk = key(r, 'data_spaces', 'data-spaces');
        if (dk) list(r[dk], at.key(rf).key(dk)).forEach((e, ei) => {
          const eat = at.key(rf).key(dk).key(ei);
          const o = obj(e, eat);
          const s = dsIndex(str(o.name, eat.key('name')), eat.key('name'));
          const ok = key(o, 'rank_application_order', 'rank-application-order');
          const order = ok === undefined ? 'outer_to_inner' : str(o[ok], eat.key(ok)).replace(/-/g, '_');
          if (order !== 'outer_to_inner' && order !== 'inner_to_outer') eat.key(ok!).fail('inner_to_outer or outer_to_inner', order);
          const ranks: RankFormat[] = list(o.ranks, eat.key('ranks')).map((rk, ri) => {
            const rat = eat.key('ranks').key(ri);
            const ro = obj(rk, rat);
            const fname = str(ro.format, rat.key('format'));
            const format = FORMATS[fname.toLowerCase()];
            if (!format) rat.key('format').fail('UOP, CP, RLE, B or UB', fname);
            const fk = key(ro, 'flattened_rankIDs', 'flattened-rankIDs', 'flattened_rank_ids');
            const flattened = fk ? list(ro[fk], rat.key(fk)).map((g, gi) => strList(g, rat.key(fk).key(gi)).map((dn, di) => {
              const x = w.dims.indexOf(dn);
              if (x < 0) rat.key(fk).key(gi).key(di).fail(`a dimension (${w.dims.join(', ')})`, dn);
              return x;
            })) : [];
            const bits = (...ks: string[]) => { const k = key(ro, ...ks); return k === undefined ? undefined : num(ro[k], rat.key(k)); };
            return { format, flattened, metadataWordBits: bits('metadata_word_bits', 'metadata-word-bits'), payloadWordBits: bits('payload_word_bits', 'payload-word-bits') };
          });
          let seenUncompressed = false;
          [...ranks].reverse().forEach((rk) => {
            const c = rk.format === 'CP' || rk.format === 'RLE' || rk.format === 'B';
            if (seenUncompressed && c) eat.key('ranks').fail('compressed ranks inside uncompressed ones only (Timeloop refuses an uncompressed rank under a compressed one)', rk.format);
            if (!c) seenUncompressed = true;
          });
          lv.formats[s] = { ranks, innerToOuter: order === 'inner_to_outer' };
        });
      }
      const ao = key(d, 'action_optimization', 'action-optimization');
      if (ao) {
        anyOpt = true;
        list(d[ao], at.key(ao)).forEach((a, ai) => {
          const aat = at.key(ao).key(ai);
          const o = obj(a, aat);
          const type = str(o.type, aat.key('type'));
          const option = (x: Obj, xat: At) => {
            const ck = key(x, 'condition_on', 'condition-on');
            if (x.target === undefined || !ck) xat.fail('an option with `target` and `condition_on`', x);
            return { target: dsIndex(str(x.target, xat.key('target')), xat.key('target')), conditionOn: strList(x[ck!], xat.key(ck!)).map((n, ni) => dsIndex(n, xat.key(ck!).key(ni))) };
          };
          const group = o.options !== undefined ? list(o.options, aat.key('options')).map((x, xi) => option(obj(x, aat.key('options').key(xi)), aat.key('options').key(xi))) : [option(o, aat)];
          if (type === 'gating') lv.gating.push(group);
          else if (type === 'skipping') lv.skipping.push(group);
          else if (type === 'skipping_spatial' || type === 'spatial_skipping' || type === 'skipping-spatial') lv.spatialSkipping.push(group);
          else aat.key('type').fail('gating, skipping or skipping_spatial', type);
        });
      }
    });
  }
  if (!anyOpt && !anyDensity) return null;
  return { densities, levels, compute, warnings };
}
