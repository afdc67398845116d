/** `dnnergy energy` and energies without an ERT in `model`: the ERT/ART printed, the loud lines, the one-line refusal. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aladdinEnergy } from '../../src/energy/aladdin.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-energy-'));

function arch(tech: string): string {
  const f = join(tmp, `arch-${tech}.yaml`);
  writeFileSync(f, `architecture:
  version: 0.3
  subtree:
    - name: sys
      attributes: { technology: ${tech} }
      local:
        - { name: DRAM, class: DRAM, attributes: { width: 16, datawidth: 16 } }
      subtree:
        - name: PE
          local:
            - { name: rf, class: regfile, attributes: { width: 16, depth: 32, datawidth: 16 } }
            - { name: mac, class: intmac, attributes: { datawidth: 16 } }
`);
  return f;
}

const PROB = join(tmp, 'prob.yaml');
writeFileSync(PROB, `problem:
  shape:
    name: GEMV
    dimensions: [K]
    data-spaces:
      - { name: Weights, projection: [[[K]]] }
      - { name: Inputs, projection: [[[K]]] }
      - { name: Outputs, projection: [], read-write: true }
  instance: { K: 8 }
`);
const MAP = join(tmp, 'map.yaml');
writeFileSync(MAP, `mapping:
  - { target: rf, type: temporal, factors: K=8, permutation: K }
  - { target: DRAM, type: temporal, factors: K=1, permutation: K }
`);

describe('dnnergy energy', () => {
  it('reads a folder with its subfolders, and a Timeloop v0.4 architecture with Accelergy 0.4 rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnnergy-energy-tree-'));
    mkdirSync(join(dir, 'arch', 'components'), { recursive: true });
    writeFileSync(join(dir, 'arch', 'a.yaml'), `architecture:
  version: 0.4
  nodes:
  - !Container
    name: System
    attributes: { technology: "40nm", global_cycle_seconds: 1e-9 }
  - !Component
    name: Buffer
    class: regfile
    attributes: { depth: 64, width: 8, datawidth: 8 }
  - !Component
    name: MACC
    class: two_macs
    attributes: { width: 8 }
`);
    writeFileSync(join(dir, 'arch', 'components', 'c.yaml'), `components:
  version: 0.4
  classes:
  - name: two_macs
    attributes: { technology: must_specify }
    subcomponents: [{ name: "m[0..1]", class: intmac, attributes: {} }]
    actions:
    - { name: compute, subcomponents: [{ name: "m[0..1]", actions: [{ name: compute }] }] }
`);
    const r = await runCli(['energy', dir, '--json']);
    expect(r.stderr).not.toMatch(/NOT estimated/);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { components: { name: string; actions: { action: string; energy_pJ: number }[] }[] };
    const mac = j.components.find((c) => c.name.includes('MACC'))!;
    // Two 8-bit MACs, each read at the 1 ns row: 0.21 × 8/32 + 12.68 × (8/32)².
    expect(mac.actions.find((a) => a.action === 'compute')!.energy_pJ).toBeCloseTo(2 * (0.21 / 4 + 12.68 / 16), 9);
    const buf = j.components.find((c) => c.name.includes('Buffer'))!;
    expect(buf.actions.map((a) => a.action).sort()).toEqual(['leak', 'read', 'update', 'write']);
  });

  it('prints the ERT and ART per component, and says who priced each', async () => {
    const r = await runCli(['energy', arch('45nm'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { components: { name: string; area_um2: number; actions: { action: string; energy_pJ: number }[] }[] };
    expect(j.components.map((c) => c.name)).toEqual(['sys.DRAM', 'sys.PE.rf', 'sys.PE.mac']);
    const mac = j.components[2]!;
    expect(mac.actions.find((a) => a.action === 'mac_random')?.energy_pJ).toBe(aladdinEnergy('intmac', { technology: '45nm', datawidth: 16 }, 'mac_random', null));
    expect(mac.area_um2).toBeGreaterThan(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning: energy of '))).toHaveLength(3);
    const again = await runCli(['energy', arch('45nm'), '--json']);
    expect(again.stdout).toBe(r.stdout);
  });

  it('lists a figure it lacks with the reason', async () => {
    const r = await runCli(['energy', arch('65nm')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/missing: regfile: the Aladdin table is 40\/45nm only/);
    expect(r.stderr).toMatch(/energy of rf NOT estimated/);
  });
});

describe('model without an ERT', () => {
  it('estimates the energies and says so', async () => {
    const r = await runCli(['model', arch('45nm'), PROB, MAP, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { energy_pJ: number; computes: number };
    expect(j.computes).toBe(8);
    expect(j.energy_pJ).toBeGreaterThan(8 * aladdinEnergy('intmac', { technology: '45nm', datawidth: 16 }, 'mac_random', null));
  });

  it('refuses with one line naming the component it cannot price', async () => {
    const r = await runCli(['model', arch('65nm'), PROB, MAP]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ERT.*sys\.PE\.rf: regfile: the Aladdin table is 40\/45nm only/);
  });
});
