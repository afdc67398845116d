/**
 * The exact search's table (README, "Provably optimal mappings"): for every
 * dense mapper reference case, with its own objective and with energy, the
 * best mapping, the proven bound, the gap, the time and the candidates
 * evaluated and pruned. Run:
 * `npx tsx test/helpers/exact-gaps.ts [name filter]` (LIMIT=60 seconds, THREADS=2).
 */
import { loadInputs } from '../../src/io/inputs.js';
import { constraintsFrom, objectiveFrom } from '../../src/interop/timeloop/constraints.js';
import { threadPool } from '../../src/io/threadPool.js';
import { mapLayer } from '../../src/mapper/map.js';
import type { Objective } from '../../src/mapper/search.js';
import { caseInputs, isDense, loadRefs } from './reference.js';

const limit = Number(process.env.LIMIT ?? 60) * 1000;
const threads = Number(process.env.THREADS ?? 2);
const only = process.argv[2];
const pool = threads > 1 ? threadPool(threads) : undefined;
const cases = loadRefs().filter((r) => r.tool === 'mapper' && isDense(r) && (!only || r.name.includes(only)));
for (const r of cases) {
  let inp;
  try {
    const { inputs, ert } = caseInputs(r);
    inp = loadInputs(inputs.filter((f) => !f.endsWith('.map.yaml') && !f.endsWith('.map.txt')), ert);
  } catch { continue; }
  const convention = r.snapshot === 'v4' ? ('v4' as const) : ('v3' as const);
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const own: Objective = objectiveFrom(inp.sections) ?? 'edp';
  for (const objective of [own, 'energy'] as Objective[]) {
    if (objective === 'energy' && own === 'energy') continue;
    const t0 = Date.now();
    let m;
    try {
      m = await mapLayer(inp.workload, inp.arch, inp.energy!, constraints, { objective, seed: 1, evaluations: Infinity, timeLimitMs: limit, threads, pool, convention, strategy: 'exact' });
    } catch (e) { console.log(`| ${r.name} | ${objective} | error: ${(e as Error).message.slice(0, 80)} |`); if (process.env.STACK) console.log((e as Error).stack); continue; }
    const x = m.stats.exact!;
    const t = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`| ${r.name} | ${objective} | ${m.score.toPrecision(5)} | ${m.proven.toPrecision(5)} | ${m.gap.toFixed(3)}×${m.optimal ? ' optimal' : ''} | ${t} s | ${m.stats.evaluated} / ${x.prunedByBound.toExponential(2)} (${x.illegal.toExponential(2)} over capacity) | ${m.size.raw.toExponential(2)} → ${m.size.canonical.toExponential(2)} |`);
  }
}
