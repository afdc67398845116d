/**
 * The chips as built (eyeriss-v1, eyeriss-v2) and `dnnergy chips`'s study:
 * the designs carry the limits they claim, the built-in `eyeriss` is left
 * as it was, a layer's cycles are made of its limits as docs/model.md says,
 * and depthwise layers keep more of v2's PEs busy than v1's.
 */
import { eyerissV1Sparsity } from '../../src/designs/eyeriss-v1-sparse.js';
import { eyerissV2Sparsity } from '../../src/designs/eyeriss-v2-sparse.js';
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { withDramBandwidth } from '../../src/designs/build.js';
import { mapLayer } from '../../src/mapper/map.js';
import { evaluate } from '../../src/model/model.js';
import { evaluateChip, withEnoughRanks } from '../../src/studies/chip-eval.js';
import { conv2dWorkload } from '../../src/workload/conv.js';
import type { SparseSpec } from '../../src/sparse/spec.js';
import { layerWorkload, NetworkBuilder, type MacLayer, type Network } from '../../src/network/network.js';
import { exportSequentialOnnx } from '../../src/network/onnx/export.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { chipsToJSON, formatChips } from '../../src/report/chips.js';
import { SpecError } from '../../src/spec/errors.js';
import { chipMapping, compareChips, limitingResource, type Chip } from '../../src/studies/chips.js';
import { designSparsity } from '../../src/network/sparsity.js';
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
  const v1u = withDramBandwidth(v1, null);
  const chips: Chip[] = [{ design: v1u, zeros: 'gate', sparsity: eyerissV1Sparsity(v1u) }, { design: v2, zeros: 'skip', sparsity: eyerissV2Sparsity(v2) }];
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

  it('densities: v1 gates zeros (no cycle saved), v2 skips them (fewer cycles); both spend less energy; RLC/CSC ratios from the engine', () => {
    const [sa, sb] = sparse;
    // Off-chip bandwidth is unlimited here, so RLC cannot speed v1 up either.
    expect(sa.layers.map((l) => l.cycles)).toEqual(a.layers.map((l) => l.cycles));
    sb.layers.forEach((l, i) => expect(l.cycles).toBeLessThan(b.layers[i].cycles));
    sa.layers.forEach((l, i) => expect(l.energy).toBeLessThan(a.layers[i].energy));
    sb.layers.forEach((l, i) => expect(l.energy).toBeLessThan(b.layers[i].energy));
    expect(sa.layers[1].rlcRatio!).toBeLessThan(1);
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
    expect(densitiesFlag('inputs=0.3')).toEqual({ inputs: 0.3 });
    for (const bad of ['weights=1.5', 'zeros=0.3', 'weights']) expect(() => densitiesFlag(bad)).toThrow(SpecError);
    const per = sparseFlag('d.json', () => '{"conv2": {"inputs": 0.613}}');
    expect(per('conv2')).toEqual({ inputs: 0.613 });
    expect(per('conv1')).toBeUndefined();
    for (const bad of ['[1]', '{"conv2": {"inputs": 2}}', '{"conv2": {"zeros": 0.1}}', 'not json']) expect(() => sparseFlag('d.json', () => bad)).toThrow(SpecError);
  });

  it("reads a pruned ONNX file's weight densities per layer name; a file without weights is one user error", () => {
    const net = new NetworkBuilder('tiny', [2, 6, 6]).conv('c1', 4, 3).conv('c2', 4, 3).build();
    const c1 = net.layers[0] as MacLayer, c2 = net.layers[1] as MacLayer;
    // c1: every other weight zero; c2: three in four.
    const w1 = Float32Array.from({ length: 4 * 2 * 9 }, (_, i) => (i % 2 ? 0 : 1));
    const w2 = Float32Array.from({ length: 4 * 4 * 9 }, (_, i) => (i % 4 ? 0 : 1));
    const bytes = exportSequentialOnnx(net, 1, new Map([[c1.name, { weight: w1 }], [c2.name, { weight: w2 }]]));
    const per = sparseFlag('p.onnx', () => '', () => bytes);
    expect(per('c1')).toEqual({ weights: 0.5 });
    expect(per('c2')).toEqual({ weights: 0.25 });
    expect(per('conv9')).toBeUndefined();
    expect(() => sparseFlag('p.onnx', () => '', () => exportSequentialOnnx(net))).toThrow(SpecError);
  });
});

describe('the chips on the sparse engine', async () => {
  // A tiny layer: 2 → 4 channels, 3×3 filters, 4×4 outputs, batch 1 (72 input words).
  const w = conv2dWorkload('tiny', { inC: 2, outC: 4, kH: 3, kW: 3, outH: 4, outW: 4, strideH: 1, strideW: 1, dilH: 1, dilW: 1, groups: 1, batch: 1 });
  const v1u = withDramBandwidth(v1, null);
  const s1 = eyerissV1Sparsity(v1u), s2 = eyerissV2Sparsity(v2);
  const m1 = (await mapLayer(w, v1u.arch, v1u.energy, v1u.constraints(w), { objective: 'edp', seed: 1, evaluations: 800 })).mapping;
  const m2 = (await mapLayer(w, v2.arch, v2.energy, v2.constraints(w), { objective: 'edp', seed: 1, evaluations: 800 })).mapping;
  const noFormats = (s: SparseSpec): SparseSpec => ({ ...s, levels: s.levels.map((l) => ({ ...l, formats: l.formats.map(() => null), metadataWidth: 0 })) });

  it('with every density 1 and no formats, the engine path is the dense run exactly (cycles, energy, networks)', () => {
    for (const [d, sp, m, z] of [[v1u, s1, m1, 'gate'], [v2, s2, m2, 'skip']] as const) {
      const dense = evaluate(w, d.arch, m, d.energy);
      const r = evaluateChip(w, d.arch, m, sp.energy, noFormats(sp.spec(w, {}, m)), z);
      expect(r.cycles).toBe(dense.cycles);
      expect(r.energyPJ).toBeCloseTo(dense.energyPJ, 6);
      expect(r.networks!.map((n) => [n.name, n.cycles])).toEqual(dense.networks!.map((n) => [n.name, n.cycles]));
    }
  });

  it('with every density 1 and the formats, every data count is the dense one and the energy rises by the metadata alone', () => {
    for (const [d, sp, m] of [[v1u, s1, m1], [v2, s2, m2]] as const) {
      const dense = evaluate(w, d.arch, m, d.energy);
      const [, r] = withEnoughRanks(w, d.arch, m, sp.energy, sp.spec(w, {}, m));
      r.levels.forEach((l, i) => l.dataSpaces.forEach((t) => {
        const u = dense.levels[i].dataSpaces.find((x) => x.name === t.name)!;
        expect([t.reads, t.fills, t.updates]).toEqual([u.reads, u.fills, u.updates]);
      }));
      expect(r.levels[0].computeCounts!.actual).toBe(dense.computes);
      expect(r.energyPJ).toBeGreaterThan(dense.energyPJ);
    }
  });

  it("v1's RLC at DRAM: the non-zero input words alone are read, with 5-bit runs in proportion, priced per bit of a DRAM word", () => {
    const dram = v1u.arch.storage.findIndex((l) => l.offChip);
    const dense = evaluate(w, v1u.arch, m1, v1u.energy).levels[dram + 1].dataSpaces.find((t) => t.role === 'input')!;
    const at = (d: number) => evaluateChip(w, v1u.arch, m1, s1.energy, s1.spec(w, { inputs: d }, m1), 'gate').levels[dram + 1].dataSpaces.find((x) => x.role === 'input')!;
    // Hand count: the 72 input words are read once (DRAM → buffer); at density d, 72 − ⌊72(1 − d)⌋ of them.
    expect(dense.reads).toBe(72);
    expect(at(0.5).reads).toBe(36);
    expect(at(0.25).reads).toBe(18);
    // RLE keeps no ceiling (formats.ts): its runs scale with the density exactly.
    const runs = (d: number) => at(d).sparse!.metadata.actual.reads.at(-1)![0];
    expect(runs(0.25) * 2).toBe(runs(0.5));
    expect(runs(0.5)).toBeGreaterThanOrEqual(36);
    // A 15-bit run word (three 5-bit runs) costs 15/16 of a 16-bit DRAM word: 200 × 15/16.
    expect(s1.energy.components.get('DRAM')!.metadata_read).toBe(187.5);
  });

  it("v2's CSC: a coordinate per non-zero weight at the weight scratchpad, an offset per column; skipping cuts the MACs and the cycles", () => {
    const W = v2.arch.storage.findIndex((l) => l.name === 'weights_spad');
    const dense = evaluate(w, v2.arch, m2, v2.energy);
    const r = evaluateChip(w, v2.arch, m2, s2.energy, s2.spec(w, { weights: 0.5, inputs: 0.5 }, m2), 'skip');
    const t = r.levels[W + 1].dataSpaces.find((x) => x.role === 'weight')!;
    const fills = t.sparse!.metadata.actual.fills;
    // The weights fill the spad compressed: the CP rank holds one coordinate per non-zero weight filled.
    expect(fills.at(-1)![0]).toBe(t.fills);
    expect(t.fills).toBe(Math.ceil(dense.levels[W + 1].dataSpaces.find((x) => x.role === 'weight')!.fills / 2));
    expect(r.levels[0].computeCounts!.actual).toBe(dense.computes / 4);
    expect(r.cycles).toBeLessThan(dense.cycles);
    // Gating on v1 at the same densities keeps the dense cycles.
    const g = evaluateChip(w, v1u.arch, m1, s1.energy, s1.spec(w, { weights: 0.5, inputs: 0.5 }, m1), 'gate');
    expect(g.cycles).toBe(evaluate(w, v1u.arch, m1, v1u.energy).cycles);
    // v1's weights are not compressed: weight zeros change nothing there, ifmap zeros gate the weight reads and MACs.
    expect(g.levels[0].computeCounts!.actual).toBe(dense.computes / 2);
  });

  it("v1's spec is the role-built rule (designSparsity) but for the chip's three differences: 15-bit run words, weights uncompressed, no compute gating", () => {
    const d = { weights: 0.5, inputs: 0.4, outputs: 0.6 };
    const rule = designSparsity(w, v1u.arch, m1, d)!;
    const chip = s1.spec(w, d, m1);
    const dram = v1u.arch.storage.findIndex((l) => l.offChip);
    const W = w.dataSpaces.findIndex((t) => t.role === 'weight');
    expect(chip.densities).toEqual(rule.densities);
    chip.levels.forEach((l, i) => {
      if (i !== dram) { expect(l).toEqual(rule.levels[i]); return; }
      expect([l.metadataWidth, rule.levels[i].metadataWidth]).toEqual([15, 60]);
      expect(rule.levels[i].formats[W]).not.toBeNull();
      expect(l.formats.map((f, s) => (s === W ? null : f))).toEqual(l.formats);
      expect(l.formats.filter((_, s) => s !== W)).toEqual(rule.levels[i].formats.filter((_, s) => s !== W));
      expect(l.gating).toEqual(rule.levels[i].gating);
    });
    expect([chip.compute.gateOnZeroOperand, rule.compute.gateOnZeroOperand]).toEqual([false, true]);
  });

  it("a sparse run's networks carry what it moves: v2's iact mesh carries compressed iacts, fewer words than dense", () => {
    const dense = evaluate(w, v2.arch, m2, v2.energy);
    const r = evaluateChip(w, v2.arch, m2, s2.energy, s2.spec(w, { inputs: 0.25 }, m2), 'skip');
    const words = (x: typeof r) => x.networks!.find((n) => n.name === 'HM_iact')!.dataSpaces.reduce((t, d) => t + d.transfers, 0);
    expect(words(r)).toBeLessThan(words(dense));
    // The psums travel uncompressed, and the skipped MACs send fewer of them, never more.
    const psums = (x: typeof r) => x.networks!.find((n) => n.name === 'HM_psum')!.dataSpaces.reduce((t, d) => t + d.transfers, 0);
    expect(psums(r)).toBeLessThanOrEqual(psums(dense));
  });
});

describe('sparse-aware chip mapping', async () => {
  const layer = zooNetwork('mobilenet_v1')!.layers.find((l) => l.name === 'conv13_pw') as MacLayer;
  const w = layerWorkload(layer, 1);
  const dens = { weights: 0.5, inputs: 0.3 };
  const o = { batch: 1, objective: 'edp' as const, evaluations: 600, seed: 1 };

  it('keeps the better, as the chip runs it, of the dense-ranked and the sparse-ranked searches', async () => {
    for (const chip of [{ design: v1, zeros: 'gate' as const, sparsity: eyerissV1Sparsity(v1) }, { design: v2, zeros: 'skip' as const, sparsity: eyerissV2Sparsity(v2) }]) {
      const d = chip.design;
      const kept = await chipMapping(w, chip, dens, o);
      const denseFound = (await mapLayer(w, d.arch, d.energy, d.constraints(w), { objective: 'edp', seed: 1, evaluations: 600, source: d.name })).mapping;
      const ref = evaluateChip(w, d.arch, denseFound, chip.sparsity.energy, chip.sparsity.spec(w, dens, denseFound), chip.zeros);
      expect(kept.chip.energyPJ * kept.chip.cycles).toBeLessThanOrEqual(ref.energyPJ * ref.cycles);
      if (kept.rankedBy === 'dense') expect(kept.mapping).toEqual(denseFound);
    }
  });
});

