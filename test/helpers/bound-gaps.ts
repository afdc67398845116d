/**
 * The gap table of docs/mapper.md ("Lower bounds"): for every dense mapper
 * reference case, with its own objective and with energy, the best mapping
 * found beside the old bound (compute + backing store) and the new one.
 * Run: `npx tsx test/helpers/bound-gaps.ts [name filter]` (EVALS=30000 by default).
 */
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../../src/interop/timeloop/constraints.js';
import { planEnergy, type EnergyPlan } from '../../src/model/cost.js';
import { mapLayer } from '../../src/mapper/map.js';
import { score, type Objective } from '../../src/mapper/search.js';
import { operationCount, projectedSize, type Workload } from '../../src/workload/workload.js';
import type { Arch } from '../../src/arch/arch.js';
import { caseInputs, isDense, loadRefs } from './reference.js';

function oldBound(w: Workload, arch: Arch, plan: EnergyPlan, objective: Objective): number {
  const ops = operationCount(w);
  const top = arch.storage.length - 1;
  const lv = arch.storage[top];
  let backing = 0;
  for (const ds of w.dataSpaces) {
    const words = projectedSize(ds, w.bounds.map((b) => b));
    const perBlock = ds.readWrite ? plan.update[top] : plan.read[top];
    backing += (Math.ceil(words / lv.blockSize) * perBlock) / Math.max(1, lv.clusterSize);
  }
  return score(objective, ops * plan.compute + backing, Math.ceil(ops / arch.compute.instances));
}

const evals = Number(process.env.EVALS ?? 30000);
const rows: string[] = [];
const only = process.argv[2];
const cases = loadRefs().filter((r) => r.tool === 'mapper' && isDense(r) && (!only || r.name.includes(only)));
for (const r of cases) {
  const { inputs, ert } = caseInputs(r);
  const convention = r.snapshot === 'v4' ? ('v4' as const) : ('v3' as const);
  const inp = loadInputs(inputs.filter((f) => !f.endsWith('.map.yaml') && !f.endsWith('.map.txt')), ert);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const own: Objective = objectiveFrom(inp.sections) ?? 'edp';
  const plan = planEnergy(inp.arch, inp.energy!, convention, inp.workload.dataSpaces.map((d) => d.name));
  for (const objective of [own, 'energy'] as Objective[]) {
    if (objective === 'energy' && own === 'energy') continue;
    let m;
    try { m = await mapLayer(inp.workload, inp.arch, inp.energy!, constraints, { objective, seed: 1, evaluations: evals, convention }); } catch (e) { console.log(`| ${r.name} | ${objective} | error: ${(e as Error).message.slice(0, 80)} |`); continue; }
    if (process.env.DETAIL) { console.log(JSON.stringify(m.bound.parts)); for (const lv of m.result.levels) console.log(lv.name, lv.energyPJ.toPrecision(4), lv.utilizedInstances, lv.dataSpaces.map((d) => `${d.name} r${d.reads} f${d.fills} u${d.updates}`).join('; ')); }
    const ob = oldBound(inp.workload, inp.arch, plan, objective);
    const line = `| ${r.name} | ${objective} | ${m.score.toPrecision(5)} | ${ob.toPrecision(5)} | ${(m.score / ob).toFixed(2)}× | ${m.bound.score.toPrecision(5)} | ${m.gap.toFixed(2)}× |`;
    console.log(line);
    rows.push(line);
  }
}
