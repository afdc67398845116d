/**
 * Diagnostic: how tight the bound of a partial mapping is at the annealer's
 * best mapping, as the exact search's digits get set (keeps, then each
 * dimension in digit order). Run: `npx tsx test/helpers/bound-at-best.ts <name filter> [objective] [evaluations]`.
 */
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../../src/interop/timeloop/constraints.js';
import { boundContext, boundOf, type SpaceView } from '../../src/mapper/bound.js';
import { search, type Objective } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { planEnergy } from '../../src/model/cost.js';
import { caseInputs, isDense, loadRefs } from './reference.js';

const only = process.argv[2];
const cases = loadRefs().filter((r) => r.tool === 'mapper' && isDense(r) && (!only || r.name.includes(only)));
for (const r of cases) {
  const { inputs, ert } = caseInputs(r);
  const inp = loadInputs(inputs.filter((f) => !f.endsWith('.map.yaml') && !f.endsWith('.map.txt')), ert);
  const convention = r.snapshot === 'v4' ? ('v4' as const) : ('v3' as const);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const objective = (process.argv[3] as Objective) ?? objectiveFrom(inp.sections) ?? 'edp';
  const w = inp.workload, arch = inp.arch;
  const plan = planEnergy(arch, inp.energy!, convention, w.dataSpaces.map((d) => d.name));
  const space = new MapSpace(w, arch, constraints);
  const found = search(w, arch, space, plan, { objective, seed: 1, evaluations: Number(process.argv[4] ?? 30000), analysis: { convention } });
  const g = found.best!;
  const ctx = boundContext(w, arch, plan, objective, true);
  const { L, D, S } = space;
  const cost = objective === 'energy' ? found.energyPJ : objective === 'delay' ? found.cycles : found.energyPJ * found.cycles;
  const view: SpaceView = { L, D, S, fixed: Float64Array.from(space.fixed), free: [...space.free], primes: [...space.primes], keepFixed: Uint8Array.from(space.keepFixed) };
  const line = (what: string) => { const b = boundOf(ctx, view); console.log(`${r.name} ${objective} ${what}: cost ${cost.toPrecision(5)} bound ${b.score.toPrecision(5)} gap ${(cost / b.score).toFixed(3)} (E ${b.energyPJ.toPrecision(4)} onChip ${b.parts.onChip.toPrecision(4)} backing ${b.parts.backingStore.toPrecision(4)} cycles ${b.cycles})`); };
  line('space');
  (view as { keepFixed: Uint8Array }).keepFixed = Uint8Array.from(g.keep.subarray(0, L * S));
  line('keeps');
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < L * 3; i++) (view.fixed as Float64Array)[i * D + d] = g.f[i * D + d];
    (view.free as unknown[])[d] = []; (view.primes as unknown[])[d] = [];
    line(`+${w.dims[d]}`);
  }
}
