/**
 * The bound's cost per call on the views the exact search sees: for each
 * case, the annealer's best mapping's keeps with 0..D of its dimensions'
 * factors fixed (in digit order), each view bounded many times with the
 * capacity cache warm. Run: `npx tsx test/helpers/bound-cost.ts <name filter> [objective]`.
 */
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../../src/interop/timeloop/constraints.js';
import { boundContext, boundOf, type SpaceView } from '../../src/mapper/bound.js';
import { search, type Objective } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { planEnergy } from '../../src/model/cost.js';
import { caseInputs, isDense, loadRefs } from './reference.js';

const only = process.argv[2];
for (const r of loadRefs().filter((x) => x.tool === 'mapper' && isDense(x) && (!only || x.name.includes(only)))) {
  const { inputs, ert } = caseInputs(r);
  const inp = loadInputs(inputs.filter((f) => !f.endsWith('.map.yaml') && !f.endsWith('.map.txt')), ert);
  const convention = r.snapshot === 'v4' ? ('v4' as const) : ('v3' as const);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const objective = (process.argv[3] as Objective) ?? objectiveFrom(inp.sections) ?? 'edp';
  const w = inp.workload, arch = inp.arch;
  const plan = planEnergy(arch, inp.energy!, convention, w.dataSpaces.map((d) => d.name));
  const space = new MapSpace(w, arch, constraints);
  const g = search(w, arch, space, plan, { objective, seed: 1, evaluations: 5000, analysis: { convention } }).best!;
  const ctx = boundContext(w, arch, plan, objective, true);
  const { L, D, S } = space;
  const views: SpaceView[] = [];
  const fixed = Float64Array.from(space.fixed), free = [...space.free], primes = [...space.primes];
  for (let d = 0; d <= D; d++) {
    views.push({ L, D, S, fixed: Float64Array.from(fixed), free: [...free], primes: [...primes], keepFixed: Uint8Array.from(g.keep.subarray(0, L * S)), torder: space.torder });
    if (d === D) break;
    for (let i = 0; i < L * 3; i++) fixed[i * D + d] = g.f[i * D + d];
    free[d] = []; primes[d] = [];
  }
  for (const v of views) boundOf(ctx, v);
  const n = 2000;
  const t0 = performance.now();
  for (let k = 0; k < n; k++) boundOf(ctx, views[k % views.length]);
  console.log(`${r.name} ${objective}: ${((performance.now() - t0) * 1000 / n).toFixed(1)} us per bound (${views.length} views, ${ctx.backingStoreLeast.size} capacity results cached)`);
}
