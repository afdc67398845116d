/** analyze under sparsity: the design's sparse spec (network/sparsity.ts) evaluated by the engine on each layer's mapping; dense runs untouched. */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { analyzeNetwork, layerEnergy } from '../../src/network/analyze.js';
import { layerWorkload, NetworkBuilder, type ConvLayer, type FcLayer } from '../../src/network/network.js';
import { designSparsity, SPARSITY_ASSUMPTION } from '../../src/network/sparsity.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import { runCli } from '../helpers/cli.js';

const b = builtinArch('eyeriss')!;
const net = new NetworkBuilder('small', [3, 16, 16]).conv('conv1', 16, 3, 1, 1).conv('conv2', 16, 3, 1, 1).pool('pool', 'maxpool', 2, 2).fc('fc', 10).build();
const o = { batch: 1, objective: 'energy' as const, evaluations: 300, seed: 1, threads: 1, constraints: b.constraints };

describe('analyze with densities', () => {
  it('dense: no sparse evaluation, no assumption line; densities of 1 are dense too', async () => {
    const dense = await analyzeNetwork(net, b.arch, b.energy, o);
    expect(dense.layers.some((l) => l.sparse)).toBe(false);
    expect(dense.warnings).not.toContain(SPARSITY_ASSUMPTION);
    const ones = await analyzeNetwork(net, b.arch, b.energy, { ...o, densities: { weights: 1, inputs: 1 } });
    expect(ones.totals).toEqual(dense.totals);
  }, 60_000);

  it('sparse: each layer is the engine on its dense mapping under the design spec; zero gating leaves dW·dI of the MACs', async () => {
    const dense = await analyzeNetwork(net, b.arch, b.energy, o);
    const r = await analyzeNetwork(net, b.arch, b.energy, { ...o, densities: { weights: 0.5, inputs: 0.4 } });
    expect(r.warnings).toContain(SPARSITY_ASSUMPTION);
    for (const [i, l] of r.layers.entries()) {
      if (!l.result) continue;
      const w = layerWorkload(l.layer as ConvLayer | FcLayer, 1);
      const spec = designSparsity(w, b.arch, l.mapping!, { weights: 0.5, inputs: 0.4 })!;
      // Activations RLC-coded off chip, weights too (pruned): formats only at DRAM.
      b.arch.storage.forEach((lv, li) => expect(spec.levels[li].formats.some((f) => f !== null)).toBe(lv.offChip));
      const want = evaluateSparse(w, b.arch, l.mapping!, b.energy, spec);
      expect(l.sparse!.energyPJ).toBe(want.energyPJ);
      // Up to Timeloop's rounding of expected values (one MAC).
      expect(Math.abs(l.sparse!.effectualMacs - l.result.computes * 0.5 * 0.4)).toBeLessThanOrEqual(1);
      expect(layerEnergy(l)).toBeLessThan(dense.layers[i].result!.energyPJ);
      // Same mapping as the dense run: the dense result is kept beside the sparse one.
      expect(l.result.energyPJ).toBe(dense.layers[i].result!.energyPJ);
    }
    expect(r.totals.energy).toBeLessThan(dense.totals.energy);
    expect(r.totals.dramAccesses).toBeLessThan(dense.totals.dramAccesses);
  }, 60_000);

  it('a pruned layer (weight density from its zeros) is sparse; dense weights stay uncompressed off chip', async () => {
    const pruned = { ...net, layers: net.layers.map((l) => (l.name === 'conv2' ? { ...l, weightDensity: 0.25 } : l)) };
    const r = await analyzeNetwork(pruned, b.arch, b.energy, o);
    expect(r.layers.filter((l) => l.sparse).map((l) => l.layer.name)).toEqual(['conv2']);
    const acts = await analyzeNetwork(net, b.arch, b.energy, { ...o, densities: { inputs: 0.5 } });
    const l = acts.layers.find((x) => x.layer.name === 'conv1')!;
    const spec = designSparsity(layerWorkload(l.layer as ConvLayer, 1), b.arch, l.mapping!, { inputs: 0.5 })!;
    const dram = b.arch.storage.findIndex((x) => x.offChip);
    const roles = layerWorkload(l.layer as ConvLayer, 1).dataSpaces.map((d) => d.role);
    expect(spec.levels[dram].formats.map((f, s) => [roles[s], f !== null])).toEqual(roles.map((role) => [role, role !== 'weight']));
  }, 60_000);

  it('CLI: --density by role lowers the energy and says the representation; a tensor name or bad value exits 2', async () => {
    const args = ['analyze', 'alexnet', '--arch', 'eyeriss', '--evaluations', '200', '--json'];
    // One at a time: the CLI runs in this process.
    const dense = await runCli(args);
    const sparse = await runCli([...args, '--density', 'Weights=0.3,Inputs=0.5']);
    const name = await runCli([...args, '--density', 'Ifmap=0.5']);
    const bad = await runCli([...args, '--density', 'Inputs=2']);
    expect(dense.code).toBe(0);
    expect(sparse.code).toBe(0);
    const d = JSON.parse(dense.stdout), s = JSON.parse(sparse.stdout);
    expect(s.totals.energy).toBeLessThan(d.totals.energy);
    expect(s.warnings).toContain(SPARSITY_ASSUMPTION);
    expect(d.warnings ?? []).not.toContain(SPARSITY_ASSUMPTION);
    const l = s.layers.find((x: { modelled: boolean }) => x.modelled);
    expect([l.weight_density, l.input_density, l.output_density]).toEqual([0.3, 0.5, 1]);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/--density Ifmap/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--density/);
  }, 120_000);
});
