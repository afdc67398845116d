/**
 * NetAdapt's look-up table: the cost of every layer variant NetAdapt asks
 * about, keyed by shape, so that a proposal's cost is a sum of entries and
 * each variant is mapped (or measured) once. A source prices one layer
 * variant: the dnnergy model on a design (energy, or latency in cycles of
 * the delay-optimal mapping), or a measurement (codesign/netadapt-cpu.ts).
 * Layers without MACs are priced only by sources that can (a CPU runs its
 * pooling; the model's accelerators do not model it).
 */
import type { ModelDesign } from './cost.js';
import { MapSpace, type Genome } from '../mapper/space.js';
import { planEnergy, type EnergyPlan } from '../model/cost.js';
import { SpecError } from '../spec/errors.js';
import type { Workload } from '../workload/workload.js';
import { layerWorkload, shapeKey, type ConvLayer, type FcLayer, type Layer, type Network, type OtherLayer, type TensorShape } from '../network/network.js';
import { channelCounts, channelDistance, familyKey, refitStarts, warmStartStrategy } from './netadapt-mapping.js';
import { fullMemoSearch, memoSearch, SearchMemo } from './netadapt-search.js';

/** Prices one layer variant for the table. */
export interface LayerCostSource {
  /** 'energy', 'latency', ... */
  readonly metric: string;
  /** 'pJ', 'MAC', 'cycles', 'ms'. */
  readonly unit: string;
  /** Label of the platform (a design's name, `cpu`). */
  readonly platform: string;
  layerCost(l: ConvLayer | FcLayer): Promise<number>;
  /** Cost of a layer without MACs reading `input`; absent: such layers cost nothing. */
  otherCost?(l: OtherLayer, input: TensorShape): Promise<number>;
  /** A constant per network run (a runtime's call overhead); absent: 0. */
  readonly fixed?: number;
  /**
   * Make the entries of several networks at once (a measured source times
   * them together, so one burst of load is shared by all of them instead of
   * landing on one entry); absent: entries are made one by one on use.
   */
  prime?(nets: readonly Network[]): Promise<void>;
}

/** A network's cost from the table: the total and each layer's entry. */
export interface TableCost {
  readonly total: number;
  readonly layers: readonly { readonly name: string; readonly cost: number }[];
}

/** Statistics of the table: entries made and the time they took (wall clock, and CPU time if the table was given a CPU clock). */
export interface TableStats {
  readonly entries: number;
  readonly lookups: number;
  readonly msTotal: number;
  readonly msPerEntry: number;
  readonly cpuMsTotal?: number;
  readonly cpuMsPerEntry?: number;
}

/** Clocks a table times its entries with, in ms: wall (default `performance.now`) and, optionally, this process's CPU time. */
export interface TableClocks {
  readonly wall?: () => number;
  /** CPU time of the process (user + system): on a shared machine the entries' own cost, whatever the load. */
  readonly cpu?: () => number;
}

/** The look-up table over a source. */
export interface CostTable {
  readonly source: LayerCostSource;
  cost(net: Network): Promise<TableCost>;
  /** The source's {@link LayerCostSource.prime} on `nets`, timed as the table's entries are; nothing if the source has none. */
  prime(nets: readonly Network[]): Promise<void>;
  stats(): TableStats;
}

function otherKey(l: OtherLayer, input: TensorShape): string {
  return `${l.op} ${input.join('x')} ${l.pool ? JSON.stringify(l.pool) : ''}`;
}

/** A look-up table over `source`: an entry per distinct layer shape, made on first use and timed. */
export function costTable(source: LayerCostSource, clocks: TableClocks = {}): CostTable {
  const now = clocks.wall ?? (() => performance.now());
  const entries = new Map<string, number>();
  let ms = 0, cpuMs = 0, lookups = 0;
  // Work that makes entries, its wall and CPU time added to the table's.
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const t0 = now(), c0 = clocks.cpu?.() ?? 0;
    const v = await work();
    ms += now() - t0;
    if (clocks.cpu) cpuMs += clocks.cpu() - c0;
    return v;
  };
  // A look-up: a hit is answered without a promise (NetAdapt asks thousands).
  const find = (key: string): number | undefined => {
    lookups++;
    return entries.get(key);
  };
  const entry = async (key: string, make: () => Promise<number>): Promise<number> => {
    const v = await timed(make);
    entries.set(key, v);
    return v;
  };
  return {
    source,
    async prime(nets) {
      if (source.prime) await timed(() => source.prime!(nets));
    },
    async cost(net) {
      const layers: { name: string; cost: number }[] = [];
      let total = source.fixed ?? 0;
      for (let i = 0; i < net.layers.length; i++) {
        const l = net.layers[i];
        let c = 0;
        if (l.kind === 'conv' || l.kind === 'fc') {
          const key = shapeKey(l);
          c = find(key) ?? await entry(key, () => source.layerCost(l));
        } else if (l.kind === 'other' && source.otherCost) {
          const input = net.tensors.get(net.edges[i].inputs[0]) ?? [];
          const key = otherKey(l, input);
          c = find(key) ?? await entry(key, () => source.otherCost!(l, input));
        } else if (l.kind === 'matmul') throw new Error(`${net.name}/${l.name}: matrix products are not priced by the NetAdapt table`);
        layers.push({ name: l.name, cost: c });
        total += c;
      }
      return { total, layers };
    },
    stats: () => ({
      entries: entries.size, lookups, msTotal: ms, msPerEntry: entries.size > 0 ? ms / entries.size : 0,
      ...(clocks.cpu ? { cpuMsTotal: cpuMs, cpuMsPerEntry: entries.size > 0 ? cpuMs / entries.size : 0 } : {}),
    }),
  };
}

/** How the model prices a layer variant. */
export interface ModelSourceOptions {
  readonly metric: 'energy' | 'latency';
  /** Mapper budget of a full search (a full-width layer's shape, or any shape without one). */
  readonly evaluations: number;
  readonly seed: number;
  /** Label of the design in the report. */
  readonly platform: string;
  /**
   * The full-width layers (the original network's): their shapes get the
   * full search, and any other member of their family (same shape but the
   * channel counts) is mapped by a short search from the nearest one's best
   * mapping re-fitted to it (codesign/netadapt-mapping.ts). Absent or empty:
   * every shape gets the full search.
   */
  readonly anchors?: readonly Layer[];
  /** Evaluations of the short search of a variant (default 32); 0: full searches only. */
  readonly variantEvaluations?: number;
}

/** What the model source did: full searches, variant searches, the variants that fell back to a full one, and the evaluator runs (repeated loop nests are answered from a memo). */
export interface ModelSourceStats {
  readonly fullSearches: number;
  readonly variantSearches: number;
  readonly fallbacks: number;
  /** Candidates the searches proposed (their budgets). */
  readonly candidates: number;
  /** Distinct loop nests among them: what the evaluator ran. */
  readonly evaluations: number;
}

/** The model as a table source, with counts of the searches it ran. */
export interface ModelSource extends LayerCostSource {
  searches(): ModelSourceStats;
}

/** Default evaluations of a variant's short search (chosen by test/codesign/measure-lut.ts: cost within ~1% of a full search per entry). */
export const VARIANT_EVALUATIONS = 32;

/**
 * The dnnergy model on a design as a table source, minimising what is
 * priced (energy, or delay for latency), with one seed and budget for every
 * search. A full-width layer's shape (an anchor) is mapped by the mapper's
 * full search; a variant of it (fewer channels) by a short search from the
 * nearest anchor's best mapping re-fitted to the variant, so an entry
 * depends only on its shape and the anchors, never on the order asked. The
 * search's best is the entry: `mapLayer`'s lower bound and re-validation
 * (which `analyze` and `map` report) would cost more than the search.
 */
export function modelSource(design: ModelDesign, o: ModelSourceOptions): ModelSource {
  const objective = o.metric === 'latency' ? 'delay' : 'energy';
  const variantBudget = o.variantEvaluations ?? VARIANT_EVALUATIONS;
  const plans = new Map<string, EnergyPlan>();
  const planFor = (w: Workload) => {
    const names = w.dataSpaces.map((d) => d.name);
    let p = plans.get(names.join('\0'));
    if (!p) { p = planEnergy(design.arch, design.energy, 'v4', names); plans.set(names.join('\0'), p); }
    return p;
  };
  // Anchors by family, in network order (the nearest wins; ties: the earlier).
  const families = new Map<string, { key: string; layer: ConvLayer | FcLayer }[]>();
  for (const l of o.anchors ?? []) {
    if (l.kind !== 'conv' && l.kind !== 'fc') continue;
    const f = familyKey(l);
    const list = families.get(f) ?? [];
    if (!list.some((a) => a.key === shapeKey(l))) list.push({ key: shapeKey(l), layer: l });
    families.set(f, list);
  }
  const full = new Map<string, Promise<{ cost: number; genome: Genome }>>();
  let fullSearches = 0, variantSearches = 0, fallbacks = 0, candidates = 0, evaluations = 0;
  const memo = new SearchMemo();
  // Starting genomes, reused by every variant of a family (same levels, dimensions and data spaces).
  const scratches = new Map<string, Genome[]>();
  const counted = <R extends { candidates: number; evaluated: number }>(r: R): R => { candidates += r.candidates; evaluations += r.evaluated; return r; };
  const costOf = (r: { energyPJ: number; cycles: number }) => (o.metric === 'latency' ? r.cycles : r.energyPJ);
  const fullSearch = (l: ConvLayer | FcLayer) => {
    const key = shapeKey(l);
    let p = full.get(key);
    if (!p) {
      p = (async () => {
        fullSearches++;
        const w = layerWorkload(l, 1);
        const r = counted(fullMemoSearch(w, design.arch, new MapSpace(w, design.arch, design.constraints(w)), planFor(w), { objective, seed: o.seed, evaluations: o.evaluations }, memo));
        if (!r.best) throw new SpecError(o.platform, `layer ${l.name}`, `a legal mapping within ${o.evaluations} evaluations (raise --evaluations)`, 'none');
        return { cost: costOf(r), genome: r.best };
      })();
      full.set(key, p);
    }
    return p;
  };
  return {
    metric: o.metric,
    unit: o.metric === 'latency' ? 'cycles' : design.energy.unit ?? 'pJ',
    platform: o.platform,
    searches: () => ({ fullSearches, variantSearches, fallbacks, candidates, evaluations }),
    async layerCost(l) {
      const key = shapeKey(l);
      const family = families.get(familyKey(l));
      if (variantBudget <= 0 || !family || family.some((a) => a.key === key)) return (await fullSearch(l)).cost;
      const ch = channelCounts(l);
      let near = family[0];
      for (const a of family) if (channelDistance(ch, channelCounts(a.layer)) < channelDistance(ch, channelCounts(near.layer))) near = a;
      const anchor = await fullSearch(near.layer);
      const w = layerWorkload(l, 1);
      const space = new MapSpace(w, design.arch, design.constraints(w));
      let scratch = scratches.get(familyKey(l));
      if (!scratch) { scratch = []; scratches.set(familyKey(l), scratch); }
      const starts = refitStarts(space, anchor.genome, design.arch, scratch);
      variantSearches++;
      const r = counted(memoSearch(w, design.arch, space, planFor(w), { objective, seed: o.seed, evaluations: variantBudget }, warmStartStrategy(starts), memo));
      if (r.best) return costOf(r);
      // Nothing legal near the anchor's mapping: this variant gets a search of its own.
      fallbacks++;
      return (await fullSearch(l)).cost;
    },
  };
}
