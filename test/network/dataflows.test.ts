import { describe, expect, it } from 'vitest';
import { isca16, ISCA16_DATAFLOWS, equalAreaBufferWords } from '../../src/designs/isca16.js';
import { mapLayer } from '../../src/mapper/map.js';
import { breakdown, CATEGORIES, compareDataflows } from '../../src/network/dataflows.js';
import { layerWorkload } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { runCli } from '../helpers/cli.js';

describe('ISCA 2016 comparison set', () => {
  it('gives every dataflow the same storage area and 256 PEs', () => {
    for (const d of ISCA16_DATAFLOWS) {
      const b = isca16(d);
      expect(b.arch.compute.instances).toBe(256);
      const pe = b.arch.storage.filter((s) => s.instances === 256).reduce((s, l) => s + (l.sizeWords ?? 0), 0);
      const buffer = b.arch.storage.find((s) => s.name === 'buffer' || s.name === 'shared_glb')!.sizeWords!;
      // 256 × 512 B RF + 128 KB buffer, in 16-bit words.
      expect(256 * pe + buffer).toBe(256 * 256 + 65536);
    }
    expect(equalAreaBufferWords(0)).toBe(131072);
  });

  it('splits a layer\'s energy into categories that add up to the total', async () => {
    const w = layerWorkload(zooNetwork('alexnet')!.layers.find((l) => l.name === 'conv3') as never, 2);
    for (const d of ISCA16_DATAFLOWS) {
      const b = isca16(d);
      const { result: r } = await mapLayer(w, b.arch, b.energy, b.constraints(w), { objective: 'edp', seed: 3, evaluations: 400 });
      const br = breakdown(r, b);
      const sum = CATEGORIES.reduce((s, k) => s + br[k], 0);
      expect(sum).toBeCloseTo(r.energyPJ, 6);
      expect(br.ALU).toBe(r.computes);
      for (const k of CATEGORIES) expect(br[k]).toBeGreaterThanOrEqual(0);
      // Without PE storage, every MAC gets its three operands over the array.
      if (d === 'NLR') expect(br.array).toBe(6 * r.computes);
    }
  });

  it('reproduces the paper\'s CONV conclusions on AlexNet (RS lowest, 6–7 MAC-eq/MAC; OSA, OSC, NLR ≥ 1.4×)', async () => {
    const all = await compareDataflows(zooNetwork('alexnet')!, { batch: 16, objective: 'edp', evaluations: 3000, seed: 1, threads: 1 });
    const conv = Object.fromEntries(all.map((s) => [s.dataflow, s.conv.energy / s.conv.macs]));
    expect(conv.RS).toBeGreaterThan(5.5);
    expect(conv.RS).toBeLessThan(7.5);
    for (const d of ISCA16_DATAFLOWS) if (d !== 'RS') expect(conv[d]).toBeGreaterThan(conv.RS);
    for (const d of ['OSA', 'OSC', 'NLR']) expect(conv[d] / conv.RS).toBeGreaterThan(1.4);
    const rs = all.find((s) => s.dataflow === 'RS')!;
    expect(rs.conv.dramPerMac).toBeGreaterThan(0.002);
    expect(rs.conv.dramPerMac).toBeLessThan(0.008);
  }, 120_000);

  it('dnnergy dataflows prints a stable JSON report and rejects bad flags', async () => {
    const args = ['dataflows', '--only', 'rs,nlr', '--batch', '2', '--evaluations', '300', '--json'];
    const a = await runCli(args);
    expect(a.code).toBe(0);
    const b = await runCli(args);
    expect(b.stdout).toBe(a.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.dataflows.map((d: { dataflow: string }) => d.dataflow)).toEqual(['RS', 'NLR']);
    expect(j.dataflows[1].conv.vs_rs).toBeGreaterThan(1);
    const bad = await runCli(['dataflows', '--only', 'rs,xyz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--only: expected dataflows from RS, WS, OSA, OSB, OSC, NLR, found xyz/);
    const badNet = await runCli(['dataflows', '--network', 'lenet9']);
    expect(badNet.code).toBe(2);
  }, 60_000);
});
