/**
 * A whole network on an accelerator: every layer with MACs is mapped (each
 * distinct shape once) and evaluated; the rest is listed as not modelled.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Constraints } from '../mapping/constraints.js';
import { mapLayer, mapSpaceOf, type LayerMapping } from '../mapper/map.js';
import { score, type Objective } from '../mapper/search.js';
import type { Result } from '../model/result.js';
import { offChipAccesses } from '../model/accesses.js';
import type { Pool } from '../util/pool.js';
import type { Workload } from '../workload/workload.js';
import { SpecError } from '../spec/errors.js';
import { residualOf, type Mapping } from '../mapping/mapping.js';
import { layerMacs, layerWorkload, shapeKey, type Layer, type Network } from './network.js';
import { actualWeights, evaluateLayerSparse, isSparse, SPARSITY_ASSUMPTION, type LayerDensities, type SparseLayerResult } from './sparsity.js';

export interface LayerReport {
  readonly layer: Layer;
  /** MACs for the whole batch (0 for layers without MACs). */
  readonly macs: number;
  /** The model's result for the best mapping found, or null if not modelled. */
  readonly result: Result | null;
  /** Whether this shape was mapped before (cache hit). */
  readonly cached: boolean;
  /** With the exact search ({@link AnalyzeOptions.exactTimeLimitMs} or `exactBudgetMs`): the proven lower bound on the layer's objective. */
  readonly proven?: number;
  /**
   * With {@link NetworkSearchOptions.imperfect}: each dimension the best
   * mapping covers with imperfect loops, by name, with its bound and the
   * extent its loops span (the pad: `{ P: { bound: 197, span: 200 } }`);
   * empty when its factors are perfect. The result then follows the exact
   * partial-tile rule.
   */
  readonly padded?: Readonly<Record<string, { readonly bound: number; readonly span: number }>>;
  /** With `proven`: the layer's objective over it (≥ 1; 1 when optimal). */
  readonly gap?: number;
  /** The best mapping found (with `result`), for re-evaluating the layer at other densities. */
  readonly mapping?: Mapping;
  /**
   * For a layer with a density below 1 (a pruned model's weights, or
   * `densities`): the sparse engine's evaluation of the same mapping under
   * the design's sparsity (network/sparsity.ts: RLC off chip, zero gating).
   */
  readonly sparse?: SparseLayerResult;
}

/** The energy a layer report counts: sparse when the weights are, else dense. */
export function layerEnergy(l: LayerReport): number {
  return l.sparse?.energyPJ ?? l.result?.energyPJ ?? 0;
}

export interface NetworkReport {
  readonly network: string;
  /** Mapped with {@link NetworkSearchOptions.imperfect}. */
  readonly imperfect?: boolean;
  readonly arch: string;
  readonly batch: number;
  readonly energyUnit: 'pJ' | 'MAC';
  readonly layers: readonly LayerReport[];
  readonly totals: {
    macs: number; energy: number; cycles: number; dramAccesses: number; mappedShapes: number;
    /** Layers of ops known to bear MACs that are not modelled (an imported Einsum, Attention): their MACs are not in `macs`. */
    macLayersLeftOut: number;
    /** Layers of ops the importer did not know (kept with the file's shapes): they may bear MACs that `macs` lacks. */
    unknownOps: number;
  };
  /** Every distinct warning of the layers' results (defaults, estimates, what was read but not modelled), in order. */
  readonly warnings: readonly string[];
}

/** How each layer of a network is searched: the batch, objective, budget and seed, and where the searches run. */
export interface NetworkSearchOptions {
  readonly batch: number;
  readonly objective: Objective;
  readonly evaluations: number;
  readonly seed: number;
  /** Independent searches per layer (default 1); they run on `pool`. */
  readonly threads?: number;
  /** Where the searches run (default: this thread). */
  readonly pool?: Pool;
  /**
   * Also search imperfect factors per layer (`--imperfect`): a layer whose
   * mapspace gets pads is mapped twice, perfect factors and the two-stage
   * padded search (mapper/padded.ts), and keeps the better by the exact
   * partial-tile cost; its result follows the exact rule.
   */
  readonly imperfect?: boolean;
}

export interface AnalyzeOptions extends NetworkSearchOptions {
  readonly constraints: (w: Workload) => Constraints;
  /** Names the design (a file or a built-in) in errors; default the architecture's name. */
  readonly source?: string;
  /**
   * Densities for every layer by role (`--density`); a role not given takes
   * the layer's own (a pruned model's weight density), else 1.
   */
  readonly densities?: LayerDensities;
  /** Called after each layer with the number done. */
  readonly onLayer?: (done: number, total: number) => void;
  /**
   * Map each distinct shape with the exact search for up to this long
   * (ms) instead of `evaluations` of annealing: each layer then carries a
   * proven bound on its objective (`proven`).
   */
  readonly exactTimeLimitMs?: number;
  /**
   * The exact search for every distinct shape under one time budget for
   * the whole network (ms) instead of a flat `exactTimeLimitMs`: a shape,
   * when first met, gets what is left of the budget times its share of the
   * MACs not yet mapped (repeats counted; at least {@link MIN_SHAPE_MS}),
   * so a shape that finishes early leaves its time to the others.
   */
  readonly exactBudgetMs?: number;
}

/** The least time a shape gets under {@link AnalyzeOptions.exactBudgetMs} (its annealing must find a legal mapping). */
export const MIN_SHAPE_MS = 250;

/**
 * Annealing evaluations per search before each shape's branch-and-bound
 * under {@link AnalyzeOptions.exactBudgetMs}: on resnet50's shapes on
 * `eyeriss` 20,000 already reach the optimum the search then proves, and
 * every millisecond of annealing beyond that is one the proof lacks.
 */
export const BUDGET_ANNEAL = 20_000;

export async function analyzeNetwork(net: Network, arch: Arch, energy: EnergyTable, o: AnalyzeOptions): Promise<NetworkReport> {
  const cache = new Map<string, { result: Result; mapping: Mapping }>();
  const bounds = new Map<string, number>();
  const exact = o.exactTimeLimitMs !== undefined || o.exactBudgetMs !== undefined;
  // The budget's shares: each distinct shape's MACs, every repeat counted.
  const share = new Map<string, number>();
  for (const l of net.layers) if (l.kind !== 'other') share.set(shapeKey(l), (share.get(shapeKey(l)) ?? 0) + layerMacs(l));
  let shareLeft = [...share.values()].reduce((a, b) => a + b, 0);
  const budgetEnd = o.exactBudgetMs === undefined ? 0 : Date.now() + o.exactBudgetMs;
  const layers: LayerReport[] = [];
  let energyTotal = 0, cycles = 0, macs = 0, dram = 0;
  for (const [i, layer] of net.layers.entries()) {
    if (layer.kind === 'other') {
      layers.push({ layer, macs: 0, result: null, cached: false });
      o.onLayer?.(i + 1, net.layers.length);
      continue;
    }
    const key = shapeKey(layer);
    let hit = cache.get(key);
    const cached = hit !== undefined;
    const w = layerWorkload(layer, o.batch);
    if (!hit) {
      let limit = o.exactTimeLimitMs;
      if (o.exactBudgetMs !== undefined) {
        const mine = share.get(key)!;
        limit = budgetSlice(budgetEnd - Date.now(), mine, shareLeft);
        shareLeft -= mine;
      }
      const mapped = await mapShape(w, arch, energy, o, limit);
      hit = { result: mapped.result, mapping: mapped.mapping };
      cache.set(key, hit);
      bounds.set(key, mapped.proven);
    }
    const result = hit.result;
    const proven = exact ? bounds.get(key) : undefined;
    const m = layerMacs(layer) * o.batch;
    const d: LayerDensities = { ...(layer.weightDensity !== undefined ? { weights: layer.weightDensity } : {}), ...o.densities };
    // The file's weight masks (kept on import for `--density-from actual`) give every weight tile its real occupancy.
    const mask = o.densities?.weights === undefined ? net.weightMasks?.get(layer.name) : undefined;
    const actual = mask ? actualWeights(w, layer, mask) ?? undefined : undefined;
    const sparse = isSparse(d) ? evaluateLayerSparse(w, arch, hit.mapping, energy, d, actual) ?? undefined : undefined;
    const padded = o.imperfect ? { padded: paddedDims(w, hit.mapping) } : {};
    const gap = proven !== undefined ? { proven, gap: score(o.objective, result.energyPJ, result.cycles) / proven } : {};
    const report: LayerReport = { layer, macs: m, result, cached, mapping: hit.mapping, ...(sparse ? { sparse } : {}), ...gap, ...padded };
    layers.push(report);
    energyTotal += layerEnergy(report);
    cycles += sparse?.cycles ?? result.cycles;
    macs += m;
    dram += offChipAccesses(sparse?.result ?? result);
    o.onLayer?.(i + 1, net.layers.length);
  }
  return {
    network: net.name, ...(o.imperfect ? { imperfect: true } : {}), arch: arch.name, batch: o.batch, energyUnit: energy.unit ?? 'pJ', layers,
    totals: {
      macs, energy: energyTotal, cycles, dramAccesses: dram, mappedShapes: cache.size,
      macLayersLeftOut: net.layers.filter((l) => l.kind === 'other' && l.macsLeftOut).length,
      unknownOps: net.layers.filter((l) => l.kind === 'other' && l.unknown).length,
    },
    warnings: [...new Set([
      ...layers.flatMap((l) => (o.imperfect ? namedWarnings(l) : l.sparse?.result.warnings ?? l.result?.warnings ?? [])), ...wordWarnings(net, arch),
      ...(layers.some((l) => l.sparse) ? [SPARSITY_ASSUMPTION] : []),
    ])],
  };
}

/**
 * A shape's time under a network budget: what is left of it (`leftMs`)
 * times the shape's share (its MACs, repeats counted) of the MACs of the
 * shapes not yet mapped, this one included; at least {@link MIN_SHAPE_MS}.
 */
export function budgetSlice(leftMs: number, share: number, shareLeft: number): number {
  return Math.max(MIN_SHAPE_MS, shareLeft > 0 ? (leftMs * share) / shareLeft : leftMs);
}

/**
 * One distinct layer shape, mapped as `o` asks: annealing or the exact
 * search; with imperfect factors also the padded search, the better of the
 * two kept (the perfect one on a tie, so a layer no pad helps keeps its
 * perfect-factor answer). Both costs are the exact partial-tile rule's (a
 * perfect mapping's are the same under either rule). The proven bound is
 * then the root bound: it holds for padded mappings too (docs/mapper.md,
 * "Bounds on imperfect mappings"), while the exact search's raised bound
 * covers perfect factors only.
 */
async function mapShape(w: Workload, arch: Arch, energy: EnergyTable, o: AnalyzeOptions, limitMs: number | undefined): Promise<LayerMapping> {
  const exact = limitMs === undefined ? {} : {
    strategy: 'exact' as const, timeLimitMs: limitMs, evaluations: Infinity, ...(o.exactBudgetMs !== undefined ? { exactAnneal: BUDGET_ANNEAL } : {}),
  };
  const search = { objective: o.objective, seed: o.seed, threads: o.threads, evaluations: o.evaluations, pool: o.pool, source: o.source, ...exact };
  const constraints = o.constraints(w);
  const perfect = await mapLayer(w, arch, energy, constraints, search);
  if (!o.imperfect) return perfect;
  const withPads = { ...constraints, imperfect: true };
  if (!mapSpaceOf(w, arch, withPads, o.source).imperfect) return perfect;
  const padded = await mapLayer(w, arch, energy, withPads, { ...search, partialTiles: 'exact' }).catch((e: unknown) => {
    // The padded search found no legal mapping in its budget: the perfect one stands.
    if (e instanceof SpecError) return perfect;
    throw e;
  });
  const best = padded.score < perfect.score ? padded : perfect;
  const root = Math.min(perfect.proven, perfect.bound.score);
  return { ...best, proven: root, gap: best.score / root, optimal: best.score <= root };
}

/**
 * An imperfect run's warnings of one layer: the partial-tile comparison
 * (Timeloop's rule against the exact one) names the layer it is about,
 * once per shape (a repeated shape has the same mapping and figures).
 */
function namedWarnings(l: LayerReport): readonly string[] {
  const ws = l.result?.warnings ?? [];
  if (l.result?.partialTiles === undefined) return ws;
  return l.cached ? [] : ws.map((w) => (w.startsWith('imperfect factors') ? `${l.layer.name}: ${w}` : w));
}

/** The dimensions `m` covers with imperfect loops, each with the extent its loops span (the product of their ends). */
function paddedDims(w: Workload, m: Mapping): Record<string, { bound: number; span: number }> {
  const out: Record<string, { bound: number; span: number }> = {};
  w.dims.forEach((name, d) => {
    let span = 1, partial = false;
    for (const lm of m.levels) for (const l of [...lm.temporal, ...lm.spatial]) if (l.dim === d) { span *= l.factor; if (residualOf(l) < l.factor) partial = true; }
    if (partial) out[name] = { bound: w.bounds[d], span };
  });
  return out;
}

/** Layers whose words (8-bit integer products of a quantised model) are narrower or wider than the design's: counted as the design's words. */
function wordWarnings(net: Network, arch: Arch): string[] {
  const bits = [...new Set(arch.storage.map((s) => s.wordBits))];
  const wb = (l: Layer): number | undefined => ('wordBits' in l && typeof l.wordBits === 'number' ? l.wordBits : undefined);
  const odd = net.layers.filter((l) => l.kind !== 'other' && wb(l) !== undefined && !bits.includes(wb(l)!));
  if (odd.length === 0) return [];
  const b = [...new Set(odd.map(wb))].join('/');
  return [`${odd.length} layer(s) compute on ${b}-bit words (quantised ops) but ${arch.name}'s levels hold ${bits.join('/')}-bit words: each operand is counted as one of the design's words at its energy per word (word width not modelled)`];
}
