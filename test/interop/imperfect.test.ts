/**
 * Imperfect factors in the mapping formats: Timeloop's `P=9,2` / `P9,2`
 * factors and `for P in [0:9,2)` loop lines, dnnergy's native `P9,2`, and
 * `map --imperfect --out` read back by `model`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFactors } from '../../src/interop/timeloop/grammar.js';
import { readMapText } from '../../src/interop/timeloop/maptxt.js';
import { mappingToYaml } from '../../src/interop/timeloop/write.js';
import { loadInputs } from '../../src/io/inputs.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { evaluate } from '../../src/model/model.js';
import { At } from '../../src/spec/read.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR, referenceAvailable } from '../helpers/reference.js';

const dims = ['C', 'M', 'R', 'S', 'N', 'P', 'Q'];

describe('Timeloop factor grammar with residuals', () => {
  it('reads P=9,2 and P9,2 as end and residual; a comma before a name still separates', () => {
    const residuals = new Map<number, number>();
    const f = parseFactors('C=1,M=8 P=9,2 Q4,3 R3', new At('m.yaml', 'factors'), dims, { residuals });
    expect([...f]).toEqual([[0, 1], [1, 8], [5, 9], [6, 4], [2, 3]]);
    expect([...residuals]).toEqual([[5, 2], [6, 3]]);
  });

  it('refuses a residual above the factor, and residuals where only factors belong', () => {
    expect(() => parseFactors('P=4,5', new At('m.yaml', 'factors'), dims, { residuals: new Map() })).toThrow(/residual between 1 and the factor 4/);
    expect(() => parseFactors('P=9,2', new At('c.yaml', 'factors'), dims)).toThrow(/without residuals/);
  });
});

const refCase = join(REFERENCE_DIR, 'cases/v4-ex-eyeriss_like');
const haveRef = referenceAvailable();

/** The reference Eyeriss-like design with a small awkward problem: C 8, M 13, P 13 (13 is prime). */
function smallProblem(dir: string): string {
  const base = readFileSync(join(refCase, 'inputs/up/_include/default_problem.yaml'), 'utf8');
  const inst = ['C: 8', 'H: 1', 'Hdilation: 1', 'Hpad: 0', 'Hstride: 1', 'M: 13', 'N: 1', 'P: 13', 'Q: 1', 'R: 1', 'S: 1', 'W: 13', 'Wdilation: 1', 'Wpad: 0', 'Wstride: 1'];
  const text = base.replace(/ {2}instance:\n( {4}.*\n)+/, `  instance:\n${inst.map((l) => `    ${l}\n`).join('')}`);
  const file = join(dir, 'problem.yaml');
  writeFileSync(file, text);
  return file;
}

describe.skipIf(!haveRef)('imperfect mappings through the files', () => {
  const top = join(refCase, 'inputs/up/top.yaml.jinja2');
  const ert = join(refCase, 'ref/timeloop-mapper.ERT.yaml');

  it('written P=…,r and read back: the same mapping, the same result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnnergy-imp-'));
    const problem = smallProblem(dir);
    const inp = loadInputs([top], ert, { jinja: { architecture: '..', problem } });
    const { workload: w, arch } = inp;
    const L = arch.storage.length;
    const names = arch.storage.map((s) => s.name);
    const at = (n: string) => names.indexOf(n);
    const levels = names.map(() => ({ temporal: [] as { dim: number; factor: number; residual?: number }[], spatial: [] as { dim: number; factor: number; residual?: number; axis: 'X' | 'Y' }[], keep: w.dataSpaces.map(() => false) }));
    levels[L - 1].keep = [true, true, true];
    levels[at('shared_glb')].keep = [true, true, true];
    levels[at('psum_spad')].keep = [false, false, true];
    levels[at('weights_spad')].keep = [true, false, false];
    levels[at('ifmap_spad')].keep = [false, true, false];
    // M = 13 over 7 PE columns (last pass 6), P = 13 as 4 × (4, last pass 1), C on the PE.
    levels[at('inter_PE_column_spatial')].spatial.push({ dim: 1, factor: 7, residual: 6, axis: 'X' });
    levels[at('DRAM')].temporal.push({ dim: 1, factor: 2 });
    levels[at('shared_glb')].temporal.push({ dim: 5, factor: 4, residual: 1 });
    levels[at('DRAM')].temporal.push({ dim: 5, factor: 4 });
    levels[at('weights_spad')].temporal.push({ dim: 0, factor: 8 });
    const m: Mapping = { levels };
    const yaml = mappingToYaml(w, arch, m);
    expect(yaml).toMatch(/M=7,6/);
    expect(yaml).toMatch(/P=4,1/);
    const file = join(dir, 'mapping.yaml');
    writeFileSync(file, yaml);
    const back = loadInputs([top, file], ert, { jinja: { architecture: '..', problem } });
    expect(back.mapping).toEqual(m);
    for (const partialTiles of ['timeloop', 'exact'] as const) {
      expect(evaluate(w, arch, back.mapping!, inp.energy!, { partialTiles }).energyPJ).toBe(evaluate(w, arch, m, inp.energy!, { partialTiles }).energyPJ);
    }
    // Timeloop's loop-nest text of the same mapping.
    const txt = ['DRAM [ Weights:104 Inputs:104 Outputs:169 ]', '| for P in [0:4)', '|  for M in [0:2)', 'shared_glb [ Inputs:104 Outputs:169 ]', '|   for P in [0:4,1)', 'inter_PE_column_spatial [ ]', '|    for M in [0:7,6) (Spatial-X)'].join('\n');
    const mt = readMapText(txt, 'x.map.txt', w, arch);
    expect(mt.levels[at('shared_glb')].temporal).toEqual([{ dim: 5, factor: 4, residual: 1 }]);
    expect(mt.levels[at('inter_PE_column_spatial')].spatial).toEqual([{ dim: 1, factor: 7, residual: 6, axis: 'X' }]);
  });

  it('map --imperfect --out, then model: the written mapping gives the reported result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnnergy-imp-'));
    const problem = smallProblem(dir);
    const out = join(dir, 'best.yaml');
    const args = [top, '--jinja', 'architecture=..', `problem=${problem}`, '--ert', ert];
    const mapped = await runCli(['map', ...args, '--imperfect', '--evaluations', '600', '--objective', 'energy', '--json', '--out', out]);
    expect(mapped.code, mapped.stderr).toBe(0);
    const found = JSON.parse(mapped.stdout) as { result: { energy_pJ: number; cycles: number; computes: number; partial_tiles?: unknown } };
    const written = readFileSync(out, 'utf8');
    const model = await runCli(['model', ...args.slice(0, 3), args[3], args[4], args[5], out, '--json']);
    expect(model.code, model.stderr).toBe(0);
    const r = JSON.parse(model.stdout) as { energy_pJ: number; cycles: number; computes: number; partial_tiles?: { mode: string } };
    expect(r.energy_pJ).toBe(found.result.energy_pJ);
    expect(r.cycles).toBe(found.result.cycles);
    // 13 has no factor but itself: with imperfect factors the search uses more than one PE per 13.
    expect(written).toMatch(/=\d+,\d+/);
    expect(r.partial_tiles?.mode).toBe('timeloop');
  }, 120_000);
});
