/**
 * Eyeriss v1's compiler placement (designs/rs-fold.ts): the fold of a
 * layer's S × Q logical PE set onto the 12 × 14 array, worked out by hand
 * for AlexNet's CONV layers (JSSC 2017's active PEs: 154, 135, 156, 156,
 * 156), its constraints, and how `compareChips` reports a padded layer.
 */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { eyerissV1Compiler } from '../../src/designs/eyeriss.js';
import { eyerissV1Sparsity } from '../../src/designs/eyeriss-v1-sparse.js';
import { rsFold } from '../../src/designs/rs-fold.js';
import { runChips } from '../../src/cli/chips.js';
import { layerWorkload, type MacLayer } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { SpecError } from '../../src/spec/errors.js';
import { chipMapping, compareChips, type Chip } from '../../src/studies/chips.js';

const v1 = builtinArch('eyeriss-v1')!;
const alexnet = zooNetwork('alexnet')!;
const conv = (name: string) => layerWorkload(alexnet.layers.find((l) => l.name === name) as MacLayer, 4);
const dim = (w: { dims: readonly string[] }, n: string) => w.dims.indexOf(n);

describe('the row-stationary fold', () => {
  it('folds AlexNet CONV1–5 as the chip does: strip-mined by 14 output rows, stacked where rows allow, replicated below', () => {
    const f = (n: string) => { const x = rsFold(conv(n), 12, 14)!; return [x.width, x.segments, x.passes, x.q, x.paddedQ]; };
    // CONV1: 11 × 55; one 11-row segment fits in 12 rows: four passes of 14 columns (14, 14, 14, 13).
    expect(f('conv1')).toEqual([14, 1, 4, 55, 56]);
    // CONV2: 5 × 27; two 5-row segments fit: 5 × 14 over 5 × 13, one pass.
    expect(f('conv2')).toEqual([14, 2, 1, 27, 28]);
    // CONV3–5: 3 × 13 fits in one segment (replicated by the mapper over the rows left).
    for (const n of ['conv3', 'conv4', 'conv5']) expect(f(n)).toEqual([13, 1, 1, 13, 13]);
  });

  it('takes the fewest passes the rows allow and balances the segments within them (least padding)', () => {
    const w3 = conv('conv3');
    const f = (q: number) => { const x = rsFold({ ...w3, bounds: w3.bounds.map((b, d) => (d === dim(w3, 'Q') ? q : b)) }, 12, 14)!; return [x.width, x.segments, x.passes, x.paddedQ]; };
    // 3-row filters: four segments fit down a column. 64 rows need five 14-wide segments, so two passes; 4 × 8 per pass pads nothing.
    expect(f(64)).toEqual([8, 4, 2, 64]);
    // 57: two passes; 3 segments of 10 (60) pad less than 4 of 8 (64).
    expect(f(57)).toEqual([10, 3, 2, 60]);
    expect(f(112)).toEqual([14, 4, 2, 112]);
    expect(f(7)).toEqual([7, 1, 1, 7]);
  });

  it('pads only what the fold needs and scales the work back to the real MACs', () => {
    const c1 = rsFold(conv('conv1'), 12, 14)!;
    expect(c1.workload.bounds[dim(c1.workload, 'Q')]).toBe(56);
    expect(c1.workScale).toBeCloseTo(55 / 56, 12);
    expect(c1.spatialShare).toBe(1);
    const c2 = rsFold(conv('conv2'), 12, 14)!;
    expect(c2.spatialShare).toBeCloseTo(27 / 28, 12);
    const w3 = conv('conv3');
    const c3 = rsFold(w3, 12, 14)!;
    expect(c3.workload).toBe(w3);
    expect(c3.workScale).toBe(1);
    // Filters taller than the array: the rule does not apply.
    expect(rsFold({ ...w3, bounds: w3.bounds.map((b, d) => (d === dim(w3, 'S') ? 13 : b)) }, 12, 14)).toBeUndefined();
  });

  it("fixes the fold's spatial loops and leaves the rest to the mapper", () => {
    const { fold, constraints } = eyerissV1Compiler(v1, conv('conv2'))!;
    const w = fold.workload;
    // Levels of rowstationary.ts: 3 = down a column (PE rows), 4 = across the columns.
    expect(constraints.levels[4].spatialFactors.get(dim(w, 'Q'))).toBe(14);
    expect(constraints.levels[3].spatialFactors.get(dim(w, 'Q'))).toBe(2);
    expect(constraints.levels[3].spatialFactors.get(dim(w, 'S'))).toBe(5);
    // Channels and filters stay free down a column (the replication), filters across.
    expect(constraints.levels[3].spatialFactors.has(dim(w, 'C'))).toBe(false);
    expect(constraints.levels[4].spatialFactors.has(dim(w, 'M'))).toBe(false);
  });
});

describe('compareChips with the compiler placement', async () => {
  const chip: Chip = { design: v1, zeros: 'gate', sparsity: eyerissV1Sparsity(v1), compiler: (w) => eyerissV1Compiler(v1, w) };
  const net = { ...alexnet, layers: alexnet.layers.filter((l) => l.name === 'conv1' || l.name === 'conv2') };
  const o = { batch: 4, objective: 'edp' as const, evaluations: 800, seed: 1 };
  const [run] = await compareChips(net, [chip], o);
  const [searched] = await compareChips(net, [chip], { ...o, placement: 'search' });

  it("puts the chip's PEs to work: 154 on CONV1, 135 on CONV2 (JSSC 2017)", () => {
    expect(run.layers.map((l) => l.activePEs)).toEqual([154, 135]);
    expect(run.layers.map((l) => l.fold?.paddedQ)).toEqual([56, 28]);
    expect(searched.layers.every((l) => l.fold === undefined)).toBe(true);
  });

  it("keeps the padded run's cycles and scales its work by real / padded MACs", async () => {
    const w = conv('conv1');
    const m = await chipMapping(w, chip, undefined, o);
    const l = run.layers[0];
    expect(l.cycles).toBe(m.chip.cycles);
    expect(l.energy).toBeCloseTo(m.chip.energyPJ * (55 / 56), 6);
    expect(l.macs).toBe(55 * 55 * 96 * 3 * 11 * 11 * 4);
  });

  it('refuses an unknown placement with one user error', async () => {
    await expect(runChips({ network: 'alexnet', batch: '1', evaluations: '10', seed: '1', threads: '1', objective: 'edp', placement: 'fold' })).rejects.toThrow(SpecError);
  });
});
