/**
 * From counts to energy (and, with cycles.ts, to a result), Timeloop's way:
 * - a storage access moves a block: per instance, reads cost
 *   ceil(reads / block) × E(read), fills ceil(fills / block) × E(write),
 *   updates ceil(updates / block) × E(update); a level's energy is that
 *   times its utilised instances, plus leakage E(leak) × cycles × utilised
 *   instances;
 * - compute costs E(compute) per operation;
 * - cycles come from cycles.ts (bandwidth throttling).
 * The rules and the reference cases that pin them are in docs/model.md.
 */
import type { Arch, StorageLevel } from '../arch/arch.js';
import type { NocLink } from '../arch/network.js';
import { actionEnergy, type EnergyTable } from '../energy/table.js';
import { InternalError, SpecError } from '../spec/errors.js';
import type { Workload } from '../workload/workload.js';
import type { CountBuffers } from './counts.js';
import { cyclesOf } from './cycles.js';
import { linkMode } from './noc.js';
import type { DataSpaceResult, LevelResult, NetworkResult, Result } from './result.js';

/** Energy per action of the compute units and every storage level, resolved once per (arch, table). */
export interface StoragePlan {
  readonly compute: number;
  /** Per storage level: pJ per block read, fill (write), update, and leakage per instance-cycle. */
  readonly read: Float64Array;
  readonly write: Float64Array;
  readonly update: Float64Array;
  readonly leak: Float64Array;
  /** v3: reads, fills and updates share blocks: ceil((r+f+u)/block) accesses at one energy. */
  readonly combinedBlocks: boolean;
  readonly warnings: readonly string[];
}

/** Everything an evaluation charges: the storage plan and the networks' prices for one workload's tensors. */
export interface EnergyPlan extends StoragePlan {
  /** Networks-on-chip with their energy per transfer of each tensor (workload order). */
  readonly networks: readonly NetworkPlan[];
}

/** A network's price list: pJ per word of each tensor that crosses it. */
export interface NetworkPlan {
  readonly link: NocLink;
  /** Per tensor (workload order): energy of one transfer. */
  readonly transfer: Float64Array;
}

/**
 * Resolve the energy of every action of the compute units and the storage
 * levels. A missing entry is a user error (never a silent zero), except
 * leakage, which defaults to 0 with a warning; dummy levels that hold
 * nothing cost nothing. What needs no workload: estimates that rescale a
 * finished result's level accesses use it alone.
 */
export function planStorageEnergy(arch: Arch, table: EnergyTable, convention: 'v4' | 'v3' = 'v4'): StoragePlan {
  const warnings: string[] = [...(arch.notModelled ?? [])];
  const need = (component: string, action: string, alternatives: string[] = []): number => {
    for (const a of [action, ...alternatives]) {
      const e = actionEnergy(table, component, a);
      if (e !== undefined) return sane(component, a, e);
    }
    if (!table.components.has(component)) {
      throw new SpecError(table.source, component, `an energy table entry for ${component} (has: ${[...table.components.keys()].join(', ') || 'none'})`);
    }
    throw new SpecError(table.source, `${component}.${action}`, `energy of action "${action}" for ${component}`, `only ${Object.keys(table.components.get(component)!).join(', ')}`);
  };
  const sane = (component: string, action: string, e: number): number => saneEnergy(table, component, action, e);
  const L = arch.storage.length;
  const read = new Float64Array(L), write = new Float64Array(L), update = new Float64Array(L), leak = new Float64Array(L);
  // An ERT that lists a component but lacks some of its storage actions:
  // Timeloop prices those at 0 (v3: they do not enter the largest access
  // energy); say so. A component with none of them is still an error.
  const storageAction = (component: string, action: string, alternatives: string[], present: boolean): number => {
    if (!present) return need(component, action, alternatives);
    for (const a of [action, ...alternatives]) {
      const e = actionEnergy(table, component, a);
      if (e !== undefined) return sane(component, a, e);
    }
    warnings.push(`no "${action}" energy for ${component} in ${table.source}; priced at 0, as Timeloop does`);
    return 0;
  };
  arch.storage.forEach((lv, l) => {
    if (lv.isDummy && !table.components.has(lv.name)) return;
    const entry = table.components.get(lv.name);
    const tolerant = table.missingActionsAreZero === true && entry !== undefined && ['read', 'write', 'update', 'access', 'fill'].some((a) => entry[a] !== undefined);
    read[l] = storageAction(lv.name, 'read', ['access'], tolerant);
    write[l] = storageAction(lv.name, 'write', ['fill', 'access'], tolerant);
    update[l] = storageAction(lv.name, 'update', ['write', 'access'], tolerant);
    if (convention === 'v3') {
      // Timeloop 2020 charged every access the level's largest vector-access
      // energy, divided over the instances of a cluster.
      const m = Math.max(read[l], write[l], update[l]) / lv.clusterSize;
      read[l] = write[l] = update[l] = m;
    }
    const lk = actionEnergy(table, lv.name, 'leak');
    if (lk === undefined) warnings.push(`no leakage energy for ${lv.name} in ${table.source}; using 0`);
    leak[l] = lk === undefined ? 0 : sane(lv.name, 'leak', lk);
  });
  const compute = need(arch.compute.name, 'compute', ['mac_random', 'mac']);
  return { compute, read, write, update, leak, combinedBlocks: convention === 'v3', warnings };
}

/** 1e12 pJ (a joule) per action is far beyond any real device; above it totals stop being meaningful numbers. */
function saneEnergy(table: EnergyTable, component: string, action: string, e: number): number {
  if (!Number.isFinite(e) || e < 0 || e > 1e12) throw new SpecError(table.source, `${component}.${action}`, 'an energy per action between 0 and 1e12 pJ', String(e));
  return e;
}

/**
 * The plan of an evaluation: {@link planStorageEnergy} plus the networks'
 * price of a transfer of each of `tensors` (the workload's tensor names, in
 * its order; needed only when the architecture has networks).
 */
export function planEnergy(arch: Arch, table: EnergyTable, convention: 'v4' | 'v3' = 'v4', tensors?: readonly string[]): EnergyPlan {
  const base = planStorageEnergy(arch, table, convention);
  const links = arch.networks ?? [];
  if (links.length === 0) return { ...base, networks: [] };
  if (tensors === undefined) throw new InternalError(`pricing the networks of ${arch.name} needs the workload's tensor names`);
  const warnings = [...base.warnings];
  const networks = links.map((link): NetworkPlan => {
    const transfer = new Float64Array(tensors.length);
    tensors.forEach((t, s) => {
      const action = link.perTensorAction ? `${link.action}_${t}` : link.action;
      const e = actionEnergy(table, link.name, action) ?? actionEnergy(table, link.name, `${action}_random`);
      // Timeloop prices a transfer its table lacks at 0; say so.
      if (e === undefined) warnings.push(`network ${link.name}: no energy for action "${action}" in ${table.source}; priced at 0, as Timeloop does`);
      transfer[s] = e === undefined ? 0 : saneEnergy(table, link.name, action, e);
    });
    return { link, transfer };
  });
  return { ...base, networks, warnings };
}

/** Dynamic energy of data space s at storage level l, all instances (pJ). */
export function accessEnergy(lv: StorageLevel, counts: CountBuffers, plan: EnergyPlan, l: number, i: number): number {
  if (!counts.kept[i]) return 0;
  const b = lv.blockSize;
  const perInstance = plan.combinedBlocks
    ? Math.ceil((counts.reads[i] + counts.fills[i] + counts.updates[i]) / b) * plan.read[l]
    : Math.ceil(counts.reads[i] / b) * plan.read[l] +
      Math.ceil(counts.fills[i] / b) * plan.write[l] +
      Math.ceil(counts.updates[i] / b) * plan.update[l];
  // A cluster of instances shares each wide access: its energy is charged
  // once per utilised cluster (instances spread evenly over clusters).
  return perInstance * Math.min(counts.utilizedInstances[l], lv.instances / lv.clusterSize);
}

/** Leakage of storage level l over the run: utilised instances only (idle ones count as power-gated). */
export function leakageEnergy(lv: StorageLevel, counts: CountBuffers, plan: EnergyPlan, l: number, cycles: number, keepsAny: boolean): number {
  return keepsAny || !lv.isDummy ? plan.leak[l] * cycles * counts.utilizedInstances[l] : 0;
}

/**
 * Energy of network `k` over the run, all instances (pJ): every word the
 * parent reads crosses a read network; every update it receives crosses an
 * update network. Transfers are words, not blocks.
 */
export function networkEnergy(counts: CountBuffers, plan: EnergyPlan, k: number, S: number, perTensor?: Float64Array): number {
  const n = plan.networks[k];
  const l = n.link.parent;
  const carriesReads = n.link.ports.includes('read'), carriesUpdates = n.link.ports.includes('update');
  let e = 0;
  for (let s = 0; s < S; s++) {
    const i = l * S + s;
    if (!counts.kept[i]) { if (perTensor) perTensor[s] = 0; continue; }
    const words = (carriesReads ? counts.reads[i] : 0) + (carriesUpdates ? counts.updates[i] : 0);
    const es = words * n.transfer[s] * counts.utilizedInstances[l];
    if (perTensor) perTensor[s] = es;
    e += es;
  }
  return e;
}

/** Total energy and cycles of one evaluation: the mapper's objective inputs. */
export interface Totals {
  energyPJ: number;
  cycles: number;
}

/**
 * Total energy and cycles without building a report. The mapper's inner
 * loop passes its own `out` (allocation-free: it is written and returned);
 * without one, a fresh object is returned, safe to keep.
 */
export function totals(arch: Arch, counts: CountBuffers, plan: EnergyPlan, S: number, computes: number, out: Totals = { energyPJ: 0, cycles: 0 }): Totals {
  const cycles = cyclesOf(arch, counts, S);
  // An imperfect nest bills its own Computes (Timeloop's truncated product, or the true count).
  let e = (counts.imperfect === null ? computes : counts.imperfect.computes) * plan.compute;
  for (let l = 0; l < arch.storage.length; l++) {
    const lv = arch.storage[l];
    let any = false;
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      if (counts.kept[i]) { any = true; e += accessEnergy(lv, counts, plan, l, i); }
    }
    e += leakageEnergy(lv, counts, plan, l, cycles, any);
  }
  for (let k = 0; k < plan.networks.length; k++) e += networkEnergy(counts, plan, k, S);
  out.energyPJ = e;
  out.cycles = cycles;
  return out;
}

/** Energy, cycles, utilisation and the per-level breakdown of one evaluation. */
export function costOf(w: Workload, arch: Arch, counts: CountBuffers, plan: EnergyPlan, computes: number): Result {
  const S = w.dataSpaces.length;
  const levelCycles = new Float64Array(arch.storage.length);
  const linkCycles = new Float64Array(arch.networks?.length ?? 0);
  const cycles = cyclesOf(arch, counts, S, levelCycles, linkCycles);
  const levels: LevelResult[] = [];
  if (counts.imperfect !== null) computes = counts.imperfect.computes;
  const computeEnergy = computes * plan.compute;
  levels.push({
    name: arch.compute.name,
    instances: arch.compute.instances,
    utilizedInstances: counts.utilizedCompute,
    energyPJ: computeEnergy,
    leakagePJ: 0,
    cycles: counts.temporalIterations,
    offChip: false,
    dataSpaces: [],
  });
  let total = computeEnergy;
  arch.storage.forEach((lv, l) => {
    const dss: DataSpaceResult[] = [];
    let levelEnergy = 0;
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      if (!counts.kept[i]) continue;
      const e = accessEnergy(lv, counts, plan, l, i);
      levelEnergy += e;
      dss.push({
        name: w.dataSpaces[s].name,
        role: w.dataSpaces[s].role,
        reads: counts.reads[i],
        fills: counts.fills[i],
        updates: counts.updates[i],
        temporalReductions: counts.temporalReductions[i],
        utilizedCapacity: counts.utilizedCapacity[i],
        energyPJ: e,
      });
    }
    const leakage = leakageEnergy(lv, counts, plan, l, cycles, dss.length > 0);
    levelEnergy += leakage;
    total += levelEnergy;
    levels.push({
      name: lv.name,
      instances: lv.instances,
      utilizedInstances: counts.utilizedInstances[l],
      energyPJ: levelEnergy,
      leakagePJ: leakage,
      cycles: levelCycles[l],
      offChip: lv.offChip,
      dataSpaces: dss,
    });
  });
  const networks: NetworkResult[] = plan.networks.map((n, k) => {
    const perTensor = new Float64Array(S);
    const energyPJ = networkEnergy(counts, plan, k, S, perTensor);
    total += energyPJ;
    const l = n.link.parent;
    const dataSpaces = w.dataSpaces.flatMap((d, s) => {
      const i = l * S + s;
      if (!counts.kept[i]) return [];
      const transfers = (n.link.ports.includes('read') ? counts.reads[i] : 0) + (n.link.ports.includes('update') ? counts.updates[i] : 0);
      return [{ name: d.name, transfers, energyPJ: perTensor[s] }];
    });
    // Only a network with a mode is a bandwidth limit (noc.ts); the others keep their old form.
    const mode = linkMode(n.link, counts, S, counts.temporalIterations);
    const timing = mode !== undefined ? { mode, cycles: linkCycles[k] } : {};
    return { name: n.link.name, parent: arch.storage[l].name, energyPJ, dataSpaces, ...timing };
  });
  return {
    computes,
    cycles,
    utilization: counts.utilizedCompute / arch.compute.instances,
    energyPJ: total,
    levels,
    ...(networks.length > 0 ? { networks } : {}),
    warnings: plan.warnings,
    ...(counts.imperfect !== null ? { partialTiles: { mode: counts.imperfect.mode, exactComputes: counts.imperfect.exactComputes } } : {}),
  };
}
