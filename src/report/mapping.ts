/** Reports of a mapper run (`dnnergy map`): JSON with stable keys, and text with the loop nest. */
import type { Arch } from '../arch/arch.js';
import { mappingToTimeloop } from '../interop/timeloop/write.js';
import type { LowerBound } from '../mapper/bound.js';
import type { Baseline } from '../mapper/map.js';
import type { Objective } from '../mapper/search.js';
import type { RunStats } from '../mapper/run.js';
import type { Mapping } from '../mapping/mapping.js';
import { resultToJSON, type Result } from '../model/result.js';
import type { Workload } from '../workload/workload.js';
import { fmt, fmtEnergy, formatResult } from './table.js';

/** What a mapper run found, and how it searched. */
export interface MapReport {
  readonly workload: Workload;
  readonly arch: Arch;
  readonly objective: Objective;
  readonly seed: number;
  /** The best mapping, evaluated. */
  readonly mapping: Mapping;
  readonly result: Result;
  /** Objective of the best mapping, and the lower bound it is compared with. */
  readonly score: number;
  readonly bound: LowerBound;
  /** score / proven: at least 1. */
  readonly gap: number;
  readonly stats: RunStats;
  /** The proven bound on the objective (the exact search raises it above `bound.score`; default: `bound.score`). */
  readonly proven?: number;
  /** The gap is closed. */
  readonly optimal?: boolean;
  /** Mapspace sizes before and after canonicalisation (upper counts). */
  readonly size?: { readonly raw: number; readonly canonical: number };
  /** Random search under the same budget and seed (null: it found no legal mapping). */
  readonly baseline?: Baseline | null;
}

/** The JSON of `dnnergy map --json` (stable keys, no timings: byte-identical across reruns). */
export function mapReportToJSON(r: MapReport): unknown {
  const lb = r.bound;
  return {
    objective: r.objective,
    score: r.score,
    lower_bound: { score: lb.score, energy_pJ: lb.energyPJ, cycles: lb.cycles, compute_pJ: lb.parts.compute, backing_store_pJ: lb.parts.backingStore },
    gap: r.gap,
    proven_bound: r.proven ?? lb.score,
    optimal: r.optimal ?? r.score <= lb.score,
    ...(r.size ? { mapspace: { raw: r.size.raw, canonical: r.size.canonical } } : {}),
    search: {
      seed: r.seed, threads: r.stats.threads, evaluations: r.stats.evaluated, pruned: r.stats.pruned, best_at: r.stats.bestAt, exhaustive: r.stats.exhaustive, timed_out: r.stats.timedOut,
      ...(r.stats.exact ? { strategy: 'exact', complete: r.stats.exact.complete, pruned_by_bound: r.stats.exact.prunedByBound, over_capacity: r.stats.exact.illegal, anneal_evaluations: r.stats.exact.annealEvaluated } : {}),
    },
    ...(r.baseline !== undefined ? {
      random_baseline: r.baseline === null ? null : { score: r.baseline.score, energy_pJ: r.baseline.energyPJ, cycles: r.baseline.cycles, evaluations: r.baseline.evaluated, ratio: r.baseline.ratio },
    } : {}),
    result: resultToJSON(r.result),
    mapping: mappingToTimeloop(r.workload, r.arch, r.mapping),
  };
}

/** A score in the objective's unit. */
function scoreText(objective: Objective, s: number): string {
  return objective === 'energy' ? fmtEnergy(s) : objective === 'delay' ? `${fmt(s)} cycles` : `${s.toExponential(4)} pJ·cycles`;
}

/** The text of `dnnergy map`: score against the bound, the search, the per-level table, the loop nest. */
export function formatMapReport(r: MapReport): string {
  const st = r.stats;
  const x = st.exact;
  const proven = r.proven ?? r.bound.score;
  const optimal = r.optimal ?? r.score <= proven;
  return `best ${r.objective}: ${scoreText(r.objective, r.score)}; lower bound ${scoreText(r.objective, proven)}${proven > r.bound.score ? ` (proven by the search; the bound alone: ${scoreText(r.objective, r.bound.score)})` : ''}; ` +
    (optimal ? 'optimal\n' : `proven gap ${r.gap.toFixed(r.gap < 1.1 ? 3 : 2)}×\n`) +
    (r.size ? `mapspace: ${r.size.raw.toExponential(2)} mappings, ${r.size.canonical.toExponential(2)} after canonicalisation (orders of unit loops dropped)\n` : '') +
    (x
      ? `search: exact, ${fmt(st.evaluated)} mappings evaluated (${fmt(x.annealEvaluated)} annealing), ${x.prunedByBound.toExponential(2)} pruned by the bound, ${x.illegal.toExponential(2)} over capacity; ${x.complete ? 'the whole tree searched' : 'stopped, subtrees left open'} in ${(st.timeMs / 1000).toFixed(1)} s on ${st.threads} thread(s), seed ${r.seed}\n`
      : `search: ${fmt(st.evaluated)} mappings evaluated (${fmt(st.pruned)} pruned)${st.exhaustive ? ', the whole mapspace' : ''}${st.timedOut ? ', stopped at the time limit' : ''} in ${(st.timeMs / 1000).toFixed(1)} s on ${st.threads} thread(s), seed ${r.seed}; best found at evaluation ${fmt(st.bestAt)}\n`) +
    (r.baseline === undefined ? '' : r.baseline === null ? 'random search, same budget: no legal mapping found\n'
      : `random search, same budget: ${scoreText(r.objective, r.baseline.score)} (${r.baseline.ratio.toFixed(2)}× the best)\n`) +
    '\n' +
    formatResult(r.result, r.workload.name, r.arch.name) +
    '\n' + describeMapping(r.workload.dims, r.arch.storage.map((s) => s.name), r.mapping);
}

/** The mapping as a loop nest, outermost first. */
export function describeMapping(dims: readonly string[], names: readonly string[], m: Mapping): string {
  const lines: string[] = ['mapping (outermost first):'];
  let indent = '';
  for (let l = m.levels.length - 1; l >= 0; l--) {
    const lm = m.levels[l];
    lines.push(`${indent}${names[l]}${lm.keep.some((k) => k) ? '' : ' (bypassed)'}`);
    // An imperfect loop as Timeloop prints it: [0:end,residual).
    const ends = (l: { factor: number; residual?: number }) => (l.residual !== undefined && l.residual < l.factor ? `${l.factor},${l.residual}` : `${l.factor}`);
    for (const t of [...lm.temporal].reverse()) { lines.push(`${indent}  for ${dims[t.dim]} in [0:${ends(t)})`); indent += '  '; }
    for (const s of [...lm.spatial].reverse()) { lines.push(`${indent}  for ${dims[s.dim]} in [0:${ends(s)}) (spatial-${s.axis})`); indent += '  '; }
  }
  return lines.join('\n') + '\n';
}
