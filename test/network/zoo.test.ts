/** The zoo against published figures, and whole-network analysis. */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { analyzeNetwork } from '../../src/network/analyze.js';
import { layerMacs, layerWorkload, type ConvLayer } from '../../src/network/network.js';
import { zooNames, zooNetwork } from '../../src/network/zoo.js';
import { operationCount } from '../../src/workload/workload.js';
import { reportHtml } from '../../src/report/html.js';
import { runCli } from '../helpers/cli.js';

const params = (name: string) =>
  zooNetwork(name)!.layers.reduce((s, l) => s + (l.kind === 'conv' ? l.outC * (l.inC / l.groups) * l.kH * l.kW : l.kind === 'fc' ? l.inFeatures * l.outFeatures : 0), 0);
const macs = (name: string) => zooNetwork(name)!.layers.reduce((s, l) => s + layerMacs(l), 0);

describe('zoo', () => {
  // Published MACs and weights (without biases), to the precision they are usually quoted.
  const published: [string, number, number, number, number][] = [
    ['alexnet', 724e6, 0.005, 60.95e6, 0.005],
    ['vgg16', 15.47e9, 0.005, 138.34e6, 0.005],
    ['googlenet', 1.58e9, 0.02, 6.99e6, 0.02],
    ['squeezenet', 0.82e9, 0.03, 1.24e6, 0.02],
    ['resnet18', 1.81e9, 0.01, 11.68e6, 0.005],
    ['resnet50', 4.09e9, 0.01, 25.5e6, 0.01],
    ['mobilenet_v1', 569e6, 0.005, 4.21e6, 0.01],
    ['mobilenet_v2', 300e6, 0.01, 3.47e6, 0.01],
  ];
  it('has the eight networks', () => expect(zooNames).toEqual(published.map((p) => p[0])));
  for (const [name, m, mt, p, pt] of published) {
    it(`${name}: ${m / 1e6}M MACs, ${p / 1e6}M weights`, () => {
      expect(Math.abs(macs(name) - m) / m).toBeLessThan(mt);
      expect(Math.abs(params(name) - p) / p).toBeLessThan(pt);
    });
  }
  it('AlexNet shapes as in the Eyeriss papers', () => {
    const convs = zooNetwork('alexnet')!.layers.filter((l): l is ConvLayer => l.kind === 'conv');
    expect(convs.map((c) => [c.outC, c.outH, c.kH, c.strideH, c.groups])).toEqual([[96, 55, 11, 4, 1], [256, 27, 5, 1, 2], [384, 13, 3, 1, 1], [384, 13, 3, 1, 2], [256, 13, 3, 1, 2]]);
  });
  it('MobileNet v1: depthwise layers are grouped convolutions with one channel per group', () => {
    const dw = zooNetwork('mobilenet-v1')!.layers.find((l) => l.name === 'conv2_dw') as ConvLayer;
    expect([dw.inC, dw.outC, dw.groups, dw.strideH, dw.outH]).toEqual([64, 64, 64, 2, 56]);
    const w = layerWorkload(dw, 1);
    expect(w.dims).toContain('G');
    expect(operationCount(w)).toBe(layerMacs(dw));
  });
  it('every layer with MACs has a workload with as many operations', () => {
    for (const n of zooNames) for (const l of zooNetwork(n)!.layers) if (l.kind !== 'other') expect(operationCount(layerWorkload(l, 2))).toBe(2 * layerMacs(l));
  });
});

describe('analyze', () => {
  it('maps every layer of ResNet-18 on Eyeriss once per shape, lists the rest as not modelled', async () => {
    const b = builtinArch('eyeriss')!;
    const net = zooNetwork('resnet18')!;
    const r = await analyzeNetwork(net, b.arch, b.energy, { batch: 1, objective: 'energy', evaluations: 1500, seed: 1, threads: 1, constraints: b.constraints });
    expect(r.layers).toHaveLength(net.layers.length);
    const modelled = r.layers.filter((l) => l.result);
    expect(modelled).toHaveLength(21);
    expect(r.layers.filter((l) => !l.result).every((l) => l.layer.kind === 'other')).toBe(true);
    expect(r.totals.mappedShapes).toBeLessThan(modelled.length);
    expect(modelled.filter((l) => l.cached).length).toBe(modelled.length - r.totals.mappedShapes);
    expect(r.totals.macs).toBe(macs('resnet18'));
    const sum = modelled.reduce((s, l) => s + l.result!.energyPJ, 0);
    expect(Math.abs(sum - r.totals.energy) / sum).toBeLessThan(1e-12);
    // Row stationary on 168 PEs: at most 168 busy, energy of a few MACs per MAC, more than 1.
    for (const l of modelled) {
      expect(l.result!.levels[0].utilizedInstances).toBeLessThanOrEqual(168);
      expect(l.result!.energyPJ / l.macs).toBeGreaterThan(1);
    }
  });
  it('HTML report: one stacked bar per modelled layer, a segment per level with energy', async () => {
    const b = builtinArch('eyeriss')!;
    const r = await analyzeNetwork(zooNetwork('alexnet')!, b.arch, b.energy, { batch: 1, objective: 'energy', evaluations: 300, seed: 1, threads: 1, constraints: b.constraints });
    const html = reportHtml(r, b.clockHz);
    const segments = r.layers.filter((l) => l.result).reduce((s, l) => s + l.result!.levels.filter((x) => x.energyPJ > 0).length, 0);
    expect(html.match(/<rect /g)?.length).toBe(segments);
    expect(html).toContain('<svg');
    expect(html).toMatch(/pool1<\/td><td colspan="6">not modelled \(maxpool\)/);
  });

  it('CLI: JSON with per-layer rows; bad network or architecture exit 2', async () => {
    const r = await runCli(['analyze', 'squeezenet', '--arch', 'eyeriss', '--evaluations', '300', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.energy_unit).toBe('MAC');
    expect(j.layers.find((l: { name: string }) => l.name === 'maxpool1')).toEqual({ name: 'maxpool1', kind: 'other', op: 'maxpool', modelled: false });
    expect(j.totals.frames_per_second).toBeGreaterThan(0);
    const bad = await runCli(['analyze', 'lenet9', '--arch', 'eyeriss']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/network: expected an .onnx file or a zoo network \(alexnet, .*\), found lenet9/);
    const badArch = await runCli(['analyze', 'alexnet', '--arch', 'tpu9']);
    expect(badArch.code).toBe(2);
    expect(badArch.stderr).toMatch(/--arch: expected a built-in architecture \(eyeriss, isca16-rs, .*\) or an architecture file \(\.yaml\), found tpu9/);
  });
});

describe('analyze with an architecture file', () => {
  it('maps every layer onto a Timeloop architecture with its constraints and ERT', async () => {
    const { REFERENCE_DIR } = await import('../helpers/reference.js');
    const ref = `${REFERENCE_DIR}/cases/v4-ex-simple_weight_stationary/ref`;
    const r = await runCli(['analyze', 'alexnet', '--arch', `${ref}/parsed-processed-input.yaml`, '--ert', `${ref}/timeloop-mapper.ERT.yaml`, '--evaluations', '20000', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.arch).toBe('system_top_level');
    expect(j.energy_unit).toBe('pJ');
    // The constraints hold: weights stay in the PE (Timeloop's simple WS keeps only weights in pe_spad).
    for (const l of j.layers.filter((x: { modelled: boolean }) => x.modelled)) {
      expect(Object.keys(l.energy_by_level)).toContain('pe_spad');
      expect(l.active_pes).toBeLessThanOrEqual(256);
    }
    const noErt = await runCli(['analyze', 'alexnet', '--arch', `${ref}/parsed-processed-input.yaml`]);
    expect(noErt.code).toBe(2);
    expect(noErt.stderr).toMatch(/ERT: expected energies/);
    const missing = await runCli(['analyze', 'alexnet', '--arch', 'nowhere/arch.yaml', '--ert', `${ref}/timeloop-mapper.ERT.yaml`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere\/arch\.yaml/);
  }, 60_000);
});
