/**
 * Networks-on-chip read from Timeloop inputs: linked to the level that
 * routes through them, priced per transfer from the ERT, in the total; a
 * network nothing routes through is a warning, never silently dropped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readArchitecture } from '../../src/interop/timeloop/v4.js';
import { planEnergy } from '../../src/model/cost.js';
import { At } from '../../src/spec/read.js';
import { analyzeNetwork } from '../../src/network/analyze.js';
import { NetworkBuilder } from '../../src/network/network.js';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import { loadInputs } from '../../src/io/inputs.js';
import { evaluate } from '../../src/model/model.js';
import { resultToJSON } from '../../src/model/result.js';
import { caseInputs, loadRefs, referenceAvailable, REFERENCE_DIR } from '../helpers/reference.js';

describe.runIf(referenceAvailable())('networks on the processing-in-memory reference (v3-bd-simple_pim)', () => {
  const r = loadRefs().find((x) => x.name === 'v3-bd-simple_pim')!;
  const { inputs, ert } = caseInputs(r);
  const inp = loadInputs(inputs, ert);

  it('reads both converter networks onto the global buffer, and each network energy matches Timeloop', () => {
    const nets = inp.arch.networks ?? [];
    expect(nets.map((n) => [n.name, inp.arch.storage[n.parent].name, n.ports.join('+'), n.perTensorAction])).toEqual([
      ['D2A_NoC', 'shared_glb', 'read', true],
      ['A2D_NoC', 'shared_glb', 'update', true],
    ]);
    const res = evaluate(inp.workload, inp.arch, inp.mapping!, inp.energy!, { convention: 'v3' });
    // The scratchpad's table has only a read energy: Timeloop prices the rest at 0, and so do we, out loud.
    expect(res.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^no "write" energy for scratchpad in .*ERT\.yaml; priced at 0, as Timeloop does$/)]));
    expect(res.energyPJ).toBeCloseTo(r.metrics.energy_total_pJ_sum_of_detailed_stats!, 1);
    // Timeloop's own per-network, per-tensor energies from its stats.
    const stats = readFileSync(join(REFERENCE_DIR, r.local_dir, 'ref/timeloop-mapper.stats.txt'), 'utf8');
    const refEnergy = (net: string, tensor: string) => {
      const block = stats.slice(stats.indexOf(`\n${net}\n`));
      const t = block.slice(block.indexOf(`${tensor}:`));
      return Number(/Energy \(total\)\s*:\s*([\d.]+) pJ/.exec(t)![1]);
    };
    const got = (net: string, tensor: string) => res.networks!.find((n) => n.name === net)!.dataSpaces.find((d) => d.name === tensor)!.energyPJ;
    // (Weights bypass the buffer: their transfers are not counted on its networks; Timeloop prices them at 0 here.)
    expect(refEnergy('D2A_NoC', 'Weights')).toBe(0);
    for (const [net, tensor] of [['D2A_NoC', 'Inputs'], ['A2D_NoC', 'Outputs'], ['A2D_NoC', 'Inputs'], ['D2A_NoC', 'Outputs']] as const) {
      expect(got(net, tensor)).toBeCloseTo(refEnergy(net, tensor), 1);
    }
    expect(refEnergy('A2D_NoC', 'Outputs')).toBeGreaterThan(7e8);
    // In the total, and said out loud where the table has no price.
    const levels = res.levels.reduce((s, l) => s + l.energyPJ, 0);
    expect(res.energyPJ).toBeCloseTo(levels + res.networks!.reduce((s, n) => s + n.energyPJ, 0), 3);
    expect(res.warnings.some((w) => /network D2A_NoC: no energy for action "transfer_Weights".*priced at 0/.test(w))).toBe(true);
    const json = resultToJSON(res) as { networks: { name: string; dataspaces: Record<string, { transfers: number }> }[] };
    expect(json.networks.map((n) => n.name)).toEqual(['D2A_NoC', 'A2D_NoC']);
    expect(json.networks[1].dataspaces.Outputs.transfers).toBe(3211264);
  });
});

describe('networks read from a v0.4 tree', () => {
  const tree = (glbAttrs: string, downAttrs = 'bandwidth: 4') => parse(`
architecture:
  version: '0.4'
  subtree:
    - name: top
      local:
        - { name: DRAM, class: DRAM, attributes: { width: 64, datawidth: 16 } }
        - { name: glb, class: SRAM, attributes: { depth: 1024, width: 16, datawidth: 16${glbAttrs} } }
        - { name: down, class: SimpleMulticast, attributes: { datawidth: 16, ${downAttrs} } }
        - { name: unused_noc, class: XY_NoC, attributes: { datawidth: 16 } }
        - { name: mac, class: intmac, attributes: { datawidth: 16 } }
`).architecture;

  it('links a network to the level that routes through it; one nothing uses, and a bandwidth, are recorded as not modelled', () => {
    const arch = readArchitecture({ value: tree(', network_read: down'), at: new At('t.yaml', 'architecture') });
    expect(arch.storage.map((l) => l.name)).toEqual(['glb', 'DRAM']);
    expect(arch.networks).toEqual([{ name: 'down', className: 'SimpleMulticast', parent: 0, ports: ['read'], wordBits: 16, action: 'transfer', perTensorAction: false, bandwidth: 4 }]);
    expect(arch.notModelled).toEqual([
      'network down: bandwidth 4 words/cycle is not modelled (cycles ignore it)',
      'network unused_noc (XY_NoC): no storage level routes traffic through it (network_read / network_update), so it is not modelled',
    ]);
    const plan = planEnergy(arch, { source: 'ert', components: new Map<string, Record<string, number>>([['glb', { read: 1, write: 1, update: 1, leak: 0 }], ['DRAM', { read: 1, write: 1, update: 1, leak: 0 }], ['mac', { compute: 1 }], ['down', { transfer: 0.5 }]]) }, 'v4', ['A', 'B', 'Z']);
    expect([...plan.networks[0].transfer]).toEqual([0.5, 0.5, 0.5]);
    expect(plan.warnings).toEqual(expect.arrayContaining([...arch.notModelled!]));
  });

  it('a whole network on it, pruned layers included, prices the network per tensor (no workload-free plan needs the tensors)', async () => {
    const arch = readArchitecture({ value: tree(', network_read: down', 'per_datatype_ERT: true'), at: new At('t.yaml', 'architecture') });
    const energy = { source: 'ert', components: new Map<string, Record<string, number>>([['glb', { read: 1, write: 1, update: 1, leak: 0 }], ['DRAM', { read: 1, write: 1, update: 1, leak: 0 }], ['mac', { compute: 1 }], ['down', { transfer_Weights: 0.5, transfer_Inputs: 0.25, transfer_Outputs: 0 }]]) };
    const built = new NetworkBuilder('tiny', [4, 6, 6]).conv('c1', 8, 3).build();
    const net = { ...built, layers: built.layers.map((l) => (l.kind === 'conv' ? { ...l, weightDensity: 0.5 } : l)) };
    const report = await analyzeNetwork(net, arch, energy, { batch: 1, objective: 'energy', evaluations: 500, seed: 1, constraints: () => emptyConstraints(arch) });
    const r = report.layers[0].result!;
    const price: Record<string, number> = { Weights: 0.5, Inputs: 0.25, Outputs: 0 };
    expect(r.networks).toHaveLength(1);
    for (const d of r.networks![0].dataSpaces) expect(d.energyPJ).toBeCloseTo(d.transfers * price[d.name], 9);
    expect(report.layers[0].sparse!.energyPJ).toBeLessThan(r.energyPJ);
  });

  it('a level naming a network that is not declared is a one-line error at the field', () => {
    expect(() => readArchitecture({ value: tree(', network_read: nowhere'), at: new At('t.yaml', 'architecture') })).toThrow(/t\.yaml: architecture\.subtree\[0\]\.local\[1\]\.attributes\.network_read: expected a network declared in the architecture \(down, unused_noc\), found "nowhere"/);
  });
});
