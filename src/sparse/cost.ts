/**
 * Energy and cycles of a sparse evaluation, Timeloop's way: every kind of
 * access (actual, gated, skipped; data and metadata; decompression and
 * compression) is priced from the ERT with Timeloop's action-name
 * fallbacks (a missing gated/skipped/metadata action costs 0, with a
 * warning, as Timeloop does); data accesses move blocks, metadata accesses
 * move metadata words of the level's metadata width. Gated accesses take
 * bandwidth and time, skipped ones do not; compute cycles are the actual
 * plus gated computes over the utilised instances.
 */
import type { Arch } from '../arch/arch.js';
import { actionEnergy, type EnergyTable } from '../energy/table.js';
import type { EnergyPlan } from '../model/cost.js';
import type { CountBuffers } from '../model/counts.js';
import type { DataSpaceResult, LevelResult, Result, SparseDataSpaceResult } from '../model/result.js';
import type { Workload } from '../workload/workload.js';
import type { SparseCounts } from './analysis.js';
import { spatialOf } from './spatial-skip.js';
import type { SparseScratch } from './state.js';
import type { DensitySpec, SparseSpec } from './spec.js';
import { blockOccupancyTotal } from './tiles.js';

const STORAGE_ACTIONS: Record<string, readonly string[]> = {
  gated_read: ['gated_read'],
  skipped_read: ['skipped_read', 'gated_read'],
  gated_fill: ['gated_fill', 'gated_write'],
  skipped_fill: ['skipped_fill', 'skipped_write', 'gated_fill', 'gated_write'],
  gated_update: ['gated_update', 'gated_write'],
  skipped_update: ['skipped_update', 'skipped_write', 'gated_update', 'gated_write'],
  random_metadata_read: ['random_metadata_read', 'metadata_read'],
  gated_metadata_read: ['gated_metadata_read'],
  skipped_metadata_read: ['skipped_metadata_read', 'gated_metadata_read'],
  random_metadata_fill: ['random_metadata_fill', 'random_metadata_write', 'metadata_fill', 'metadata_write'],
  gated_metadata_fill: ['gated_metadata_fill', 'gated_metadata_write'],
  skipped_metadata_fill: ['skipped_metadata_fill', 'skipped_metadata_write', 'gated_metadata_fill', 'gated_metadata_write'],
  random_metadata_update: ['random_metadata_update', 'random_metadata_write', 'metadata_update', 'metadata_write'],
  gated_metadata_update: ['gated_metadata_update', 'gated_metadata_write'],
  skipped_metadata_update: ['skipped_metadata_update', 'skipped_metadata_write', 'gated_metadata_update', 'gated_metadata_write'],
  decompression_count: ['decompression_count'],
  compression_count: ['compression_count'],
};
const COMPUTE_ACTIONS = {
  gated: ['mac_gated', 'mult_gated', 'compute_gated', 'mac', 'mult', 'compute'],
  skipped: ['mac_skipped', 'mult_skipped', 'compute_skipped', 'mac_gated', 'mult_gated', 'compute_gated', 'mac', 'mult', 'compute'],
};

/** Energy per sparse action, per storage level, resolved once per (arch, table). */
export interface SparsePlan {
  readonly storage: readonly Readonly<Record<string, number>>[];
  readonly gatedCompute: number;
  readonly skippedCompute: number;
  /** Actions the table lacks, priced 0 (warned when a run uses them). */
  readonly missing: readonly ReadonlySet<string>[];
  readonly computeMissing: ReadonlySet<string>;
  /**
   * The same energies by index, per level: gated R/F/U (0–2), skipped R/F/U
   * (3–5), metadata actual/gated/skipped × R/F/U (6–14), decompression (15),
   * compression (16).
   */
  readonly byIndex: readonly Float64Array[];
  /** Metadata accesses take bandwidth (Timeloop 2024); the v0.3 artifact counted data only. */
  readonly metadataBandwidth: boolean;
}

/**
 * The Timeloop of Sparseloop's v0.3 artifact priced a skipped metadata
 * access as a plain metadata access (`v3-sl-02.2.1-spMspM`, Buffer).
 */
const V3_STORAGE_ACTIONS: Record<string, readonly string[]> = {
  ...STORAGE_ACTIONS,
  skipped_metadata_read: ['skipped_metadata_read', 'metadata_read'],
  skipped_metadata_fill: ['skipped_metadata_fill', 'skipped_metadata_write', 'metadata_fill', 'metadata_write'],
  skipped_metadata_update: ['skipped_metadata_update', 'skipped_metadata_write', 'metadata_update', 'metadata_write'],
};

/** Resolve the sparse actions' energies with Timeloop's fallbacks (`v3`: the v0.3 artifact's). */
export function planSparseEnergy(arch: Arch, table: EnergyTable, convention: 'v4' | 'v3' = 'v4'): SparsePlan {
  const actions = convention === 'v3' ? V3_STORAGE_ACTIONS : STORAGE_ACTIONS;
  const find = (comp: string, names: readonly string[]) => { for (const n of names) { const e = actionEnergy(table, comp, n); if (e !== undefined) return e; } return undefined; };
  const missing: Set<string>[] = [];
  const storage = arch.storage.map((lv) => {
    const m = new Set<string>();
    const out: Record<string, number> = {};
    for (const [op, names] of Object.entries(actions)) {
      const e = find(lv.name, names);
      if (e === undefined) m.add(op);
      out[op] = e ?? 0;
    }
    missing.push(m);
    return out;
  });
  const cm = new Set<string>();
  const g = find(arch.compute.name, COMPUTE_ACTIONS.gated), k = find(arch.compute.name, COMPUTE_ACTIONS.skipped);
  if (g === undefined) cm.add('gated_compute');
  if (k === undefined) cm.add('skipped_compute');
  const order = ['gated_read', 'gated_fill', 'gated_update', 'skipped_read', 'skipped_fill', 'skipped_update',
    'random_metadata_read', 'random_metadata_fill', 'random_metadata_update', 'gated_metadata_read', 'gated_metadata_fill', 'gated_metadata_update',
    'skipped_metadata_read', 'skipped_metadata_fill', 'skipped_metadata_update', 'decompression_count', 'compression_count'];
  const byIndex = storage.map((e) => Float64Array.from(order, (k) => e[k]));
  return { storage, gatedCompute: g ?? 0, skippedCompute: k ?? 0, missing, computeMissing: cm, byIndex, metadataBandwidth: convention !== 'v3' };
}

/**
 * Timeloop's vector-width table (buffer.hpp): for a compressed tile small
 * against the block, whole blocks move even when they are partly empty.
 * Rows: block size; columns: density 0.1 … 1.0.
 */
const VECTOR_WIDTH_THRESHOLD: Readonly<Record<number, readonly number[]>> = {
  2: [251, 125, 84, 63, 51, 42, 36, 32, 28, 1],
  4: [375, 188, 125, 94, 75, 63, 54, 47, 42, 1],
  8: [438, 219, 146, 110, 88, 73, 63, 55, 49, 1],
  16: [469, 235, 157, 118, 94, 79, 67, 59, 52, 1],
  32: [485, 243, 162, 122, 97, 81, 70, 61, 52, 1],
};

/** Timeloop's block-occupancy ratio of a compressed tile: expected blocks over the naive count (1 when the tile is large or dense). */
export function blockRatio(shape: number, density: DensitySpec, expectedDensity: number, block: number, compressed: boolean): number {
  if (!compressed || shape === 0 || block <= 1 || !(expectedDensity < 1)) return 1;
  const row = VECTOR_WIDTH_THRESHOLD[block];
  if (!row) return 1;
  const idx = expectedDensity >= 0.1 ? Math.floor(expectedDensity / 0.1) - 1 : 0;
  if (!(row[idx] > Math.floor(shape / block))) return 1;
  const total = blockOccupancyTotal(density, shape, block);
  const naive = shape * expectedDensity / block;
  return total / naive;
}

const KINDS = ['actual', 'gated', 'skipped'] as const;
const OPS = ['read', 'fill', 'update'] as const;

/**
 * Tile i's metadata bits per kind × op into `st.bits[i * 9 + kind * 3 + op]`
 * (each rank's [metadata, payload] units at its word bits): what both the
 * bandwidth and the energy read. Gated and skipped metadata accesses exist
 * only where the tile's own optimization split them off (combine.ts
 * applyLocal); the others are 0.
 */
function tileMetadataBits(st: SparseScratch, i: number): void {
  const bits = st.bits, f = st.fmt, em = st.expectedMetadata, RM = st.RM;
  const o = i * 9, n = st.metadataRanks[i];
  const kinds = st.gate[i] === 1 || st.skip[i] === 1 ? 9 : 3;
  for (let k = 3; k < 9; k++) bits[o + k] = 0;
  for (let k = 0; k < kinds; k++) {
    let x = 0;
    for (let r = 0, at = (o + k) * RM * 2, m = i * RM * 4; r < n; r++, at += 2, m += 4) x += em[m + 2] * f[at] + em[m + 3] * f[at + 1];
    bits[o + k] = x;
  }
}

/** Tile i's (kind, op) metadata accesses per rank, outermost first, as [metadata, payload] pairs. */
function fmtPairs(st: SparseScratch, i: number, kind: number, op: number): [number, number][] {
  const out: [number, number][] = [];
  for (let r = st.metadataRanks[i] - 1; r >= 0; r--) { const a = st.fmtAt(i, kind, op, r); out.push([st.fmt[a], st.fmt[a + 1]]); }
  return out;
}

/** Energy, cycles and the per-level breakdown of a sparse evaluation. */
export function sparseCostOf(w: Workload, arch: Arch, spec: SparseSpec, counts: CountBuffers, sc: SparseCounts, plan: EnergyPlan, sp: SparsePlan, computes: number): Result {
  const S = w.dataSpaces.length;
  const st = sc.state, pg = sc.program;
  const cnt = st.counts;
  const warnings = new Set<string>([...plan.warnings, ...spec.warnings, ...sc.warnings]);
  const warnMissing = (where: string, op: string, table: string) => warnings.add(`no "${op}" energy for ${where}${table}; priced at 0, as Timeloop does`);
  // Compute.
  const c = sc.compute;
  // Spatial skipping: a tile's and compute's utilised instances are the reduced ones (spatial-skip.ts).
  const ss = pg.spatialSkipping ? spatialOf(st) : null;
  const computeCycles = Math.ceil((c.actual + c.gated) / (ss ? ss.computeAvg : counts.utilizedCompute));
  if (c.gated > 0 && sp.computeMissing.has('gated_compute')) warnMissing(arch.compute.name, 'gated_compute', '');
  if (c.skipped > 0 && sp.computeMissing.has('skipped_compute')) warnMissing(arch.compute.name, 'skipped_compute', '');
  const computeEnergy = c.actual * plan.compute + c.gated * sp.gatedCompute + c.skipped * sp.skippedCompute;
  const bits = st.bits;
  for (let q = 0; q < st.nKept; q++) { const i = st.kept[q]; if (spec.levels[(i - (i % S)) / S].metadataWidth !== 0) tileMetadataBits(st, i); }
  // Cycles per level.
  const levelCycles: number[] = [];
  let cycles = computeCycles;
  arch.storage.forEach((lv, l) => {
    let rd = 0, wr = 0;
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      if (st.shape[i] === 0) continue;
      const md = spec.levels[l].metadataWidth !== 0 && sp.metadataBandwidth;
      const o = i * 9;
      const fr = md ? bits[o] + bits[o + 3] : 0;
      const fw = md ? bits[o + 1] + bits[o + 4] + bits[o + 2] + bits[o + 5] : 0;
      let r = cnt[i * 9] + cnt[i * 9 + 3] + Math.floor(fr / lv.wordBits);
      let wv = cnt[i * 9 + 1] + cnt[i * 9 + 4] + cnt[i * 9 + 2] + cnt[i * 9 + 5] + Math.floor(fw / lv.wordBits);
      const scaling = (ss ? ss.maxInstances[i] : counts.utilizedInstances[l]) / st.avgReplication[i];
      r = Math.ceil(r / scaling);
      wv = Math.ceil(wv / scaling);
      rd += r / computeCycles;
      wr += wv / computeCycles;
    }
    let slow = 1;
    if (lv.readBandwidth !== null && lv.readBandwidth < rd) slow = Math.min(slow, lv.readBandwidth / rd);
    if (lv.writeBandwidth !== null && lv.writeBandwidth < wr) slow = Math.min(slow, lv.writeBandwidth / wr);
    if (lv.sharedBandwidth !== null && lv.sharedBandwidth < wr + rd) slow = Math.min(slow, lv.sharedBandwidth / (wr + rd));
    const lc = Math.ceil(computeCycles / slow);
    levelCycles.push(lc);
    cycles = Math.max(cycles, lc);
  });
  const levels: LevelResult[] = [{
    name: arch.compute.name, instances: arch.compute.instances, utilizedInstances: ss ? ss.computeMax : counts.utilizedCompute,
    energyPJ: computeEnergy, leakagePJ: 0, cycles: computeCycles, offChip: false, dataSpaces: [],
    computeCounts: { algorithmic: computes, actual: c.actual, gated: c.gated, skipped: c.skipped },
  }];
  let total = computeEnergy;
  arch.storage.forEach((lv, l) => {
    const dss: DataSpaceResult[] = [];
    const e = sp.storage[l];
    const table = '';
    let levelEnergy = 0;
    let maxRep = 0;
    let levelUsed = ss ? 0 : counts.utilizedInstances[l];
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      if (!counts.kept[i]) continue;
      const o = i * 9;
      const b = lv.blockSize;
      const ratio = blockRatio(st.shape[i], pg.densitySpec[s], st.expectedDensity[i], b, st.compressed[i] === 1);
      const blocks = (n: number) => (n === 0 ? 0 : Math.ceil(n / b) * ratio);
      const price = (op: string, n: number) => {
        if (n === 0) return 0;
        if (sp.missing[l].has(op)) warnMissing(lv.name, op, table);
        return n * e[op];
      };
      let pi = blocks(cnt[o]) * plan.read[l] + blocks(cnt[o + 1]) * plan.write[l] + blocks(cnt[o + 2]) * plan.update[l];
      OPS.forEach((op, k) => { pi += price(`gated_${op}`, blocks(cnt[o + 3 + k])) + price(`skipped_${op}`, blocks(cnt[o + 6 + k])); });
      if (spec.levels[l].metadataWidth !== 0) {
        KINDS.forEach((kind, kk) => OPS.forEach((op, k) => {
          pi += price(`${kind === 'actual' ? 'random' : kind}_metadata_${op}`, Math.ceil(bits[o + kk * 3 + k] / spec.levels[l].metadataWidth));
        }));
      }
      pi += price('decompression_count', st.decompression[i]) + price('compression_count', st.compression[i]);
      const used = ss ? ss.maxInstances[i] : counts.utilizedInstances[l];
      if (used > levelUsed) levelUsed = used;
      const clusters = Math.min(used, lv.instances / lv.clusterSize);
      const clusterUtil = used / clusters;
      const energy = (pi / clusterUtil) * st.avgReplication[i];
      maxRep = Math.max(maxRep, st.avgReplication[i]);
      levelEnergy += energy;
      const capacity: [number, number][] = [];
      for (let r = st.metadataCapacityRanks[i] - 1; r >= 0; r--) capacity.push([st.metadataCapacity[(i * st.RM + r) * 2], st.metadataCapacity[(i * st.RM + r) * 2 + 1]]);
      const sparse: SparseDataSpaceResult = {
        algorithmic: { reads: counts.reads[i], fills: counts.fills[i], updates: counts.updates[i] },
        gated: { reads: cnt[o + 3], fills: cnt[o + 4], updates: cnt[o + 5] },
        skipped: { reads: cnt[o + 6], fills: cnt[o + 7], updates: cnt[o + 8] },
        format: pg.ranks[i].map((r) => r.format).reverse(),
        metadata: Object.fromEntries(KINDS.map((kind, kk) => [kind, { reads: fmtPairs(st, i, kk, 0), fills: fmtPairs(st, i, kk, 1), updates: fmtPairs(st, i, kk, 2) }])) as unknown as SparseDataSpaceResult['metadata'],
        metadataCapacityBits: st.metadataBits[i],
        metadataCapacity: capacity,
        decompressions: st.decompression[i],
        compressions: st.compression[i],
        averageInstances: st.avgReplication[i],
      };
      dss.push({
        name: w.dataSpaces[s].name, role: w.dataSpaces[s].role,
        reads: cnt[o], fills: cnt[o + 1], updates: cnt[o + 2],
        temporalReductions: st.temporalReductions[i], utilizedCapacity: st.capacity[i], energyPJ: energy, sparse,
      });
    }
    const leakInstances = dss.length > 0 ? Math.max(1, maxRep) : counts.utilizedInstances[l];
    const leakage = dss.length > 0 || !lv.isDummy ? plan.leak[l] * cycles * leakInstances : 0;
    levelEnergy += leakage;
    total += levelEnergy;
    levels.push({
      name: lv.name, instances: lv.instances, utilizedInstances: ss && dss.length > 0 ? levelUsed : counts.utilizedInstances[l],
      energyPJ: levelEnergy, leakagePJ: leakage, cycles: levelCycles[l], offChip: lv.offChip, dataSpaces: dss,
    });
  });
  for (const e of sc.capacityErrors) warnings.add(`capacity: ${e} (Timeloop rejects this mapping)`);
  return {
    computes,
    cycles,
    // Timeloop's IdealCycles / cycles (arithmetic.hpp:229), the same as the dense ratio without spatial skipping.
    utilization: ss ? (c.actual + c.gated) / arch.compute.instances / cycles : (counts.utilizedCompute / arch.compute.instances) * (computeCycles / cycles),
    energyPJ: total,
    levels,
    warnings: [...warnings],
  };
}

/**
 * Total energy and cycles of a sparse evaluation without the report (the
 * search's view): the same sums as {@link sparseCostOf}, which a test
 * checks on every sparse reference case.
 */
export function sparseTotals(arch: Arch, _spec: SparseSpec, counts: CountBuffers, sc: SparseCounts, plan: EnergyPlan, sp: SparsePlan, S: number, out: { energyPJ: number; cycles: number } = { energyPJ: 0, cycles: 0 }): { energyPJ: number; cycles: number } {
  const c = sc.compute;
  const st = sc.state, pg = sc.program;
  const cnt = st.counts, bits = st.bits, kept = st.kept, nKept = st.nKept;
  const rep = st.avgReplication, inst = counts.utilizedInstances;
  // Spatial skipping: the instances a tile really uses replace the level's (spatial-skip.ts).
  const ss = pg.spatialSkipping ? spatialOf(st) : null;
  const computeCycles = Math.ceil((c.actual + c.gated) / (ss ? ss.computeAvg : counts.utilizedCompute));
  const L = arch.storage.length;
  // One pass over the kept tiles, level by level (a bypassed tile adds
  // nothing): each tile's metadata bits (both the bandwidth and the energy
  // read them), its share of the level's bandwidth, and its energy, kept per
  // tile so that the sum below adds in the report's order once the cycles
  // (and so the leakage) are known.
  const tileEnergy = st.tileEnergy;
  let cycles = computeCycles;
  let q = 0;
  for (let l = 0; l < L; l++) {
    const lv = arch.storage[l];
    const width = pg.metadataWidth[l];
    const md = width !== 0 && sp.metadataBandwidth;
    const e = sp.byIndex[l];
    const b = lv.blockSize;
    const pr = plan.read[l], pw = plan.write[l], pu = plan.update[l];
    const util = inst[l];
    const perCluster = lv.instances / lv.clusterSize;
    const clusterUtil = util / Math.min(util, perCluster);
    // The bandwidth sums feed only the level's slowdown: a level without a limit skips them.
    const limited = lv.readBandwidth !== null || lv.writeBandwidth !== null || lv.sharedBandwidth !== null;
    let rd = 0, wr = 0, maxRep = 0;
    const first = q;
    for (const end = (l + 1) * S; q < nKept && kept[q] < end; q++) {
      const i = kept[q], s = i - l * S;
      const o = i * 9;
      const used = ss ? ss.maxInstances[i] : util;
      if (width !== 0) tileMetadataBits(st, i);
      const shape = st.shape[i];
      if (limited && shape !== 0) {
        const fr = md ? bits[o] + bits[o + 3] : 0;
        const fw = md ? bits[o + 1] + bits[o + 4] + bits[o + 2] + bits[o + 5] : 0;
        const scaling = used / rep[i];
        rd += Math.ceil((cnt[o] + cnt[o + 3] + Math.floor(fr / lv.wordBits)) / scaling) / computeCycles;
        wr += Math.ceil((cnt[o + 1] + cnt[o + 4] + cnt[o + 2] + cnt[o + 5] + Math.floor(fw / lv.wordBits)) / scaling) / computeCycles;
      }
      const ratio = st.compressed[i] === 1 ? blockRatio(shape, pg.densitySpec[s], st.expectedDensity[i], b, true) : 1;
      let pi = 0;
      for (let k = 0; k < 3; k++) {
        const a = cnt[o + k], g = cnt[o + 3 + k], x = cnt[o + 6 + k];
        if (a !== 0) pi += Math.ceil(a / b) * ratio * (k === 0 ? pr : k === 1 ? pw : pu);
        if (g !== 0) pi += Math.ceil(g / b) * ratio * e[k];
        if (x !== 0) pi += Math.ceil(x / b) * ratio * e[3 + k];
        if (width !== 0) {
          const ba = bits[o + k], bg = bits[o + 3 + k], bs = bits[o + 6 + k];
          if (ba !== 0) pi += Math.ceil(ba / width) * e[6 + k];
          if (bg !== 0) pi += Math.ceil(bg / width) * e[9 + k];
          if (bs !== 0) pi += Math.ceil(bs / width) * e[12 + k];
        }
      }
      pi += st.decompression[i] * e[15] + st.compression[i] * e[16];
      const r = rep[i];
      tileEnergy[q] = (pi / (ss ? used / Math.min(used, perCluster) : clusterUtil)) * r;
      if (r > maxRep) maxRep = r;
    }
    // Leakage instances per level, parked until the cycles are known (0: the level leaks nothing).
    st.leakInstances[l] = q > first ? Math.max(1, maxRep) : lv.isDummy ? 0 : util;
    if (!limited) continue;
    let slow = 1;
    if (lv.readBandwidth !== null && lv.readBandwidth < rd) slow = Math.min(slow, lv.readBandwidth / rd);
    if (lv.writeBandwidth !== null && lv.writeBandwidth < wr) slow = Math.min(slow, lv.writeBandwidth / wr);
    if (lv.sharedBandwidth !== null && lv.sharedBandwidth < wr + rd) slow = Math.min(slow, lv.sharedBandwidth / (wr + rd));
    cycles = Math.max(cycles, Math.ceil(computeCycles / slow));
  }
  let total = c.actual * plan.compute + c.gated * sp.gatedCompute + c.skipped * sp.skippedCompute;
  q = 0;
  for (let l = 0; l < L; l++) {
    for (const end = (l + 1) * S; q < nKept && kept[q] < end; q++) total += tileEnergy[q];
    const li = st.leakInstances[l];
    if (li !== 0) total += plan.leak[l] * cycles * li;
  }
  out.energyPJ = total;
  out.cycles = cycles;
  return out;
}
