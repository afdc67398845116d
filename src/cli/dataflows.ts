/** `dnnergy dataflows`: the ISCA 2016 dataflow comparison on a network. */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ISCA16_DATAFLOWS, type Isca16Dataflow } from '../arch/isca16.js';
import { threadPool } from '../io/threadPool.js';
import { writeFileAtomic } from '../io/files.js';
import { compareDataflows } from '../network/dataflows.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { comparisonHtml, comparisonToJSON, formatComparison } from '../report/dataflows.js';
import { SpecError } from '../spec/errors.js';
import { wholeNumber } from './args.js';

interface Opts { network: string; batch: string; objective: string; evaluations: string; seed: string; threads: string; only?: string; json?: boolean; out?: string; html?: string }

export function registerDataflows(program: Command): void {
  program
    .command('dataflows')
    .description('compare the ISCA 2016 dataflows (RS, WS, OSA, OSB, OSC, NLR) on a network: 256 PEs, same storage area, normalised energy')
    .option('--network <name>', `a zoo network (${zooNames.join(', ')})`, 'alexnet')
    .option('--batch <n>', 'images per batch', '16')
    .option('--objective <energy|delay|edp>', 'what the mapper minimises per layer (EDP keeps the array busy: the paper compares at the same parallelism)', 'edp')
    .option('--evaluations <n>', 'mapper budget per distinct layer shape and dataflow', '20000')
    .option('--seed <n>', 'mapper seed', '1')
    .option('--threads <n>', 'mapper threads', '1')
    .option('--only <list>', `some of the dataflows, comma-separated (${ISCA16_DATAFLOWS.join(',')})`)
    .option('--json', 'print JSON (stable keys) instead of tables')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with the stacked-bar plot')
    .action(async (o: Opts) => {
      const net = zooNetwork(o.network);
      if (!net) throw new SpecError('<command line>', '--network', `a zoo network (${zooNames.join(', ')})`, o.network);
      if (!['energy', 'delay', 'edp'].includes(o.objective)) throw new SpecError('<command line>', '--objective', 'energy, delay or edp', o.objective);
      let flows: Isca16Dataflow[] = [...ISCA16_DATAFLOWS];
      if (o.only !== undefined) {
        flows = o.only.split(',').map((s) => {
          const d = ISCA16_DATAFLOWS.find((x) => x === s.trim().toUpperCase());
          if (!d) throw new SpecError('<command line>', '--only', `dataflows from ${ISCA16_DATAFLOWS.join(', ')}`, s);
          return d;
        });
      }
      const meta = { network: net.name, batch: wholeNumber(o.batch, '--batch', 1), objective: o.objective, evaluations: wholeNumber(o.evaluations, '--evaluations', 1), seed: wholeNumber(o.seed, '--seed', 0) };
      const showBar = !o.json && process.stderr.isTTY && !process.env.CI;
      const bar = showBar ? new SingleBar({ format: `dataflows {bar} {value}/{total} layers`, stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
      bar?.start(flows.length * net.layers.length, 0);
      const threads = wholeNumber(o.threads, '--threads', 1);
      const all = await compareDataflows(net, {
        batch: meta.batch, objective: o.objective as 'energy', evaluations: meta.evaluations, seed: meta.seed, threads, pool: threads > 1 ? threadPool(threads) : undefined,
        dataflows: flows, onProgress: bar ? (d) => bar.update(d) : undefined,
      });
      bar?.stop();
      const json = JSON.stringify(comparisonToJSON(all, meta), null, 2) + '\n';
      if (o.out) writeFileAtomic(o.out, json);
      if (o.html) writeFileAtomic(o.html, comparisonHtml(all, meta));
      process.stdout.write(o.json ? json : formatComparison(all, meta));
    });
}
