/**
 * Bandwidth throttling (Timeloop's ComputePerformance) and network-on-chip
 * limits, on cases small enough to count by hand. No dense Timeloop
 * reference exercises a bandwidth limit (all have throttling 1.00), so these
 * pin the rule: per-tensor demand over compute cycles, summed per port,
 * slowdown = bandwidth / demand, cycles = ceil(compute / slowdown), the run
 * the slowest level or link.
 */
import { describe, expect, it } from 'vitest';
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import type { NocLink } from '../../src/arch/network.js';
import { storageLevel } from '../../src/designs/build.js';
import type { EnergyTable } from '../../src/energy/table.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { evaluate } from '../../src/model/model.js';
import { fcWorkload } from '../../src/workload/conv.js';
import { dimIndex } from '../../src/workload/workload.js';

const energy = (names: string[], leak = 0): EnergyTable => ({
  source: 'test', unit: 'pJ',
  components: new Map<string, Record<string, number>>([
    ['mac', { compute: 1 }],
    ...names.map((n): [string, Record<string, number>] => [n, { read: 1, write: 1, update: 1, leak }]),
    ['GIN', { transfer: 0 }],
  ]),
});

/** Timeloop's arithmetic for one port: ceil(compute / (bandwidth / Σ_tensors accesses/compute)). */
const throttled = (compute: number, perTensor: number[], bw: number): number => {
  const demand = perTensor.reduce((s, a) => s + a / compute, 0);
  return demand > bw ? Math.ceil(compute / (bw / demand)) : compute;
};

describe('storage bandwidth (one MAC, a buffer, DRAM; fc 8 → 4)', () => {
  // C = 8 inner, M = 4 outer at the buffer: 32 MACs in 32 cycles.
  const w = fcWorkload('fc', 8, 4);
  const C = dimIndex(w, 'C'), M = dimIndex(w, 'M');
  const build = (buffer: Partial<StorageLevel>, dram: Partial<StorageLevel> = {}): Arch => ({
    name: 'tiny', compute: { name: 'mac', className: 'intmac', instances: 1, meshX: 1, meshY: 1 },
    storage: [storageLevel('buffer', { sizeWords: 1024, ...buffer }), storageLevel('DRAM', { className: 'DRAM', ...dram })],
  });
  const mapping: Mapping = {
    levels: [
      { temporal: [{ dim: C, factor: 8 }, { dim: M, factor: 4 }], spatial: [], keep: [true, true, true] },
      { temporal: [], spatial: [], keep: [true, true, true] },
    ],
  };
  const run = (a: Arch, leak = 0) => evaluate(w, a, mapping, energy(['buffer', 'DRAM'], leak));
  const S = (r: ReturnType<typeof run>, level: number, t: string) => r.levels[level + 1].dataSpaces.find((d) => d.name === t)!;

  it('counts the hand-computed accesses, unthrottled without bandwidths', () => {
    const r = run(build({}));
    expect(r.cycles).toBe(32);
    // Buffer: every MAC reads a weight and an input; the 4 outputs take 32 updates, 28 of them read back.
    expect([S(r, 0, 'Weights').reads, S(r, 0, 'Inputs').reads, S(r, 0, 'Outputs').reads]).toEqual([32, 32, 28]);
    expect([S(r, 0, 'Weights').fills, S(r, 0, 'Inputs').fills, S(r, 0, 'Outputs').fills, S(r, 0, 'Outputs').updates]).toEqual([32, 8, 0, 32]);
    expect([S(r, 1, 'Weights').reads, S(r, 1, 'Inputs').reads, S(r, 1, 'Outputs').updates]).toEqual([32, 8, 4]);
  });

  it('a read port: 92 reads in 32 cycles against 2 words/cycle take 46 cycles', () => {
    const r = run(build({ readBandwidth: 2 }));
    expect(r.cycles).toBe(throttled(32, [32, 32, 28], 2));
    expect(r.cycles).toBe(46);
    expect(r.levels[1].cycles).toBe(46);
    expect(r.levels[2].cycles).toBe(32);
  });

  it('a write port counts fills and updates: 72 writes against 1 word/cycle take 72 cycles', () => {
    expect(run(build({ writeBandwidth: 1 })).cycles).toBe(72);
    // A bandwidth above the demand does not throttle.
    expect(run(build({ writeBandwidth: 2.25 })).cycles).toBe(32);
  });

  it('a shared port counts both: 164 accesses against 4 words/cycle take 41 cycles', () => {
    const r = run(build({ ...{ sharedBandwidth: 4 } }));
    expect(r.cycles).toBe(41);
  });

  it('DRAM bandwidth: 40 reads against 0.5 words/cycle take 80 cycles; the run takes the slowest level', () => {
    expect(run(build({}, { readBandwidth: 0.5 })).cycles).toBe(80);
    const both = run(build({ readBandwidth: 2 }, { readBandwidth: 0.5 }));
    expect(both.cycles).toBe(80);
    expect(both.levels.map((l) => l.cycles)).toEqual([32, 46, 80]);
  });

  it('leakage is charged over the throttled run', () => {
    const fast = run(build({}), 1), slow = run(build({}, { readBandwidth: 0.5 }), 1);
    expect(fast.levels[1].leakagePJ).toBe(32);
    expect(slow.levels[1].leakagePJ).toBe(80);
  });
});

describe('network-on-chip limits (4 PEs keep weights; the buffer multicasts inputs)', () => {
  // fc 8 → 4, batch 2: M = 4 over the PEs; each PE walks N (inner) and C.
  const w = fcWorkload('fc', 8, 4, 2);
  const C = dimIndex(w, 'C'), M = dimIndex(w, 'M'), N = dimIndex(w, 'N');
  const link = (o: Partial<NocLink>): NocLink => ({ name: 'GIN', className: 'bus', parent: 1, ports: ['read'], wordBits: 16, action: 'transfer', perTensorAction: false, bandwidth: null, child: -1, ...o });
  const build = (net?: NocLink): Arch => ({
    name: 'pes', compute: { name: 'mac', className: 'intmac', instances: 4, meshX: 4, meshY: 1 },
    storage: [
      storageLevel('spad', { instances: 4, meshX: 4, sizeWords: 64 }),
      storageLevel('buffer', { sizeWords: 4096 }),
      storageLevel('DRAM', { className: 'DRAM' }),
    ],
    ...(net ? { networks: [net] } : {}),
  });
  const mapping: Mapping = {
    levels: [
      { temporal: [{ dim: N, factor: 2 }, { dim: C, factor: 8 }], spatial: [], keep: [true, false, false] },
      { temporal: [], spatial: [{ dim: M, factor: 4, axis: 'X' }], keep: [false, true, true] },
      { temporal: [], spatial: [], keep: [true, true, true] },
    ],
  };
  const run = (net?: NocLink) => evaluate(w, build(net), mapping, energy(['spad', 'buffer', 'DRAM']));

  it('counts: 16 cycles; the buffer reads each input once for all 4 PEs, and 56 psums', () => {
    const r = run();
    expect(r.cycles).toBe(16);
    const buf = r.levels[2].dataSpaces;
    expect(buf.map((d) => [d.name, d.reads, d.updates])).toEqual([['Inputs', 16, 0], ['Outputs', 56, 64]]);
  });

  it('a network without a mode (as read from Timeloop) never limits cycles', () => {
    expect(run(link({ bandwidth: 1 })).cycles).toBe(16);
  });

  it('multicast: 16 + 56 words in 16 cycles over 2 words/cycle take 36 cycles', () => {
    const r = run(link({ mode: 'multicast', bandwidth: 2 }));
    expect(r.cycles).toBe(throttled(16, [16, 56], 2));
    expect(r.cycles).toBe(36);
    expect(r.networks![0]).toMatchObject({ mode: 'multicast', cycles: 36 });
  });

  it('unicast sends every PE its own copy of each input: 64 + 56 words over 2 words/cycle take 60 cycles', () => {
    expect(run(link({ mode: 'unicast', bandwidth: 2 })).cycles).toBe(60);
  });

  it('a network of several modes runs in the fastest for the layer', () => {
    const r = run(link({ mode: 'multicast', bandwidth: 2, modes: [{ mode: 'multicast', bandwidth: 2 }, { mode: 'unicast', bandwidth: 8 }] }));
    expect(r.cycles).toBe(16);
    expect(r.networks![0].mode).toBe('unicast');
    const slowUnicast = run(link({ mode: 'multicast', bandwidth: 2, modes: [{ mode: 'multicast', bandwidth: 2 }, { mode: 'unicast', bandwidth: 3 }] }));
    expect(slowUnicast.cycles).toBe(36);
    expect(slowUnicast.networks![0].mode).toBe('multicast');
  });

  it('a network delivering to one level carries only the tensors whose next keeper it is', () => {
    // To the spads: nothing the buffer keeps is kept there (weights bypass the buffer), so no limit.
    expect(run(link({ mode: 'multicast', bandwidth: 0.01, child: 0 })).cycles).toBe(16);
  });

  it('a network that fills a single-buffered level stalls: its words / bandwidth add to the run', () => {
    // DRAM sends the 32 weights (8 per PE) to the spads over 4 words/cycle: 8 cycles on top of 16.
    const filters = link({ name: 'GIN', parent: 2, child: 0, mode: 'multicast', bandwidth: 4, stalls: true });
    const r = run(filters);
    expect(r.levels[3].dataSpaces.find((d) => d.name === 'Weights')!.reads).toBe(32);
    expect(r.cycles).toBe(16 + 8);
    expect(r.networks![0].cycles).toBe(24);
    // Without the stall the same transfer overlaps compute.
    expect(run({ ...filters, stalls: false }).cycles).toBe(16);
  });

  it('neighbour links carry each PE its share: 72 words over 4 links of 1 word/cycle take 18 cycles', () => {
    expect(run(link({ mode: 'neighbour', bandwidth: 1 })).cycles).toBe(18);
  });
});
