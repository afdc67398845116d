/** mapLayer: the one path from a layer to its best mapping, and its user errors. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { builtinArch } from '../../src/designs/builtin.js';
import { mapLayer } from '../../src/mapper/map.js';
import { evaluate } from '../../src/model/model.js';
import { layerWorkload } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { SpecError } from '../../src/spec/errors.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR, referenceAvailable } from '../helpers/reference.js';
import { fanout } from '../../src/arch/arch.js';
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom } from '../../src/interop/timeloop/constraints.js';

const WS = join(REFERENCE_DIR, 'cases/v4-ex-simple_weight_stationary/ref');

describe('mapLayer', () => {
  it('returns a mapping whose evaluation is the result, and a bound no higher than it', async () => {
    const b = builtinArch('eyeriss')!;
    const w = layerWorkload(zooNetwork('alexnet')!.layers.find((l) => l.name === 'conv3') as never, 1);
    const m = await mapLayer(w, b.arch, b.energy, b.constraints(w), { objective: 'energy', seed: 2, evaluations: 3000 });
    const again = evaluate(w, b.arch, m.mapping, b.energy);
    expect(again.energyPJ).toBe(m.result.energyPJ);
    expect(m.score).toBe(m.result.energyPJ);
    expect(m.bound.score).toBeLessThanOrEqual(m.score);
    expect(m.gap).toBeCloseTo(m.score / m.bound.score, 12);
    expect(m.stats.evaluated).toBeGreaterThan(0);
  });

  it('runs random search under the same budget as the baseline, and map --json shows it', async () => {
    const b = builtinArch('eyeriss')!;
    const w = layerWorkload(zooNetwork('alexnet')!.layers.find((l) => l.name === 'conv3') as never, 1);
    const m = await mapLayer(w, b.arch, b.energy, b.constraints(w), { objective: 'energy', seed: 2, evaluations: 3000, baseline: true });
    expect(m.baseline).toBeTruthy();
    expect(m.baseline!.evaluated).toBe(3000);
    expect(m.baseline!.score).toBeGreaterThanOrEqual(m.bound.score);
    expect(m.baseline!.ratio).toBeCloseTo(m.baseline!.score / m.score, 12);
    // The search itself is the same with or without the baseline.
    const alone = await mapLayer(w, b.arch, b.energy, b.constraints(w), { objective: 'energy', seed: 2, evaluations: 3000 });
    expect(alone.score).toBe(m.score);
    expect(alone.baseline).toBeUndefined();
    const j = await runCli(['map', join(WS, 'parsed-processed-input.yaml'), '--ert', join(WS, 'timeloop-mapper.ERT.yaml'), '--evaluations', '2000', '--json']);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.random_baseline.evaluations).toBe(2000);
    expect(out.random_baseline.score).toBeGreaterThanOrEqual(out.lower_bound.score);
    expect(out.random_baseline.ratio).toBeCloseTo(out.random_baseline.score / out.score, 9);
    const t = await runCli(['map', join(WS, 'parsed-processed-input.yaml'), '--ert', join(WS, 'timeloop-mapper.ERT.yaml'), '--evaluations', '2000']);
    expect(t.stdout).toMatch(/\nrandom search, same budget: .+ \([\d.]+× the best\)\n/);
  });

  it('turns constraints that leave no mapping into a SpecError naming the design and the layer', async () => {
    const b = builtinArch('eyeriss')!;
    const w = layerWorkload(zooNetwork('alexnet')!.layers.find((l) => l.name === 'conv3') as never, 1);
    const c = b.constraints(w);
    // M fixed to 1 everywhere: its 384 has no loop left to go to.
    for (const lc of c.levels) { lc.temporalFactors.set(w.dims.indexOf('M'), 1); lc.spatialFactors.set(w.dims.indexOf('M'), 1); }
    await expect(mapLayer(w, b.arch, b.energy, c, { objective: 'energy', seed: 1, evaluations: 100, source: 'my-design' })).rejects.toThrow(SpecError);
    await expect(mapLayer(w, b.arch, b.energy, c, { objective: 'energy', seed: 1, evaluations: 100, source: 'my-design' })).rejects.toThrow(/^my-design: layer conv3: constraints/);
  });

  it('analyze and map with an over-constrained architecture file: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnnergy-overconstrained-'));
    const file = join(dir, 'arch.yaml');
    // M fixed to 1 at every level: no layer's filters have a loop to go to.
    const doc = parse(readFileSync(join(WS, 'parsed-processed-input.yaml'), 'utf8'));
    const levels = ['DRAM', 'shared_glb', 'inter_PE_spatial', 'pe_spad', 'weight_reg', 'input_activation_reg', 'output_activation_reg'];
    doc.architecture_constraints.targets = levels.flatMap((target) => [
      { target, type: 'temporal', factors: 'M=1' }, { target, type: 'spatial', factors: 'M=1' },
    ]);
    writeFileSync(file, stringify(doc));
    const ert = join(WS, 'timeloop-mapper.ERT.yaml');
    const a = await runCli(['analyze', 'alexnet', '--arch', file, '--ert', ert, '--evaluations', '200', '--json']);
    expect(a.code).toBe(2);
    expect(a.stdout).toBe('');
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/arch\.yaml: layer conv1: constraints: expected constraints that leave a legal mapping/);
    expect(a.stderr).not.toMatch(/internal error|\n\s+at /);
    const m = await runCli(['map', file, '--ert', ert, '--evaluations', '200', '--json']);
    expect(m.code).toBe(2);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.stderr).toMatch(/constraints: expected constraints that leave a legal mapping/);
  });
});

describe.runIf(referenceAvailable())('a mesh the instances contradict', () => {
  it('never lets an axis fan out wider than the instances (2019 Eyeriss-192: the MAC mesh is 192×1 under 16×12 scratchpads)', async () => {
    const c = join(REFERENCE_DIR, 'cases/2019-ta-eyeriss-192-int16');
    const inp = loadInputs([join(c, 'inputs/arch/eyeriss-192-int16.arch.yaml'), join(c, 'inputs/constraints/cnn-layer-eyeriss-192-rs.constraints.yaml'), join(c, 'inputs/prob/cnn-layer.prob.yaml')], join(c, 'ref', readdirSync(join(c, 'ref')).find((f) => f.endsWith('ERT.yaml'))!));
    inp.arch.storage.forEach((_, l) => { const f = fanout(inp.arch, l); expect(f.x * f.y).toBeLessThanOrEqual(f.total); });
    const m = await mapLayer(inp.workload, inp.arch, inp.energy!, constraintsFrom(inp.sections, inp.workload, inp.arch), { objective: 'edp', seed: 1, evaluations: 3000, convention: 'v3' });
    // mapLayer validated the winner (it threw before: a spatial fanout of 12 under psum_spad).
    expect(m.result.levels[0].utilizedInstances).toBeLessThanOrEqual(192);
    expect(m.gap).toBeGreaterThanOrEqual(1);
  });
});
