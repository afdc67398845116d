/**
 * One layer's mapping on a chip under its sparse spec: the sparse engine's
 * counts and energies (evaluateSparse), with two things the engine does not
 * do added:
 * - networks-on-chip: the engine's result has no network limits (model/
 *   noc.ts runs on the nest analysis' counts); chip-noc.ts rebuilds those
 *   counts from what the sparse run moves and runs noc.ts's rules on them;
 * - gating takes time: Sparseloop lowers the compute cycles by the
 *   computes a storage-level gating removes below it, but a chip that
 *   gates (Eyeriss v1: clock gating) still spends the cycle. For a gating
 *   chip the compute time stays the dense one; for a skipping chip
 *   (Eyeriss v2) it is the engine's.
 * With all densities 1 the counts, compute and network cycles are the
 * dense ones; formats still add their metadata (test/chips).
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { compileMapping, compileProblem } from '../model/compile.js';
import { costOf, planEnergy } from '../model/cost.js';
import { Evaluator } from '../model/nest.js';
import type { Result } from '../model/result.js';
import { evaluateSparse } from '../sparse/evaluate.js';
import { MissingRanksError } from '../sparse/representation.js';
import type { SparseSpec } from '../sparse/spec.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { sparseNetworks } from './chip-noc.js';

/** How a chip treats the time of a zero: gated (the cycle is spent) or skipped (it is not). */
export type ZeroHandling = 'gate' | 'skip';

/**
 * The spec with an outer offset rank (`UOP` over every dimension) added to
 * each tensor whose format has fewer ranks than the mapping's loops at that
 * level need (Sparseloop refuses such a format; its users add ranks by
 * hand): the chips' formats give the ranks the data carry (RLE, or CSC's
 * offsets and coordinates), the mapping decides how many tiling levels
 * sit above them. An empty outer rank costs nothing.
 */
export function withEnoughRanks(w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable, spec: SparseSpec): [SparseSpec, Result] {
  let s = spec;
  // A rank per loop of the mapping at most: every dimension at every level.
  const most = w.dims.length * arch.storage.length;
  for (let tries = 0; tries < most; tries++) {
    try {
      return [s, evaluateSparse(w, arch, mapping, energy, s)];
    } catch (e) {
      if (!(e instanceof MissingRanksError)) throw e;
      const t = e.dataSpace, l = e.level;
      const levels = [...s.levels];
      const formats = [...levels[l].formats];
      const f = formats[t]!;
      formats[t] = { ...f, ranks: [{ format: 'UOP', flattened: [] }, ...f.ranks] };
      levels[l] = { ...levels[l], formats };
      s = { ...s, levels };
    }
  }
  return [s, evaluateSparse(w, arch, mapping, energy, s)];
}

/**
 * Evaluate a chip's mapping under its spec (see the module comment). The
 * mapping's tiles need only fit compressed (the sparse engine checks the
 * capacities): a dense-sized tile that a chip holds compressed is legal.
 */
export function evaluateChip(w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable, given: SparseSpec, zeros: ZeroHandling): Result {
  const [spec, sparse] = withEnoughRanks(w, arch, mapping, energy, given);
  const p = compileProblem(w, arch);
  const counts = new Evaluator(p).run(compileMapping(p, mapping));
  // A gating chip spends the cycle of every gated MAC: the dense compute time (the nest analysis' iterations).
  const compute = zeros === 'gate' ? Math.max(counts.temporalIterations, sparse.levels[0].cycles) : sparse.levels[0].cycles;
  let cycles = compute;
  for (const l of sparse.levels.slice(1)) cycles = Math.max(cycles, l.cycles);
  const nets = sparseNetworks(w, arch, spec, counts, sparse, compute);
  cycles = Math.max(cycles, nets.overlapping) + nets.stalled;
  const levels = sparse.levels.map((l, i) => (i === 0 ? { ...l, cycles: compute } : l));
  return { ...sparse, cycles, levels, ...(nets.networks.length > 0 ? { networks: nets.networks } : {}), utilization: (sparse.levels[0].utilizedInstances / arch.compute.instances) * (compute / cycles) };
}

/**
 * The dense model's result for a mapping without the capacity check: a
 * mapping found for compressed tiles may not fit dense (what the chips'
 * reports compare compressed traffic against).
 */
export function denseCost(w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable): Result {
  const p = compileProblem(w, arch);
  const counts = new Evaluator(p).run(compileMapping(p, mapping));
  return costOf(w, arch, counts, planEnergy(arch, energy, 'v4', w.dataSpaces.map((d) => d.name)), operationCount(w));
}
