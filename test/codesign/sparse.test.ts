/** The sparse-energy estimate: exact at density 1, monotone, and only what pruning can touch shrinks. */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { planEnergy } from '../../src/model/cost.js';
import { rlcWordsPerWord, sparseEnergy } from '../../src/model/sparse.js';
import { mapLayer } from '../../src/mapper/map.js';
import { layerWorkload } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';

/** An AlexNet layer mapped onto eyeriss (energy objective, batch 1): the dense result the estimate rescales. */
async function mappedAlexnetLayer(name: string) {
  const b = builtinArch('eyeriss')!;
  const plan = planEnergy(b.arch, b.energy);
  const layer = zooNetwork('alexnet')!.layers.find((l) => l.name === name)!;
  const w = layerWorkload(layer as never, 1);
  const { result: dense } = await mapLayer(w, b.arch, b.energy, b.constraints(w), { objective: 'energy', seed: 1, evaluations: 2000 });
  return { b, plan, dense };
}

describe('sparse energy', () => {
  it('RLC: dense data is sent dense; sparse data costs 21 bits per non-zero plus long-run entries', () => {
    expect(rlcWordsPerWord(1)).toBe(1);
    expect(rlcWordsPerWord(0.9)).toBe(1); // coding would be larger than dense
    expect(rlcWordsPerWord(0.5)).toBeCloseTo((0.5 + 0.5 / 32) * 21 / 16, 12);
    expect(rlcWordsPerWord(0)).toBeCloseTo((1 / 32) * 21 / 16, 12);
  });

  it('equals the dense result at density 1 and falls monotonically to the activation floor', async () => {
    const { b, plan, dense } = await mappedAlexnetLayer('conv3');
    const full = sparseEnergy(dense, b.arch, plan, { weights: 1 });
    expect(full.energyPJ).toBeCloseTo(dense.energyPJ, 6);
    full.levelEnergyPJ.forEach((e, i) => expect(e).toBeCloseTo(dense.levels[i].energyPJ, 6));
    let last = full.energyPJ;
    for (const d of [0.8, 0.5, 0.2, 0.05, 0]) {
      const s = sparseEnergy(dense, b.arch, plan, { weights: d });
      expect(s.energyPJ).toBeLessThan(last);
      expect(s.effectualMacs).toBe(Math.round(dense.computes * d));
      // The MACs scale exactly with the density.
      expect(s.levelEnergyPJ[0]).toBeCloseTo(dense.levels[0].energyPJ * d, 6);
      last = s.energyPJ;
    }
    // With no weights left, what remains is activation traffic outside the PEs: the DRAM's
    // Inputs/Outputs energy is untouched.
    const zero = sparseEnergy(dense, b.arch, plan, { weights: 0 });
    const dramIdx = dense.levels.length - 1;
    const dramActs = dense.levels[dramIdx].dataSpaces.filter((d) => d.name !== 'Weights').reduce((s, d) => s + d.energyPJ, 0);
    expect(zero.levelEnergyPJ[dramIdx]).toBeGreaterThanOrEqual(dramActs - 1e-6);
    expect(() => sparseEnergy(dense, b.arch, plan, { weights: 1.5 })).toThrow(/density/);
  });

  it('activation zeros: gated in the PE, RLC-coded only on the off-chip link; time saved only by zero weights', async () => {
    const { b, plan, dense } = await mappedAlexnetLayer('conv4');
    const dI = 0.3, dO = 0.4;
    const s = sparseEnergy(dense, b.arch, plan, { weights: 1, inputs: dI, outputs: dO });
    expect(s.levelEnergyPJ[0]).toBeCloseTo(dense.levels[0].energyPJ * dI, 6);
    expect(s.cycles).toBe(dense.cycles);
    expect(s.effectualMacs).toBe(Math.round(dense.computes * dI));
    const dram = dense.levels.length - 1;
    const by = (n: string) => dense.levels[dram].dataSpaces.find((d) => d.name === n)!;
    const outs = by('Outputs');
    // Spilled psums (read back) stay dense; each output's final write is compressed.
    const finalShare = outs.updates > 0 ? (outs.updates - outs.reads) / (outs.updates + outs.reads) : 0;
    const expected = by('Weights').energyPJ + by('Inputs').energyPJ * rlcWordsPerWord(dI)
      + outs.energyPJ * (finalShare * rlcWordsPerWord(dO) + (1 - finalShare));
    expect(s.levelEnergyPJ[dram] / expected).toBeCloseTo(1, 3);
    expect(s.levelEnergyPJ[dram]).toBeLessThan(dense.levels[dram].energyPJ - 0.4 * by('Inputs').energyPJ);
    const half = sparseEnergy(dense, b.arch, plan, { weights: 0.5, inputs: dI, outputs: dO });
    expect(half.cycles).toBe(Math.ceil(dense.cycles * 0.5));
    expect(() => sparseEnergy(dense, b.arch, plan, { weights: 1, outputs: -0.1 })).toThrow(/density/);
  });
});
