/** Densities and sparse optimizations in dnnergy's native YAML: the Timeloop form's meaning, errors at native field paths. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/model/model.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import { readSparse } from '../../src/interop/timeloop/sparse.js';
import { loadModelInputs } from '../../src/spec/load.js';
import { At } from '../../src/spec/read.js';
import { SpecError } from '../../src/spec/errors.js';
import { parseYamlText } from '../../src/spec/yaml.js';

const FILE = 'examples/eyeriss_like_vgg_conv.yaml';
const base = parseYamlText(readFileSync(FILE, 'utf8'), FILE) as Record<string, any>;

const optimizations = {
  targets: [
    { name: 'DRAM', representation_format: { data_spaces: [{ name: 'Inputs', ranks: [{ format: 'UOP', flattened_rankIDs: [['R', 'S', 'P', 'C', 'M', 'N', 'Q']] }, { format: 'RLE', flattened_rankIDs: [['R', 'S', 'P', 'C', 'M', 'N', 'Q']] }] }] } },
    { name: 'weights_spad', action_optimization: [{ type: 'gating', options: [{ target: 'Weights', condition_on: ['Inputs'] }] }] },
    { name: 'mac', compute_optimization: [{ type: 'gate_on_zero_operand' }] },
  ],
};

function doc(patch: (d: Record<string, any>) => void): Record<string, any> {
  const d = structuredClone(base);
  d.workload.densities = { Inputs: 0.4, Weights: { distribution: 'fixed_structured', density: 0.6 } };
  d.arch.levels[0] = { ...d.arch.levels[0], metadata_width: 60, metadata_word_bits: 5 };
  d.sparse_optimizations = optimizations;
  patch(d);
  return d;
}

const load = (d: unknown) => loadModelInputs([{ kind: 'yaml', file: 'sparse.yaml', value: d }]);

function error(d: unknown): SpecError {
  try { load(d); } catch (e) { if (e instanceof SpecError) return e; throw e; }
  throw new Error('no error');
}

describe('native sparse spec', () => {
  it('gives the spec the Timeloop reader gives for the same content, and the sparse engine runs on it', () => {
    const inp = load(doc(() => {}));
    expect(inp.sparse).toBeDefined();
    const s = inp.sparse!;
    const names = inp.workload.dataSpaces.map((d) => d.name);
    expect(s.densities[names.indexOf('Inputs')].density).toBe(0.4);
    expect(s.densities[names.indexOf('Weights')].density).toBe(0.6);
    expect(s.densities[names.indexOf('Outputs')].density).toBe(1);
    const dram = inp.arch.storage.findIndex((l) => l.name === 'DRAM');
    expect(s.levels[dram].metadataWidth).toBe(60);
    expect(s.levels[dram].metadataWordBits).toBe(5);
    expect(s.levels[dram].formats[names.indexOf('Inputs')]!.ranks.map((r) => r.format)).toEqual(['UOP', 'RLE']);
    expect(s.compute.gateOnZeroOperand).toBe(true);
    // The Timeloop form of the same content.
    const tl = readSparse(new Map([
      ['problem', { value: { instance: { densities: doc(() => {}).workload.densities } }, at: new At('t.yaml', 'problem') }],
      ['architecture', { value: { nodes: [{ name: 'DRAM', attributes: { metadata_storage_width: 60, metadata_datawidth: 5 } }] }, at: new At('t.yaml', 'architecture') }],
      ['sparse_optimizations', { value: optimizations, at: new At('t.yaml', 'sparse_optimizations') }],
    ]), inp.workload, inp.arch);
    expect(s).toEqual(tl);
    const dense = evaluate(inp.workload, inp.arch, inp.mapping!, inp.energy!);
    const sparse = evaluateSparse(inp.workload, inp.arch, inp.mapping!, inp.energy!, s);
    expect(sparse.energyPJ).toBeLessThan(dense.energyPJ);
    expect(sparse.levels[0].computeCounts!.actual).toBe(Math.round(dense.computes * 0.4 * 0.6));
  });

  it('without densities or optimizations the native spec stays dense', () => {
    expect(load(base).sparse).toBeUndefined();
  });

  it('errors name the native field', () => {
    const e1 = error(doc((d) => { d.workload.densities = { Ifmap: 0.5 }; }));
    expect(e1.message).toMatch(/workload\.densities\.Ifmap/);
    const e2 = error(doc((d) => { d.workload.densities = { Inputs: 1.5 }; }));
    expect(e2.message).toMatch(/workload\.densities\.Inputs/);
    const e3 = error(doc((d) => { d.sparse_optimizations.targets[1].name = 'nowhere'; }));
    expect(e3.message).toMatch(/sparse_optimizations\.targets\[1\]\.name/);
    const e4 = error(doc((d) => { d.sparse_optimizations.targets[0].representation_format.data_spaces[0].ranks[1].format = 'ZIP'; }));
    expect(e4.message).toMatch(/sparse_optimizations\.targets\[0\]\.representation_format\.data_spaces\[0\]\.ranks\[1\]\.format/);
    const e5 = error(doc((d) => { d.arch.levels[0].metadata_width = -1; }));
    expect(e5.message).toMatch(/arch\.levels\[0\]\.metadata_width/);
  });
});
