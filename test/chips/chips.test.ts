/**
 * The chips as built (eyeriss-v1, eyeriss-v2) and `dnnergy chips`'s study:
 * the designs carry the limits they claim, the built-in `eyeriss` is left
 * as it was, a layer's cycles are made of its limits as docs/model.md says,
 * and depthwise layers keep more of v2's PEs busy than v1's.
 */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { withDramBandwidth } from '../../src/designs/build.js';
import { mapLayer } from '../../src/mapper/map.js';
import { rlcWordsPerWord } from '../../src/model/sparse.js';
import { layerWorkload, type MacLayer, type Network } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { chipsToJSON, formatChips } from '../../src/report/chips.js';
import { SpecError } from '../../src/spec/errors.js';
import { compareChips, limitingResource, type Chip } from '../../src/studies/chips.js';
import { densitiesFlag, sparseFlag } from '../../src/cli/chips.js';

const v1 = builtinArch('eyeriss-v1')!, v2 = builtinArch('eyeriss-v2')!, base = builtinArch('eyeriss')!;

describe('the designs', () => {
  it('eyeriss-v1 is eyeriss plus the off-chip link and the NoCs; eyeriss itself has no limits', () => {
    expect(v1.arch.storage.map((l) => [l.name, l.sizeWords])).toEqual(base.arch.storage.map((l) => [l.name, l.sizeWords]));
    expect(base.arch.networks).toBeUndefined();
    expect(base.arch.storage.every((l) => l.readBandwidth === null && l.writeBandwidth === null && l.sharedBandwidth === null)).toBe(true);
    const dram = v1.arch.storage.find((l) => l.offChip)!;
    expect(dram.sharedBandwidth).toBeCloseTo((4 * 90) / 200, 12);
    expect(v1.arch.networks!.map((n) => [n.name, n.mode, n.bandwidth, n.stalls === true])).toEqual([
      ['GIN_ifmap', 'multicast', 4, false], ['GIN_filter', 'multicast', 4, true], ['GON', 'multicast', 4, false], ['LN_psum', 'neighbour', 4, false],
    ]);
  });

  it('eyeriss-v2: 192 PEs of two MACs in 16 clusters, three mesh networks with broadcast, multicast and unicast', () => {
    expect(v2.arch.compute.instances).toBe(384);
    expect(v2.arch.storage[0].instances).toBe(192);
    expect(v2.arch.storage.find((l) => l.name === 'pe_cluster')!.instances).toBe(16);
    for (const n of v2.arch.networks!) expect(n.modes!.map((m) => m.mode)).toEqual(['broadcast', 'multicast', 'unicast']);
    expect(v2.arch.networks!.map((n) => n.modes![2].bandwidth / n.modes![0].bandwidth)).toEqual([16, 16, 16]);
    expect(v2.arch.storage.find((l) => l.offChip)!.sharedBandwidth).toBeNull();
  });

  it('withDramBandwidth limits the off-chip ports of any design and nothing else', () => {
    const d = withDramBandwidth(base, 2);
    d.arch.storage.forEach((l, i) => {
      expect([l.readBandwidth, l.writeBandwidth]).toEqual(l.offChip ? [2, 2] : [base.arch.storage[i].readBandwidth, base.arch.storage[i].writeBandwidth]);
    });
    expect(d.constraints).toBe(base.constraints);
    // The as-built link's shared limit is replaced too.
    expect(withDramBandwidth(v1, null).arch.storage.every((l) => l.readBandwidth === null && l.writeBandwidth === null && l.sharedBandwidth === null)).toBe(true);
  });
});

describe('a layer on eyeriss-v1', async () => {
  const conv3 = zooNetwork('alexnet')!.layers.find((l) => l.name === 'conv3') as MacLayer;
  const w = layerWorkload(conv3, 4);
  const m = await mapLayer(w, v1.arch, v1.energy, v1.constraints(w), { objective: 'edp', seed: 1, evaluations: 1500 });
  const r = m.result;

  it('takes the slowest overlapping limit plus the filter loads that stall the PEs', () => {
    const compute = r.levels[0].cycles;
    const overlapping = Math.max(...r.levels.map((l) => l.cycles), ...r.networks!.filter((n) => n.name !== 'GIN_filter').map((n) => n.cycles!));
    const stall = r.networks!.find((n) => n.name === 'GIN_filter')!.cycles! - compute;
    expect(stall).toBeGreaterThan(0);
    expect(r.cycles).toBe(overlapping + stall);
    // The stall is the filter words DRAM sends, over 4 words per cycle.
    const dramWeights = r.levels.find((l) => l.offChip)!.dataSpaces.find((d) => d.role === 'weight')!.reads;
    expect(stall).toBe(Math.ceil(dramWeights / 4));
  });

  it('names the limit the cycles come from', () => {
    const lim = limitingResource(r, new Set(['GIN_filter']));
    const compute = r.levels[0].cycles;
    const overlapping = Math.max(...r.levels.map((l) => l.cycles), ...r.networks!.filter((n) => n.name !== 'GIN_filter').map((n) => n.cycles!));
    expect(lim).toBe(r.cycles - overlapping > overlapping - compute ? 'GIN_filter (stall)' : lim);
    expect(limitingResource({ ...r, networks: [] }, new Set())).toBe(r.levels.reduce((a, l) => (l.cycles > a.c ? { c: l.cycles, n: l.name } : a), { c: compute, n: 'compute' }).n);
  });
});

describe('compareChips on MobileNet layers', async () => {
  const mobilenet = zooNetwork('mobilenet_v1')!;
  const net: Network = { ...mobilenet, layers: mobilenet.layers.filter((l) => l.name === 'conv2_dw' || l.name === 'conv2_pw') };
  // Off-chip bandwidth unlimited on both: depthwise layers are DRAM-bound on any link of v1's width, and this is about the array.
  const chips: Chip[] = [{ design: withDramBandwidth(v1, null), zeros: 'gate' }, { design: v2, zeros: 'skip' }];
  const opts = { batch: 1, objective: 'edp' as const, evaluations: 1500, seed: 1 };
  const [a, b] = await compareChips(net, chips, opts);
  const sparse = await compareChips(net, chips, { ...opts, densities: () => ({ weights: 0.5, inputs: 0.5 }) });

  it('puts more PEs to work on the depthwise layer on v2 than on v1 (v1 cannot spread channel groups over its array)', () => {
    const dw = (run: typeof a) => run.layers.find((l) => l.name === 'conv2_dw')!;
    // v1: filter rows × output rows only, 3 × 14 PEs at most.
    expect(dw(a).activePEs).toBeLessThanOrEqual(42);
    expect(dw(b).activePEs).toBeGreaterThan(dw(a).activePEs);
    expect(b.totals.inferencesPerSecond).toBeGreaterThan(a.totals.inferencesPerSecond);
  });

  it('sums the layers into the totals', () => {
    for (const run of [a, b]) {
      expect(run.totals.cycles).toBe(run.layers.reduce((s, l) => s + l.cycles, 0));
      expect(run.totals.inferencesPerSecond).toBeCloseTo(run.clockHz / run.totals.cycles, 9);
      for (const l of run.layers) expect(l.onChipEnergy).toBeLessThan(l.energy);
    }
  });

  it('densities: v1 gates zeros (energy only), v2 skips them (time too); RLC ratio from the sparse estimate', () => {
    const [sa, sb] = sparse;
    expect(sa.layers.map((l) => l.cycles)).toEqual(a.layers.map((l) => l.cycles));
    sb.layers.forEach((l, i) => expect(l.cycles).toBe(Math.max(1, Math.ceil(b.layers[i].cycles * 0.25))));
    sa.layers.forEach((l, i) => expect(l.energy).toBeLessThan(a.layers[i].energy));
    expect(sa.layers[0].rlcRatio).toBe(rlcWordsPerWord(0.5));
    expect(sa.layers[0].dramAccessesCompressed!).toBeLessThan(sa.layers[0].dramAccesses);
  });

  it('reports both chips side by side, the second against the first', () => {
    const json = chipsToJSON(net.name, 1, [a, b]) as { chips: { chip: string; totals: Record<string, number>; layers: { name: string; limit: string }[] }[] };
    expect(json.chips.map((c) => c.chip)).toEqual(['eyeriss-v1', 'eyeriss-v2']);
    expect(json.chips[1].totals.speedup_vs_first).toBeCloseTo(b.totals.inferencesPerSecond / a.totals.inferencesPerSecond, 12);
    expect(json.chips[0].totals.speedup_vs_first).toBeUndefined();
    const text = formatChips(net.name, 1, [a, b]);
    for (const l of a.layers) expect(text).toContain(l.limit);
    expect(text).toMatch(/eyeriss-v2: [\d.,]+ inferences\/s .* faster/);
  });
});

describe('--sparse', () => {
  it('reads densities for every layer or per layer from JSON; anything else is one user error', () => {
    expect(densitiesFlag('weights=0.4,inputs=0.5')).toEqual({ weights: 0.4, inputs: 0.5 });
    expect(densitiesFlag('inputs=0.3')).toEqual({ weights: 1, inputs: 0.3 });
    for (const bad of ['weights=1.5', 'zeros=0.3', 'weights']) expect(() => densitiesFlag(bad)).toThrow(SpecError);
    const per = sparseFlag('d.json', () => '{"conv2": {"inputs": 0.613}}');
    expect(per('conv2')).toEqual({ weights: 1, inputs: 0.613 });
    expect(per('conv1')).toBeUndefined();
    for (const bad of ['[1]', '{"conv2": {"inputs": 2}}', '{"conv2": {"zeros": 0.1}}', 'not json']) expect(() => sparseFlag('d.json', () => bad)).toThrow(SpecError);
  });
});
