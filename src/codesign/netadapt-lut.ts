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
import { runMapper } from '../mapper/run.js';
import { planEnergy } from '../model/cost.js';
import { SpecError } from '../spec/errors.js';
import { layerWorkload, shapeKey, type ConvLayer, type FcLayer, type Network, type OtherLayer, type TensorShape } from '../network/network.js';

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
}

/** A network's cost from the table: the total and each layer's entry. */
export interface TableCost {
  readonly total: number;
  readonly layers: readonly { readonly name: string; readonly cost: number }[];
}

/** Statistics of the table: entries made and the time they took. */
export interface TableStats {
  readonly entries: number;
  readonly lookups: number;
  readonly msTotal: number;
  readonly msPerEntry: number;
}

/** The look-up table over a source. */
export interface CostTable {
  readonly source: LayerCostSource;
  cost(net: Network): Promise<TableCost>;
  stats(): TableStats;
}

function otherKey(l: OtherLayer, input: TensorShape): string {
  return `${l.op} ${input.join('x')} ${l.pool ? JSON.stringify(l.pool) : ''}`;
}

/** A look-up table over `source`: an entry per distinct layer shape, made on first use and timed. */
export function costTable(source: LayerCostSource, now: () => number = () => performance.now()): CostTable {
  const entries = new Map<string, number>();
  let ms = 0, lookups = 0;
  const entry = async (key: string, make: () => Promise<number>): Promise<number> => {
    lookups++;
    const have = entries.get(key);
    if (have !== undefined) return have;
    const t0 = now();
    const v = await make();
    ms += now() - t0;
    entries.set(key, v);
    return v;
  };
  return {
    source,
    async cost(net) {
      const layers: { name: string; cost: number }[] = [];
      let total = source.fixed ?? 0;
      for (const [i, l] of net.layers.entries()) {
        let c = 0;
        if (l.kind === 'conv' || l.kind === 'fc') c = await entry(shapeKey(l), () => source.layerCost(l));
        else if (l.kind === 'other' && source.otherCost) {
          const input = net.tensors.get(net.edges[i].inputs[0]) ?? [];
          c = await entry(otherKey(l, input), () => source.otherCost!(l, input));
        } else if (l.kind === 'matmul') throw new Error(`${net.name}/${l.name}: matrix products are not priced by the NetAdapt table`);
        layers.push({ name: l.name, cost: c });
        total += c;
      }
      return { total, layers };
    },
    stats: () => ({ entries: entries.size, lookups, msTotal: ms, msPerEntry: entries.size > 0 ? ms / entries.size : 0 }),
  };
}

/** How the model prices a layer variant. */
export interface ModelSourceOptions {
  readonly metric: 'energy' | 'latency';
  /** Mapper budget per layer shape. */
  readonly evaluations: number;
  readonly seed: number;
  /** Label of the design in the report. */
  readonly platform: string;
}

/**
 * The dnnergy model on a design as a table source: each shape mapped once,
 * minimising what is priced (energy, or delay for latency), with one seed
 * and budget for every shape so an entry never depends on the order asked.
 * The search's best is the entry: `mapLayer`'s lower bound and re-validation
 * (which `analyze` and `map` report) would cost ~15 ms per entry, more than
 * a small search.
 */
export function modelSource(design: ModelDesign, o: ModelSourceOptions): LayerCostSource {
  return {
    metric: o.metric,
    unit: o.metric === 'latency' ? 'cycles' : design.energy.unit ?? 'pJ',
    platform: o.platform,
    async layerCost(l) {
      const w = layerWorkload(l, 1);
      const plan = planEnergy(design.arch, design.energy, 'v4', w.dataSpaces.map((d) => d.name));
      const r = await runMapper(w, design.arch, design.constraints(w), plan, {
        objective: o.metric === 'latency' ? 'delay' : 'energy', seed: o.seed, evaluations: o.evaluations, threads: 1,
      });
      if (!r.best) throw new SpecError(o.platform, `layer ${l.name}`, `a legal mapping within ${o.evaluations} evaluations (raise --evaluations)`, 'none');
      return o.metric === 'latency' ? r.cycles : r.energyPJ;
    },
  };
}
