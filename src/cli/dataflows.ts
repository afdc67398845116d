/** `dnnergy dataflows`: the ISCA 2016 dataflow comparison on a network. */
import { ISCA16_DATAFLOWS } from '../designs/isca16.js';
import { OutputSet } from '../io/files.js';
import { threadPool } from '../io/threadPool.js';
import { compareDataflows } from '../network/dataflows.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { comparisonHtml, comparisonToJSON, formatComparison } from '../report/dataflows.js';
import { SpecError } from '../spec/errors.js';
import { listOf, objective, outputTargets, threadsFlag, wholeNumber } from './flags.js';
import { progressBar } from './progress.js';

/** Flags of `dnnergy dataflows`, as commander hands them over. */
export interface DataflowsOpts { network: string; batch: string; objective: string; evaluations: string; seed: string; threads: string; only?: string; json?: boolean; out?: string; html?: string }

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
  });
  bar?.stop();
  const json = JSON.stringify(comparisonToJSON(all, meta), null, 2) + '\n';
  await OutputSet.run((out) => {
    if (o.out) out.add(o.out, json);
    if (o.html) out.add(o.html, comparisonHtml(all, meta));
  });
  process.stdout.write(o.json ? json : formatComparison(all, meta));
}
