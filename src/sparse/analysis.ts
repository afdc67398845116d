/**
 * The sparse pass: from the dense counts of one evaluation to actual,
 * gated and skipped counts, metadata accesses and compressed capacities
 * per level and tensor, and actual/gated/skipped computes — Sparseloop's
 * analysis (Timeloop's `PerformSparseProcessing`) in the same order:
 * formats → expected occupancy → metadata accesses → storage
 * optimizations → combination → compute. The rules and where they differ
 * from a plain reading are in docs/model.md ("Sparsity").
 *
 * It runs in the mapper's inner loop: what depends only on the spec is in
 * its {@link SparseProgram}, and the per-evaluation state lives in the flat
 * arrays of a {@link SparseScratch} that a search recycles.
 */
import type { Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import type { CompiledMapping } from '../model/compile.js';
import type { CountBuffers } from '../model/counts.js';
import type { Workload } from '../workload/workload.js';
import { applyGroup } from './actions.js';
import { computeCounts, decompression, initialFine, propagate, type ComputeCounts } from './combine.js';
import { programOf, type SparseProgram } from './program.js';
import { defineFormats, expectedOccupancy, metadataAccesses, metadataGivenTile } from './representation.js';
import type { SparseSpec } from './spec.js';
import { propagateSpatial, spatialSkipping } from './spatial-skip.js';
import { SparseScratch } from './state.js';
import { bindExtents, maxOccupancy, scalarDensity } from './tiles.js';

export { SparseScratch } from './state.js';

/**
 * The pass's output: per level and tensor the flat state in `state` (tile
 * `l * S + s`), the computes, and what failed the capacity check.
 */
export interface SparseCounts {
  readonly program: SparseProgram;
  readonly state: SparseScratch;
  readonly compute: ComputeCounts;
  /** Words (data) and bits (metadata) per level the kept tiles need; a failed check names the level. */
  readonly capacityErrors: readonly string[];
  readonly warnings: readonly string[];
}

/** Energy of a random read per level, and block size: what Timeloop uses to choose among options. */
export interface ChoicePrices {
  readonly read: ArrayLike<number>;
  /** 'v3': Sparseloop's v0.3 artifact, which kept every instance utilised when tiles can be empty. */
  readonly convention?: 'v4' | 'v3';
}

const NO_WARNINGS: readonly string[] = [];

/** The result a scratch hands back, recycled with it (a search's inner loop allocates nothing). */
interface Recycled { program: SparseProgram; state: SparseScratch; compute: ComputeCounts; capacityErrors: string[]; readonly warnings: readonly string[] }

/**
 * Run the pass on one evaluation's dense counts. Densities 1 and no
 * optimization leave every count as the dense one. With a `scratch`, the
 * result is valid until the next call with it. `stopOnOverflow`: when the
 * compressed tiles overflow a level, return with `capacityErrors` set and
 * no other count (a search rejects such a candidate). The mapping may come
 * as the compiled loops the counts were made from (a search's candidate,
 * which then needs no mapping object), except under spatial skipping,
 * which reads the spatial loops' axes from the mapping.
 */
export function sparseCounts(w: Workload, arch: Arch, mapping: Mapping | CompiledMapping, counts: CountBuffers, spec: SparseSpec, prices: ChoicePrices, scratch?: SparseScratch, stopOnOverflow = false): SparseCounts {
  const st = scratch ?? new SparseScratch();
  const last = st.program;
  const pg = last !== null && last.spec === spec && last.w === w && last.arch === arch ? last : (st.program = programOf(w, arch, spec));
  const { L, S } = pg;
  const N = L * S;
  st.ensure(N, S, pg.maxRanks, pg.D);
  // The memos' entries hold for one program (its formats and densities).
  if (pg !== last) st.resetMemos();
  let res = st.result as Recycled | null;
  if (!res) { res = { program: pg, state: st, compute: { actual: 0, gated: 0, skipped: 0 }, capacityErrors: [], warnings: NO_WARNINGS }; st.result = res; }
  const kept = counts.kept;
  // One walk up the levels sets every tile's state and the links: parent/child
  // links run between keepers only (a bypassing level's entries stay
  // unlinked); `lastKeeper[s]` is the level that kept s last, below.
  const lastKeeper = st.lastKeeper;
  for (let s = 0; s < S; s++) lastKeeper[s] = -1;
  let nKept = 0;
  for (let l = 0; l < L; l++) {
    const rep = counts.utilizedInstances[l];
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      st.metadataRanks[i] = 0;
      st.parent[i] = -1;
      if (kept[i] !== 1) { st.child[i] = -1; st.shape[i] = 0; st.ranks[i] = 0; st.hasMetadata[i] = 0; st.compressed[i] = 0; continue; }
      const below = lastKeeper[s];
      st.child[i] = below;
      if (below >= 0) st.parent[below * S + s] = l;
      lastKeeper[s] = l;
      st.kept[nKept++] = i;
      const ranks = pg.formatRanks[i];
      const shape = counts.utilizedCapacity[i];
      st.shape[i] = shape;
      st.ranks[i] = ranks;
      st.hasMetadata[i] = ranks > 0 ? 1 : 0;
      st.compressed[i] = ranks > 0 ? pg.formatCompressed[i] : 0;
      st.fibers[i] = 0;
      st.expectedOccupancy[i] = shape; st.expectedDensity[i] = 1; st.occupancyDone[i] = 0;
      st.avgReplication[i] = rep;
    }
  }
  st.nKept = nKept;
  const active = pg.active;
  if (active) {
    if (isCompiled(mapping)) st.nest.buildCompiled(pg.D, L, mapping, pg.spatialLevel);
    else st.nest.build(pg.D, mapping, pg.spatialLevel);
    // Banded and actual-data models answer by a tile's extents: the nest's are recorded for them (slow path only).
    if (pg.needsExtents) bindExtents(spec, pg.w, st.nest, isCompiled(mapping) ? L : mapping.levels.length);
    if (pg.anyFormat) defineFormats(pg, st, st.nest, counts.kept);
    expectedOccupancy(pg, st, prices.convention !== 'v3');
    metadataAccesses(st, counts.reads, counts.fills, counts.updates);
  }
  const capacityErrors = scratch ? res.capacityErrors : [];
  if (capacityErrors.length > 0) capacityErrors.length = 0;
  checkCapacity(pg, st, arch, spec, capacityErrors);
  const compute = res.compute;
  const computes = counts.utilizedCompute * counts.temporalIterations;
  compute.actual = computes; compute.gated = 0; compute.skipped = 0;
  // An overflowing candidate is illegal whatever its optimizations do: a search need not count them.
  if (stopOnOverflow && capacityErrors.length > 0) return scratch ? recycle(res, pg) : { program: pg, state: st, compute: { ...compute }, capacityErrors, warnings: NO_WARNINGS };
  for (let q = 0; q < nKept; q++) {
    const i = st.kept[q];
    initialFine(st, i, counts.reads[i], counts.fills[i], counts.updates[i], counts.temporalReductions[i], pg.readWrite[i % S] === 1);
  }
  if (active) {
    for (let i = 0; i < N; i++) { st.gate[i] = 0; st.skip[i] = 0; st.prob[i] = 0; }
    for (let k = 0; k < pg.groups.length; k++) applyGroup(pg, st, st.nest, pg.groups[k], prices.read, pg.block);
    // Spatial skipping (spatial-skip.ts) comes after the gating and skipping groups, as in Timeloop.
    if (pg.spatialSkipping) {
      if (isCompiled(mapping)) throw new TypeError('spatial skipping reads the spatial loops\' axes: give the sparse pass the mapping, not its compiled loops');
      spatialSkipping(pg, st, st.nest, arch, mapping, counts);
    }
    const maxComputes = pg.spatialSkipping ? propagateSpatial(pg, st, computes, counts.updates) : propagate(pg, st, computes, counts.updates);
    decompression(pg, st);
    // The two read-only operands and their innermost keepers.
    let operands = 0, a = 0, b = 0, mda = false, mdb = false;
    for (let s = 0; s < S; s++) {
      if (pg.readWrite[s]) continue;
      for (let l = 0; l < L; l++) {
        if (st.shape[l * S + s] === 0) continue;
        const md = st.hasMetadata[l * S + s] === 1;
        if (operands === 0) { a = s; mda = md; } else if (operands === 1) { b = s; mdb = md; }
        operands++;
        break;
      }
    }
    // The densities go through the scratch: doubles passed as arguments are boxed on every evaluation.
    st.operandDensity[0] = scalarDensity(pg.densitySpec[a]); st.operandDensity[1] = scalarDensity(pg.densitySpec[b]);
    computeCounts(st, maxComputes, operands, a, mda, b, mdb, pg.spec.compute.gateOnZeroOperand, pg.spec.compute.skipOnNotAlignedOperands, compute);
  }
  return scratch ? recycle(res, pg) : { program: pg, state: st, compute: { ...compute }, capacityErrors, warnings: NO_WARNINGS };
}

function isCompiled(m: Mapping | CompiledMapping): m is CompiledMapping {
  return (m as Partial<CompiledMapping>).dim !== undefined;
}

function recycle(res: Recycled, pg: SparseProgram): SparseCounts {
  res.program = pg;
  return res;
}

/**
 * Compressed capacity of every kept tile (words at confidence 1, metadata
 * bits and units per rank) and the levels they overflow. It reads the
 * formats and the densities only, so a search can stop here.
 */
function checkCapacity(pg: SparseProgram, st: SparseScratch, arch: Arch, spec: SparseSpec, capacityErrors: string[]): void {
  const { L, S, active } = pg;
  const nKept = st.nKept;
  const RM = st.RM;
  const md = st.md;
  // Per level, the words and metadata bits of the kept tiles (a bypassed tile adds nothing).
  let q = 0;
  for (let l = 0; l < L; l++) {
    let words = 0, bits = 0;
    for (const end = (l + 1) * S; q < nKept && st.kept[q] < end; q++) {
      const i = st.kept[q], s = i - l * S;
      const shape = st.shape[i];
      let capacity = shape, metadataBits = 0, ranks = 0;
      if (shape !== 0 && active && (st.compressed[i] || st.hasMetadata[i])) {
        ranks = st.ranks[i];
        // Sizes-only densities: the same shapes give the same worst case (memo.ts).
        const memo = pg.sizeOnlyDensity[s] === 1 ? st.capacityMemo : null;
        if (memo !== null && memo.matches(st, i, 1, ranks)) {
          capacity = st.memoCapacity[i];
          metadataBits = st.memoMetadataBits[i];
        } else {
          if (memo !== null) memo.forget(i);
          const occ = maxOccupancy(pg.densitySpec[s], shape);
          capacity = occ;
          metadataGivenTile(pg, st, i, occ);
          let bsum = 0;
          for (let r = 0; r < ranks; r++) bsum += md[r * 4] * md[r * 4 + 2] + md[r * 4 + 1] * md[r * 4 + 3];
          metadataBits = Math.ceil(bsum);
          for (let r = 0; r < ranks; r++) { st.metadataCapacity[(i * RM + r) * 2] = Math.ceil(md[r * 4]); st.metadataCapacity[(i * RM + r) * 2 + 1] = Math.ceil(md[r * 4 + 1]); }
          if (memo !== null) { memo.store(st, i, 1, ranks); st.memoCapacity[i] = capacity; st.memoMetadataBits[i] = metadataBits; }
        }
      }
      st.capacity[i] = capacity; st.metadataBits[i] = metadataBits; st.metadataCapacityRanks[i] = ranks;
      words += capacity;
      bits += metadataBits;
    }
    const lv = arch.storage[l];
    if (lv.sizeWords !== null && active) {
      const eff = Math.floor(lv.sizeWords / lv.multipleBuffering);
      if (words > eff) capacityErrors.push(`${lv.name}: compressed tiles take ${words} words, more than its ${eff}`);
      const ms = spec.levels[l];
      if (bits > Math.floor((ms.metadataDepth ?? 0) * ms.metadataWidth / lv.multipleBuffering)) capacityErrors.push(`${lv.name}: metadata takes ${bits} bits, more than its ${(ms.metadataDepth ?? 0) * ms.metadataWidth}`);
    }
  }
}
