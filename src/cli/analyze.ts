/** `dnnergy analyze`: a whole network on an accelerator, layer by layer. */
import { loadArchitecture } from '../io/inputs.js';
import { OutputSet, readBinaryFile } from '../io/files.js';
import { importOnnx } from '../network/onnx/import.js';
import { threadPool } from '../io/threadPool.js';
import { isArchFile, resolveDesign } from '../designs/resolve.js';
import { filesLabel } from '../spec/load.js';
import { analyzeNetwork, type NetworkReport } from '../network/analyze.js';
import { score, type Objective } from '../model/objective.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { reportHtml } from '../report/html.js';
import { formatNetworkReport, networkReportToJSON } from '../report/network.js';
import { SpecError } from '../spec/errors.js';
import type { LayerDensities } from '../network/sparsity.js';
import { densityFlag, objective, onnxImportFlags, outputTargets, positiveNumber, threadsFlag, wholeNumber } from './flags.js';
import { progressBar } from './progress.js';

/** Flags of `dnnergy analyze`, as commander hands them over. */
export interface AnalyzeOpts { html?: string; ert?: string; clock?: string; inputShape?: string; dim?: string; strict?: boolean; if?: string; arch: string; batch: string; evaluations: string; seed: string; threads: string; objective: string; json?: boolean; out?: string; exact?: string; exactBudget?: string; density?: string; densityFrom?: string; imperfect?: boolean }

/** Run `dnnergy analyze` on a network (ONNX file or zoo name). */
export async function runAnalyze(name: string, opts: AnalyzeOpts): Promise<void> {
  outputTargets({ '--out': opts.out, '--html': opts.html });
  const actual = densityFromFlag(opts.densityFrom);
  const net = /\.onnx$/i.test(name) ? importOnnx(readBinaryFile(name), name, { ...onnxImportFlags(opts), ...(actual ? { weightMasks: true } : {}) }) : zooNetwork(name);
  if (!net) throw new SpecError('<command line>', 'network', `an .onnx file or a zoo network (${zooNames.join(', ')})`, name);
  for (const w of net.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const design = resolveDesign(opts.arch, opts.ert, loadArchitecture);
  for (const w of design.warnings) process.stderr.write(`warning: ${w}\n`);
  const clockHz = opts.clock === undefined ? design.clockHz : clockFlag(opts.clock);
  const goal = objective(opts.objective);
  const batch = wholeNumber(opts.batch, '--batch', 1);
  const bar = progressBar(`${net.name} {bar} {value}/{total} layers`, opts.json);
  bar?.start(net.layers.length, 0);
  const threads = threadsFlag(opts.threads);
  const densities = roleDensities(densityFlag(opts.density));
  if (opts.imperfect && (densities || net.layers.some((l) => l.kind !== 'other' && l.weightDensity !== undefined && l.weightDensity < 1))) {
    throw new SpecError('<command line>', '--imperfect', 'a dense network and no --density (the sparse engine counts perfect factors only)', densities ? '--density' : 'pruned weights');
  }
  if (opts.exact !== undefined && opts.exactBudget !== undefined) {
    throw new SpecError('<command line>', '--exact-budget', 'either --exact (seconds per shape) or --exact-budget (seconds for the network), not both', `--exact ${opts.exact}`);
  }
  const exact = opts.exact !== undefined || opts.exactBudget !== undefined;
  const report = await analyzeNetwork(net, design.arch, design.energy, {
    batch, objective: goal, evaluations: wholeNumber(opts.evaluations, '--evaluations', 1),
    seed: wholeNumber(opts.seed, '--seed', 0), threads, pool: threads > 1 ? threadPool(threads) : undefined, constraints: (w) => design.constraints(w),
    source: isArchFile(opts.arch) ? filesLabel(opts.arch.split(',').map((p) => p.trim())) : opts.arch,
    onLayer: bar ? (d) => bar.update(d) : undefined, ...(densities ? { densities } : {}),
    ...(opts.exact !== undefined ? { exactTimeLimitMs: positiveNumber(opts.exact, '--exact') * 1000 } : {}),
    ...(opts.exactBudget !== undefined ? { exactBudgetMs: positiveNumber(opts.exactBudget, '--exact-budget') * 1000 } : {}), ...(opts.imperfect ? { imperfect: true } : {}),
  });
  bar?.stop();
  const proven = exact ? provenTotal(report, goal) : undefined;
  const json = JSON.stringify({ ...(networkReportToJSON(report, clockHz) as object), ...(proven ? { proven } : {}) }, null, 2) + '\n';
  await OutputSet.run((out) => {
    if (opts.out) out.add(opts.out, json);
    if (opts.html) out.add(opts.html, reportHtml(report, clockHz));
  });
  for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(opts.json ? json : formatNetworkReport(report, clockHz));
  if (proven && !opts.json) process.stdout.write(`exact search per layer: Σ ${goal} over layers ${proven.score.toPrecision(5)}, proven bound ${proven.bound.toPrecision(5)}, gap ${proven.gap.toFixed(3)}× (${proven.optimal} of ${proven.layers} layers optimal)\n`);
}

/**
 * The network's proven gap: the layers' objectives summed (each repeated
 * layer counted) over their proven bounds summed — a bound on the sum
 * because each layer's is a bound on its own.
 */
function provenTotal(r: NetworkReport, goal: Objective): { score: number; bound: number; gap: number; layers: number; optimal: number } {
  let sc = 0, bound = 0, layers = 0, optimal = 0;
  for (const l of r.layers) {
    if (!l.result || l.proven === undefined) continue;
    const s = score(goal, l.result.energyPJ, l.result.cycles);
    sc += s; bound += l.proven; layers++;
    if (l.proven >= s) optimal++;
  }
  return { score: sc, bound, gap: bound > 0 ? sc / bound : 1, layers, optimal };
}

/**
 * `--density-from`: how a pruned ONNX model's weights enter the sparse
 * engine — `average` (default: the fraction of non-zeros, fixed-structured)
 * or `actual` (every weight tile counted on the file's zeros).
 */
function densityFromFlag(v: string | undefined): boolean {
  if (v === undefined || v === 'average') return false;
  if (v === 'actual') return true;
  throw new SpecError('<command line>', '--density-from', 'actual or average', v);
}

/** `--density` on a network: by role (a network's layers share roles, not tensor names). */
function roleDensities(m: ReadonlyMap<string, number> | undefined): LayerDensities | undefined {
  if (!m) return undefined;
  const out: Record<string, number> = {};
  for (const [k, d] of m) {
    const role = ({ weight: 'weights', weights: 'weights', input: 'inputs', inputs: 'inputs', output: 'outputs', outputs: 'outputs' } as Record<string, string>)[k.toLowerCase()];
    if (!role) throw new SpecError('<command line>', `--density ${k}`, 'a role: Weights, Inputs or Outputs', k);
    out[role] = d;
  }
  return out as LayerDensities;
}

/** The fastest clock `--clock` takes (1 THz): beyond it frames/s lose meaning, and near 1e308 MHz they overflow. */
export const MAX_CLOCK_MHZ = 1e6;

function clockFlag(v: string): number {
  const mhz = positiveNumber(v, '--clock');
  if (mhz > MAX_CLOCK_MHZ) throw new SpecError('<command line>', '--clock', `a clock in MHz up to ${MAX_CLOCK_MHZ}`, v);
  return mhz * 1e6;
}
