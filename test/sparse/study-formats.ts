/**
 * Sparseloop's format comparison (Wu et al., MICRO 2022, the dot-product /
 * spMspM study): the same spMspM design and mapping (Sparseloop's example
 * 02.2.1 of the Timeloop reference set) with A and B in bitmask with gating
 * versus coordinate list with skipping, over densities 0.01–0.8 of both
 * operands. One command: `npx tsx test/sparse/study-formats.ts`.
 */
import { join } from 'node:path';
import { loadInputs } from '../../src/io/inputs.js';
import { evaluate } from '../../src/model/model.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import type { LevelSparsity, OptimizationGroup, RankFormatName, SparseSpec } from '../../src/sparse/spec.js';
import { REFERENCE_DIR } from '../helpers/reference.js';

const ref = join(REFERENCE_DIR, 'cases/v4-ex-sparseloop-02.2.1-spMspM/ref');
const inp = loadInputs([join(ref, 'parsed-processed-input.yaml'), join(ref, 'timeloop-mapper.map.yaml')], join(ref, 'timeloop-mapper.ERT.yaml'));
const { workload: w, arch, mapping, energy } = inp;
const base = inp.sparse!;
const [A, B, Z] = ['A', 'B', 'Z'].map((n) => w.dataSpaces.findIndex((d) => d.name === n));
const buffer = arch.storage.findIndex((l) => l.name === 'Buffer');

function variant(inner: RankFormatName, kind: 'gating' | 'skipping', d: number): SparseSpec {
  const groups: OptimizationGroup[] = [[{ target: A, conditionOn: [B] }], [{ target: B, conditionOn: [A] }], [{ target: Z, conditionOn: [A, B] }]];
  const levels = base.levels.map((lv, l): LevelSparsity => ({
    ...lv,
    formats: lv.formats.map((f, s) => (s === A || s === B ? { ranks: [{ format: 'UOP', flattened: [] }, { format: inner, flattened: [] }], innerToOuter: false } : f)),
    gating: l === buffer && kind === 'gating' ? groups : [],
    skipping: l === buffer && kind === 'skipping' ? groups : [],
  }));
  return { ...base, levels, densities: base.densities.map((x, s) => (s === A || s === B ? { distribution: 'fixed_structured', density: d } : x)) };
}

const dense = evaluate(w, arch, mapping!, energy!);
const rows = [['density (A = B)', 'bitmask + gating: energy', 'cycles', 'coordinate list + skipping: energy', 'cycles', 'winner (energy)']];
for (const d of [0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8]) {
  const b = evaluateSparse(w, arch, mapping!, energy!, variant('B', 'gating', d));
  const c = evaluateSparse(w, arch, mapping!, energy!, variant('CP', 'skipping', d));
  rows.push([String(d), `${b.energyPJ.toFixed(1)} pJ (${(b.energyPJ / dense.energyPJ).toFixed(3)}×)`, String(b.cycles), `${c.energyPJ.toFixed(1)} pJ (${(c.energyPJ / dense.energyPJ).toFixed(3)}×)`, String(c.cycles), b.energyPJ < c.energyPJ ? 'bitmask' : 'coordinate list']);
}
console.log(`spMspM ${w.bounds.join('×')} on Sparseloop's example design, its reference mapping; dense: ${dense.energyPJ.toFixed(1)} pJ, ${dense.cycles} cycles (× = energy over dense)\n`);
console.log(rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? '\n|' + r.map(() => '---').join('|') + '|' : ''}`).join('\n'));
