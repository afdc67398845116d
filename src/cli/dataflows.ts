/** `dnnergy dataflows`: the ISCA 2016 dataflow comparison on a network. */
import { ISCA16_DATAFLOWS } from '../designs/isca16.js';
import { OutputSet } from '../io/files.js';
import { threadPool } from '../io/threadPool.js';
import { compareDataflows, type DataflowSummary } from '../network/dataflows.js';
import { score, type Objective } from '../model/objective.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { comparisonHtml, comparisonToJSON, formatComparison } from '../report/dataflows.js';
import { SpecError } from '../spec/errors.js';
import { listOf, objective, outputTargets, positiveNumber, threadsFlag, wholeNumber } from './flags.js';
import { progressBar } from './progress.js';

/** Flags of `dnnergy dataflows`, as commander hands them over. */
export interface DataflowsOpts { network: string; batch: string; objective: string; evaluations: string; seed: string; threads: string; only?: string; json?: boolean; out?: string; html?: string; exact?: string; imperfect?: boolean }

/** Run `dnnergy dataflows`. */
export async function runDataflows(o: DataflowsOpts): Promise<void> {
  outputTargets({ '--out': o.out, '--html': o.html });
  const net = zooNetwork(o.network);
  if (!net) throw new SpecError('<command line>', '--network', `a zoo network (${zooNames.join(', ')})`, o.network);
  const goal = objective(o.objective);
  const flows = o.only === undefined ? [...ISCA16_DATAFLOWS] : listOf(o.only, '--only', ISCA16_DATAFLOWS, 'dataflows');
  const meta = { network: net.name, batch: wholeNumber(o.batch, '--batch', 1), objective: goal, evaluations: wholeNumber(o.evaluations, '--evaluations', 1), seed: wholeNumber(o.seed, '--seed', 0) };
  const bar = progressBar('dataflows {bar} {value}/{total} layers', o.json);
  bar?.start(flows.length * net.layers.length, 0);
  const threads = threadsFlag(o.threads);
  const all = await compareDataflows(net, {
    batch: meta.batch, objective: goal, evaluations: meta.evaluations, seed: meta.seed, threads, pool: threads > 1 ? threadPool(threads) : undefined,
    dataflows: flows, onProgress: bar ? (d) => bar.update(d) : undefined,
    ...(o.exact !== undefined ? { exactTimeLimitMs: positiveNumber(o.exact, '--exact') * 1000 } : {}), ...(o.imperfect ? { imperfect: true } : {}),
  });
  bar?.stop();
  const json = JSON.stringify(comparisonToJSON(all, meta), null, 2) + '\n';
  await OutputSet.run((out) => {
    if (o.out) out.add(o.out, json);
    if (o.html) out.add(o.html, comparisonHtml(all, meta));
  });
  process.stdout.write(o.json ? json : formatComparison(all, meta));
  if (o.exact !== undefined && !o.json) process.stdout.write(provenLines(all, goal));
}

/**
 * With the exact search: each dataflow's summed layer objective over its
 * summed proven bounds, and (objective energy) its energy relative to the
 * first dataflow as a proven interval: [its bound / their best, its best /
 * their bound].
 */
function provenLines(all: readonly DataflowSummary[], goal: Objective): string {
  const sums = all.map((d) => {
    let sc = 0, bound = 0;
    for (const l of d.report.layers) {
      if (!l.result || l.proven === undefined) continue;
      sc += score(goal, l.result.energyPJ, l.result.cycles);
      bound += l.proven;
    }
    return { name: d.dataflow, sc, bound };
  });
  const ref = sums[0];
  const lines = sums.map((x) => {
    const rel = goal === 'energy' && x !== ref ? `, ${x.name}/${ref.name} ${(x.sc / ref.sc).toFixed(3)}× (proven ${(x.bound / ref.sc).toFixed(3)}–${(x.sc / ref.bound).toFixed(3)}×)` : '';
    return `${x.name}: Σ ${goal} ${x.sc.toPrecision(5)}, proven bound ${x.bound.toPrecision(5)}, gap ${(x.sc / x.bound).toFixed(3)}×${rel}\n`;
  });
  return `exact search per layer:\n${lines.join('')}`;
}
