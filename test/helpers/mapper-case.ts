/**
 * One dense mapper reference case set up for the bound diagnostics
 * (bound-at-best.ts, bound-cost.ts): its inputs, constraints, objective
 * (the case's own unless given), mapspace and the annealer's best mapping.
 */
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../../src/interop/timeloop/constraints.js';
import { boundContext } from '../../src/mapper/bound.js';
import { search, type Objective } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { planEnergy } from '../../src/model/cost.js';
import { caseInputs, isDense, loadRefs, type RefCase } from './reference.js';

/** The dense mapper cases whose name contains `only` (all without it). */
export function mapperCases(only?: string): RefCase[] {
  return loadRefs().filter((r) => r.tool === 'mapper' && isDense(r) && (!only || r.name.includes(only)));
}

/** A case mapped by annealing (seed 1) with its bound context. */
export function mappedCase(r: RefCase, objectiveArg: string | undefined, evaluations: number) {
  const { inputs, ert } = caseInputs(r);
  const inp = loadInputs(inputs.filter((f) => !f.endsWith('.map.yaml') && !f.endsWith('.map.txt')), ert);
  const convention = r.snapshot === 'v4' ? ('v4' as const) : ('v3' as const);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const objective = (objectiveArg as Objective) ?? objectiveFrom(inp.sections) ?? 'edp';
  const w = inp.workload, arch = inp.arch;
  const plan = planEnergy(arch, inp.energy!, convention, w.dataSpaces.map((d) => d.name));
  const space = new MapSpace(w, arch, constraints);
  const found = search(w, arch, space, plan, { objective, seed: 1, evaluations, analysis: { convention } });
  return { w, arch, objective, space, found, g: found.best!, ctx: boundContext(w, arch, plan, objective, true) };
}
