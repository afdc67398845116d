/** The estimator on small hand-written specs: the plug-in's rules, compounds, expressions, the loud lines. */
import { describe, expect, it } from 'vitest';
import { ALADDIN_TABLES } from '../../src/energy/aladdin-data.js';
import { aladdinEnergy, UnsupportedError } from '../../src/energy/aladdin.js';
import { accelergyClasses, accelergyComponents } from '../../src/energy/accelergy.js';
import { estimateComponent, type CompoundClass } from '../../src/energy/estimate.js';
import { estimateDocuments, estimatedEnergyTable, estimateWarnings, shortName } from '../../src/energy/ert.js';
import { evalNumber, evalRange, nameRange } from '../../src/energy/expr.js';
import { SRAM_POINTS_45NM } from '../../src/energy/sram-data.js';
import { sramEnergy } from '../../src/energy/sram.js';
import { loadModelInputs } from '../../src/spec/load.js';

const row5 = (t: string): readonly number[] => ALADDIN_TABLES[t]!.find((r) => r[0] === 5)!;

describe('Aladdin rules', () => {
  const at = { technology: '45nm', latency: '5ns' };
  it('scales an adder linearly and a multiplier quadratically from 32 bits', () => {
    expect(aladdinEnergy('intadder', { ...at, datawidth: 8 }, 'add', null)).toBeCloseTo(row5('adder')[1]! / 4, 12);
    expect(aladdinEnergy('intmultiplier', { ...at, datawidth: 8 }, 'mult_random', null)).toBeCloseTo(row5('multiplier')[1]! / 16, 12);
    expect(aladdinEnergy('intmultiplier', { ...at, datawidth: 8 }, 'mult_reused', null)).toBeCloseTo(0.85 * row5('multiplier')[1]! / 16, 12);
  });
  it('prices a register file as registers plus one comparator per entry, by argument', () => {
    const rf = { ...at, width: 16, depth: 24 };
    const reg = row5('reg'); const cmp = row5('comparator');
    const w = Math.ceil(Math.log2(24));
    expect(aladdinEnergy('regfile', rf, 'read', { data_delta: 1, address_delta: 1 })).toBeCloseTo(reg[1]! * 16 + (cmp[1]! * w / 32) * 24, 12);
    expect(aladdinEnergy('regfile', rf, 'read', { data_delta: 0, address_delta: 0 })).toBeCloseTo(reg[2]! * 16 + (cmp[2]! * w / 32) * 24, 12);
  });
  it('refuses what it has no figure for, saying why', () => {
    expect(() => aladdinEnergy('intadder', { technology: '65nm', datawidth: 8 }, 'add', null)).toThrow(/40\/45nm/);
    expect(() => aladdinEnergy('SRAM', { ...at, width: 64, depth: 4096 }, 'read', null)).toThrow(UnsupportedError);
    expect(() => aladdinEnergy('SRAM', { ...at, width: 64, depth: 4096 }, 'read', null)).toThrow(/CACTI/);
  });
  it('reads the 6 ns row for latencies of 7 to 10 ns, as the plug-in caps them', () => {
    const e = (l: string): number => aladdinEnergy('intadder', { technology: '45nm', latency: l, datawidth: 32 }, 'idle', null);
    expect(e('8ns')).toBe(ALADDIN_TABLES.adder!.find((r) => r[0] === 6)![2]);
    expect(e('12ns')).toBe(ALADDIN_TABLES.adder!.find((r) => r[0] === 10)![2]);
  });
});

describe('expressions', () => {
  it('evaluates arithmetic, log and names, and leaves units alone', () => {
    expect(evalNumber('datawidth * 2 + 1', { datawidth: 16 })).toBe(33);
    expect(evalNumber('log(depth)', { depth: 1024 })).toBe(10);
    expect(evalNumber('45nm', {})).toBeUndefined();
    expect(evalRange('0..n_banks', { n_banks: 4 })).toEqual([0, 4]);
    expect(nameRange('X[0..total-1]', { total: 168 })).toEqual({ base: 'X', count: 168 });
  });
});

describe('compound components', () => {
  const cls: CompoundClass = {
    name: 'two_macs', attributes: { technology: '45nm', datawidth: 8, n: 2 },
    subcomponents: [{ name: 'm[0..n-1]', cls: 'intmac', attributes: { technology: 'technology', datawidth: 'datawidth' } }],
    actions: [
      { name: 'go', arguments: { k: '1..n' }, subcomponents: [{ name: 'm[0..k-1]', actions: [{ name: 'mac_random', repeat: 3 }] }] },
      { name: 'idle', subcomponents: [{ name: 'm[0..n-1]', actions: [{ name: 'idle' }] }] },
    ],
  };
  it('sums subcomponent actions with instance ranges, repeat and enumerated arguments', () => {
    const e = estimateComponent({ name: 'top.pe[0..3].u', cls: 'two_macs', attributes: { datawidth: 16 } }, new Map([[cls.name, cls]]));
    const one = aladdinEnergy('intmac', { technology: '45nm', datawidth: 16 }, 'mac_random', null);
    const go = e.actions.filter((a) => a.action === 'go');
    expect(go.map((a) => a.arguments)).toEqual([{ k: 1 }, { k: 2 }]);
    expect(go[0]!.energy).toBeCloseTo(3 * one, 12);
    expect(go[1]!.energy).toBeCloseTo(6 * one, 12);
    expect(e.missing).toEqual([]);
    expect(e.area).toBeGreaterThan(0);
    expect(shortName(e.name)).toBe('u');
  });
});

describe('documents, tables and warnings', () => {
  const arch = {
    architecture: {
      version: 0.3,
      subtree: [{
        name: 'sys', attributes: { technology: '45nm' },
        local: [{ name: 'DRAM', class: 'DRAM', attributes: { width: 64, type: 'LPDDR4' } }, { name: 'glb', class: 'SRAM', attributes: { width: 64, depth: 2048, n_banks: 2 } }],
        subtree: [{ name: 'PE[0..3]', local: [{ name: 'rf', class: 'regfile', attributes: { width: 16, depth: 16 } }, { name: 'mac', class: 'intmac', attributes: { datawidth: 16 } }] }],
      }],
    },
  };
  it('flattens the tree with inherited attributes', () => {
    const comps = accelergyComponents(arch, 'a.yaml');
    expect(comps.map((c) => c.name)).toEqual(['sys.DRAM', 'sys.glb', 'sys.PE[0..3].rf', 'sys.PE[0..3].mac']);
    expect(comps[2]!.attributes.technology).toBe('45nm');
  });
  it('prices every component, says who did, and flags the approximate SRAM', () => {
    const ests = estimateDocuments([{ file: 'a.yaml', value: arch }]);
    const table = estimatedEnergyTable(ests, 'a.yaml');
    expect(table?.components.get('DRAM')?.read).toBe(8 * 64);
    expect(table?.components.get('rf')?.read).toBeGreaterThan(table?.components.get('rf')?.idle ?? Infinity);
    const lines = estimateWarnings(ests);
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes('glb'))).toMatch(/APPROXIMATE.*approximate/);
    expect(lines.find((l) => l.includes(' mac '))).toMatch(/Aladdin_table \(45nm\)/);
  });
  it('leaves SRAMs beyond Aladdin missing unless approximation is asked for', () => {
    const ests = estimateDocuments([{ file: 'a.yaml', value: arch }], { approximateSram: false });
    expect(estimatedEnergyTable(ests, 'a.yaml')).toBeNull();
    expect(estimateWarnings(ests).find((l) => l.includes('glb'))).toMatch(/NOT estimated.*CACTI/);
  });
  it('reproduces the CACTI-derived reference points exactly', () => {
    for (const p of SRAM_POINTS_45NM) {
      const a = { technology: '45nm', width: p.width, depth: p.depth, n_banks: p.banks };
      expect(sramEnergy(a, 'read', { data_delta: 1, address_delta: 1 })).toBeCloseTo(p.readData + p.readAddress, 9);
      expect(sramEnergy(a, 'write', { data_delta: 0, address_delta: 2 })).toBeCloseTo(2 * p.writeAddress, 9);
    }
  });
  it('reads compound classes from a compound_components document', () => {
    const doc = { compound_components: { version: 0.3, classes: [{ name: 'c', attributes: {}, subcomponents: [], actions: [{ name: 'idle', subcomponents: [] }] }] } };
    expect(accelergyClasses(doc, 'c.yaml').map((c) => c.name)).toEqual(['c']);
  });
  it('gives model inputs energies when no ERT is given, with the lines', () => {
    const prob = { problem: { shape: { name: 'GEMV', dimensions: ['K'], 'data-spaces': [
      { name: 'Weights', projection: [[['K']]] }, { name: 'Inputs', projection: [[['K']]] }, { name: 'Outputs', projection: [], 'read-write': true }] },
      instance: { K: 4 } } };
    const simple = { architecture: { version: 0.3, subtree: [{ name: 'sys', attributes: { technology: '45nm' },
      local: [{ name: 'DRAM', class: 'DRAM', attributes: { width: 16, datawidth: 16 } }, { name: 'mac', class: 'intmac', attributes: { datawidth: 16 } }] }] } };
    const inp = loadModelInputs([{ kind: 'yaml', file: 'a.yaml', value: simple }, { kind: 'yaml', file: 'p.yaml', value: prob }]);
    expect(inp.energy?.components.get('DRAM')?.read).toBe(8 * 16);
    expect(inp.warnings.filter((w) => w.startsWith('energy of '))).toHaveLength(2);
  });
});
