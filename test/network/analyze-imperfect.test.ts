/**
 * `analyze --imperfect` / `dataflows --imperfect`: every distinct layer
 * shape is also mapped by the padded search (mapper/padded.ts) and keeps
 * the better by the exact partial-tile cost; the totals stay the sums of
 * the layers, the run is deterministic for a seed, and with the exact
 * search each layer carries a lower bound that holds for imperfect mappings.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import { lowerBound } from '../../src/mapper/bound.js';
import { score } from '../../src/mapper/search.js';
import { planEnergy } from '../../src/model/cost.js';
import { evaluate } from '../../src/model/model.js';
import { analyzeNetwork, layerEnergy, type NetworkReport } from '../../src/network/analyze.js';
import { compareDataflows } from '../../src/network/dataflows.js';
import { layerWorkload, NetworkBuilder, type MacLayer } from '../../src/network/network.js';
import { networkReportToJSON } from '../../src/report/network.js';
import { runCli } from '../helpers/cli.js';
import { floats, node, onnxModel, value } from '../helpers/onnxGraph.js';
import { pe16, pe16Energy } from '../helpers/pe16.js';

// 13×13 outputs and 11 filters (primes) on 16 PEs: perfect factors leave PEs idle.
const net = new NetworkBuilder('odd', [3, 13, 13]).conv('conv', 11, 3, 1, 1).conv('again', 11, 1).fc('fc', 11).build();
const o = { batch: 1, objective: 'delay' as const, evaluations: 1500, seed: 3, constraints: () => emptyConstraints(pe16) };
const busy = (r: NetworkReport, i: number) => r.layers[i].macs / (r.layers[i].result!.cycles * pe16.compute.instances);

describe('analyze with imperfect factors', () => {
  it('keeps the better of perfect and padded factors per layer, by the exact rule; more busy PEs on prime bounds; totals are the sums', async () => {
    const perfect = await analyzeNetwork(net, pe16, pe16Energy, o);
    const imp = await analyzeNetwork(net, pe16, pe16Energy, { ...o, imperfect: true });
    expect(perfect.imperfect).toBeUndefined();
    expect(perfect.layers.every((l) => l.padded === undefined)).toBe(true);
    expect(imp.imperfect).toBe(true);
    for (const [i, l] of imp.layers.entries()) {
      if (!l.result) continue;
      // The objective is delay: never more cycles than the perfect-factor search of the same seed.
      expect(l.result.cycles).toBeLessThanOrEqual(perfect.layers[i].result!.cycles);
      const w = layerWorkload(l.layer as MacLayer, 1);
      const again = evaluate(w, pe16, l.mapping!, pe16Energy, { partialTiles: 'exact' });
      expect(l.result.cycles).toBe(again.cycles);
      expect(l.result.energyPJ).toBe(again.energyPJ);
      expect(Object.keys(l.padded!).length > 0).toBe(l.result.partialTiles !== undefined);
      // A layer no pad helped keeps the perfect-factor answer itself.
      if (Object.keys(l.padded!).length === 0) expect(l.result.energyPJ).toBe(perfect.layers[i].result!.energyPJ);
    }
    // fc: 1859 = 11·13² inputs, 11 outputs: perfect factors put at most 13 of the 16 PEs to work.
    const fc = imp.layers.findIndex((l) => l.layer.name === 'fc');
    expect(busy(perfect, fc)).toBeLessThanOrEqual(13 / 16);
    expect(busy(imp, fc)).toBeGreaterThan(0.9);
    expect(Object.keys(imp.layers[fc].padded!).length).toBeGreaterThan(0);
    const sum = (f: (l: NetworkReport['layers'][number]) => number) => imp.layers.reduce((s, l) => s + (l.result ? f(l) : 0), 0);
    expect(imp.totals.energy).toBeCloseTo(sum(layerEnergy), 6);
    expect(imp.totals.cycles).toBe(sum((l) => l.result!.cycles));
    expect(imp.totals.macs).toBe(perfect.totals.macs);
    expect(imp.totals.cycles).toBeLessThan(perfect.totals.cycles);
    // Each padded shape's rule comparison names its first layer.
    const named = imp.warnings.filter((w) => w.includes('imperfect factors'));
    expect(named.map((w) => w.split(':')[0])).toEqual(imp.layers.filter((l) => !l.cached && Object.keys(l.padded ?? {}).length > 0).map((l) => l.layer.name));
  }, 120_000);

  it('is deterministic for a seed; with the exact search each layer carries the root bound and its gap', async () => {
    // Budgeted searches: the same seed gives the same bytes.
    const run = () => analyzeNetwork(net, pe16, pe16Energy, { ...o, imperfect: true });
    expect(JSON.stringify(networkReportToJSON(await run(), 1e9))).toBe(JSON.stringify(networkReportToJSON(await run(), 1e9)));
    // The exact search is time-limited (its answer may vary with the machine's load); its bounds may not.
    const a = await analyzeNetwork(net, pe16, pe16Energy, { ...o, imperfect: true, exactTimeLimitMs: 400 });
    const ja = networkReportToJSON(a, 1e9) as { layers: { proven_bound?: number }[] };
    const plan = planEnergy(pe16, pe16Energy, 'v4');
    for (const [i, l] of a.layers.entries()) {
      if (!l.result) continue;
      const w = layerWorkload(l.layer as MacLayer, 1);
      // The bound holds for perfect and padded mappings alike (test/mapper/bound-imperfect.test.ts): the root bound.
      expect(l.proven).toBeCloseTo(lowerBound(w, pe16, plan, 'delay', { ...emptyConstraints(pe16), imperfect: true }).score, 9);
      const s = score('delay', l.result.energyPJ, l.result.cycles);
      expect(l.gap).toBeCloseTo(s / l.proven!, 12);
      expect(l.gap!).toBeGreaterThanOrEqual(1);
      expect(ja.layers[i].proven_bound).toBe(l.proven);
    }
  }, 120_000);

  it('dataflows --imperfect maps each dataflow the same way', async () => {
    const [rs] = await compareDataflows(net, { batch: 1, objective: 'delay', evaluations: 600, seed: 1, dataflows: ['RS'], imperfect: true });
    expect(rs.report.imperfect).toBe(true);
    expect(rs.report.layers.filter((l) => l.result).every((l) => l.padded !== undefined)).toBe(true);
    expect(rs.conv.macs + rs.fc.macs).toBe(rs.report.totals.macs);
  }, 120_000);
});

describe('the --imperfect flag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnnergy-imp-'));
  const file = join(dir, 'odd.onnx');
  writeFileSync(file, onnxModel({ inputs: [value('x', [1, 3, 13, 13])], inits: [floats('w', [11, 3, 3, 3])], nodes: [node('c', 'Conv', ['x', 'w'], { pads: [1, 1, 1, 1] })] }));
  const args = ['analyze', file, '--arch', 'eyeriss', '--evaluations', '400', '--objective', 'delay'];

  it('analyze: JSON adds the pads (same keys otherwise), the table a padded column; byte-stable for a seed', async () => {
    const plain = await runCli([...args, '--json']);
    const a = await runCli([...args, '--imperfect', '--json']);
    const b = await runCli([...args, '--imperfect', '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const ja = JSON.parse(a.stdout), jp = JSON.parse(plain.stdout);
    expect(ja.imperfect).toBe(true);
    expect(jp.imperfect).toBeUndefined();
    expect(Object.keys(ja.layers[0]).filter((k) => !(k in jp.layers[0]))).toEqual(['padded']);
    expect(Object.keys(jp.layers[0]).filter((k) => !(k in ja.layers[0]))).toEqual([]);
    const text = await runCli([...args, '--imperfect']);
    expect(text.stdout).toMatch(/DRAM\/MAC\s+padded/);
    expect((await runCli(args)).stdout).not.toMatch(/padded/);
  }, 120_000);
});
