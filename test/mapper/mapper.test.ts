/**
 * The mapper: determinism, constraints honoured, output readable by
 * `dnnergy model`, at least as good as Timeloop's reference mappings on the
 * small dense mapper cases, and a lower bound that never exceeds a found cost.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../../src/interop/timeloop/constraints.js';
import { lowerBound } from '../../src/mapper/bound.js';
import { runMapper } from '../../src/mapper/run.js';
import { better, score, search, type Objective } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { Rng } from '../../src/util/rng.js';
import { planEnergy, totals } from '../../src/model/cost.js';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { Evaluator } from '../../src/model/nest.js';
import { evaluate } from '../../src/model/model.js';
import { validateMapping } from '../../src/mapping/validate.js';
import { operationCount } from '../../src/workload/workload.js';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import { convWorkload } from '../../src/workload/conv.js';
import { runCli } from '../helpers/cli.js';
import { randomCase, rng } from '../helpers/random.js';
import { caseInputs, isDense, loadRefs, referenceAvailable } from '../helpers/reference.js';

function setup(name: string) {
  const r = loadRefs().find((x) => x.name === name)!;
  const { inputs, ert } = caseInputs(r);
  const convention = r.snapshot === 'v4' ? ('v4' as const) : ('v3' as const);
  const inp = loadInputs(inputs, ert);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const plan = planEnergy(inp.arch, inp.energy!, convention);
  // Timeloop's default metric is EDP.
  const objective: Objective = objectiveFrom(inp.sections) ?? 'edp';
  const ref = evaluate(inp.workload, inp.arch, inp.mapping!, inp.energy!, { convention });
  return { r, inputs, ert, inp, constraints, plan, objective, ref, convention };
}

describe.runIf(referenceAvailable())('mapper on Timeloop reference cases', () => {
  const cases = loadRefs().filter((r) => r.tool === 'mapper' && isDense(r) && r.snapshot === 'v4');
  it('covers the 11 dense v4 mapper cases', () => expect(cases.length).toBe(11));
  for (const r of cases) {
    it(`${r.name}: at least as good as the reference mapping, honouring the constraints`, async () => {
      const c = setup(r.name);
      const run = await runMapper(c.inp.workload, c.inp.arch, c.constraints, c.plan, { objective: c.objective, seed: 1, threads: 1, evaluations: 30000, analysis: { convention: c.convention } });
      expect(run.best).not.toBeNull();
      const space = new MapSpace(c.inp.workload, c.inp.arch, c.constraints);
      const mapping = space.toMapping(run.best!);
      validateMapping(c.inp.workload, c.inp.arch, mapping, 'found');
      // Re-evaluated from scratch: the same cost, no worse than the reference.
      const res = evaluate(c.inp.workload, c.inp.arch, mapping, c.inp.energy!, { convention: c.convention });
      expect(res.energyPJ).toBeCloseTo(run.energyPJ, 3);
      expect(score(c.objective, res.energyPJ, res.cycles)).toBeLessThanOrEqual(score(c.objective, c.ref.energyPJ, c.ref.cycles) * (1 + 1e-9));
      // Constraints: fixed factors, keep and bypass.
      c.constraints.levels.forEach((lc, l) => {
        for (const [d, f] of lc.temporalFactors) if (f > 0) expect(mapping.levels[l].temporal.find((x) => x.dim === d)?.factor ?? 1).toBe(f);
        for (const s of lc.keep) expect(mapping.levels[l].keep[s]).toBe(true);
        for (const s of lc.bypass) expect(mapping.levels[l].keep[s]).toBe(false);
      });
      // The bound holds, without the constraints and (tighter) with them, for
      // the found mapping and Timeloop's.
      expect(lowerBound(c.inp.workload, c.inp.arch, c.plan, c.objective).score).toBeLessThanOrEqual(score(c.objective, res.energyPJ, res.cycles));
      const lb = lowerBound(c.inp.workload, c.inp.arch, c.plan, c.objective, c.constraints);
      expect(lb.score).toBeLessThanOrEqual(score(c.objective, res.energyPJ, res.cycles) * (1 + 1e-12));
      expect(lb.score).toBeLessThanOrEqual(score(c.objective, c.ref.energyPJ, c.ref.cycles) * (1 + 1e-12));
    });
  }
});

describe('mapper determinism and threads', () => {
  it('same seed and budget: the same result; a different seed explores differently', () => {
    const { w, arch } = randomCase(rng(7));
    const energy = { source: 'test', components: new Map<string, Record<string, number>>([[arch.compute.name, { compute: 1 }], ...arch.storage.map((s, l) => [s.name, { read: 2 + 10 * l, write: 2 + 10 * l, update: 2 + 10 * l, leak: 0 }] as [string, Record<string, number>])]) };
    const plan = planEnergy(arch, energy);
    const space = new MapSpace(w, arch, emptyConstraints(arch));
    const a = search(w, arch, space, plan, { objective: 'energy', seed: 3, evaluations: 3000 });
    const b = search(w, arch, space, plan, { objective: 'energy', seed: 3, evaluations: 3000 });
    expect(a.energyPJ).toBe(b.energyPJ);
    expect(Array.from(a.best!.f)).toEqual(Array.from(b.best!.f));
    expect(a.stats.evaluated).toBe(3000);
  });

  it.runIf(referenceAvailable())('2 worker threads: reproducible, and the CLI output is byte-stable and readable by `model`', async () => {
    const c = setup('v4-ex-simba_like');
    const out = join(mkdtempSync(join(tmpdir(), 'dnnergy-map-')), 'best.map.yaml');
    const args = ['map', ...c.inputs.filter((f) => !f.endsWith('.map.yaml')), '--ert', c.ert, '--evaluations', '6000', '--threads', '2', '--json'];
    const x = await runCli([...args, '--out', out]);
    const y = await runCli(args);
    expect(x.code).toBe(0);
    expect(x.stdout).toBe(y.stdout);
    const j = JSON.parse(x.stdout);
    // Each search spends the whole budget (search 0 is the one-thread run, so two threads never do worse).
    expect(j.search).toMatchObject({ seed: 1, threads: 2, evaluations: 12000, pruned: j.search.pruned, best_at: j.search.best_at, exhaustive: false, timed_out: false });
    const one = JSON.parse((await runCli(args.map((a) => (a === '2' ? '1' : a)))).stdout);
    expect(j.score).toBeLessThanOrEqual(one.score);
    expect(j.gap).toBeGreaterThanOrEqual(1);
    const m = await runCli(['model', c.inputs[0], out, '--ert', c.ert, '--json']);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).energy_pJ).toBeCloseTo(j.result.energy_pJ, 3);
    expect(readFileSync(out, 'utf8')).toMatch(/^mapping:\n/);
  });

  it('a mapspace that fits the budget is enumerated, and nothing beats its best', () => {
    for (const [i, shape] of [[0, { C: 2, M: 1, R: 3, S: 1, P: 2, Q: 1 }], [1, { C: 1, M: 2, R: 3, S: 1, P: 4, Q: 1 }], [2, { C: 2, M: 2, R: 1, S: 1, P: 3, Q: 1 }]] as const) {
      const w = convWorkload(`tiny${i}`, shape);
      const lv = (name: string, size: number | null): StorageLevel => ({ name, className: 'SRAM', instances: 1, meshX: 1, meshY: 1, sizeWords: size, wordBits: 8, blockSize: 1, clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip: size === null });
      const arch: Arch = { name: 'two-level', compute: { name: 'mac', className: 'intmac', instances: 1, meshX: 1, meshY: 1 }, storage: [lv('RF', 8), lv('DRAM', null)] };
      const energy = { source: 'test', components: new Map<string, Record<string, number>>([['mac', { compute: 1 }], ['RF', { read: 1, write: 1, update: 1 }], ['DRAM', { read: 100, write: 100, update: 100 }]]) };
      const plan = planEnergy(arch, energy);
      const space = new MapSpace(w, arch, emptyConstraints(arch));
      const size = space.size();
      expect(size).toBeLessThan(20000);
      const all = search(w, arch, space, plan, { objective: 'energy', seed: 1, evaluations: size });
      expect(all.stats.exhaustive).toBe(true);
      expect(all.best).not.toBeNull();
      // Annealing with one evaluation less (so not exhaustive) finds nothing better.
      const sa = search(w, arch, space, plan, { objective: 'energy', seed: 2, evaluations: size - 1 });
      expect(sa.stats.exhaustive).toBe(false);
      expect(all.energyPJ).toBeLessThanOrEqual(sa.energyPJ * (1 + 1e-12));
    }
  });

  it('rejects a bad objective with exit 2', async () => {
    const r = await runCli(['map', 'examples/eyeriss_like_vgg_conv.yaml', '--objective', 'speed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--objective: expected energy, delay or edp, found speed/);
  });
});

describe.runIf(referenceAvailable())('map --time-limit alone: the exact search', () => {
  it('proves the optimum of a small case, the same as enumerating it, and says so in --json; a bad --search is a user error', async () => {
    const c = setup('v4-tl-05-mapper-conv1d+oc-3level-freebypass');
    const inputs = c.inputs.filter((f) => !f.endsWith('.map.yaml'));
    const x = await runCli(['map', ...inputs, '--ert', c.ert, '--objective', 'energy', '--time-limit', '30', '--json']);
    expect(x.code).toBe(0);
    const j = JSON.parse(x.stdout);
    expect(j.search).toMatchObject({ strategy: 'exact', complete: true });
    expect(j.optimal).toBe(true);
    expect(j.proven_bound).toBe(j.score);
    expect(j.gap).toBe(1);
    expect(j.mapspace.canonical).toBeLessThanOrEqual(j.mapspace.raw);
    // The whole space enumerated (64 mappings) finds the same optimum.
    const all = JSON.parse((await runCli(['map', ...inputs, '--ert', c.ert, '--objective', 'energy', '--evaluations', '64', '--json'])).stdout);
    expect(all.search.exhaustive).toBe(true);
    expect(all.score).toBe(j.score);
    expect(all.search.strategy).toBeUndefined();
    const bad = await runCli(['map', ...inputs, '--ert', c.ert, '--search', 'bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--search: expected anneal or exact, found bogus/);
  });
});

describe('lower bound', () => {
  it('never exceeds the cost of any mapping: 150 random layers and architectures, every sampled and found mapping', () => {
    const r = rng(11);
    let checked = 0;
    for (let i = 0; i < 150; i++) {
      const { w, arch } = randomCase(r);
      const energy = {
        source: 'test',
        components: new Map<string, Record<string, number>>([
          [arch.compute.name, { compute: 0.1 + r() }],
          ...arch.storage.map((s, l) => { const e = (l + 1) * (0.5 + 5 * r()); return [s.name, { read: e, write: e * (0.5 + r()), update: e * (0.5 + r()), leak: r() * 0.01 }] as [string, Record<string, number>]; }),
        ]),
      };
      const plan = planEnergy(arch, energy);
      const space = new MapSpace(w, arch, emptyConstraints(arch));
      const p = compileProblem(w, arch);
      const ev = new Evaluator(p);
      const objectives: Objective[] = ['energy', 'delay', 'edp'];
      const objective = objectives[i % 3];
      const lb = lowerBound(w, arch, plan, objective);
      const g = space.newGenome();
      const rr = new Rng(i);
      for (let k = 0; k < 40; k++) {
        space.random(rr, g);
        const counts = ev.run(compileMapping(p, space.toMapping(g)));
        if (!space.fits(counts.utilizedCapacity, counts.kept)) continue;
        const t = totals(arch, counts, plan, w.dataSpaces.length, operationCount(w));
        expect(lb.score, `case ${i}`).toBeLessThanOrEqual(score(objective, t.energyPJ, t.cycles) * (1 + 1e-12));
        checked++;
      }
      const found = search(w, arch, space, plan, { objective, seed: i, evaluations: 400 });
      if (found.best) expect(lb.score).toBeLessThanOrEqual(score(objective, found.energyPJ, found.cycles) * (1 + 1e-12));
      expect(better(objective, lb.energyPJ, lb.cycles, lb.energyPJ, lb.cycles)).toBe(false);
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
