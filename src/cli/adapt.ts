/**
 * `dnnergy adapt`: NetAdapt of a trained classifier to a cost target on a
 * platform — the dnnergy model of an accelerator (energy or latency) or this
 * machine's CPU (onnxruntime-node) — with uniform width multipliers as the
 * baseline under the same provider and fine-tuning budget.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfType from '@tensorflow/tfjs';
import type { Adaptable, Iteration, NetAdaptResult } from '../codesign/netadapt.js';
import type { CostTable, ModelSource } from '../codesign/netadapt-lut.js';
import type { CpuSource } from '../codesign/netadapt-cpu.js';
import { resolveDesign } from '../designs/resolve.js';
import { OutputSet } from '../io/files.js';
import { loadArchitecture } from '../io/inputs.js';
import type { Network } from '../network/network.js';
import { SpecError } from '../spec/errors.js';
import { median } from '../util/timing.js';
import { ADAPT_MODELS } from './commands.js';
import { numberIn, oneOf, outputTargets, wholeNumber } from './flags.js';
import { progressBar, quiet } from './progress.js';

/** Flags of `dnnergy adapt`, as commander hands them over. */
export interface AdaptOpts {
  model: string; cost: string; target: string; data?: string; ert?: string; seed: string; out: string; html?: boolean; json?: boolean;
  also?: string; alphas: string; baselineImages?: string; granularity: string; initialReduction: string; decay: string; shortTermImages: string; longTermImages: string;
  holdoutImages: string; testImages: string; lr: string; maxIterations: string; evaluations: string; variantEvaluations?: string; warmup: string; runs: string; rounds: string; ortLevel: string; prime: string; span: string;
  prune?: string; pruneDrop?: string; checkpoints?: string;
}

/** This process's CPU time (user + system) in ms: what a table entry costs whatever the machine's load. */
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const CLI = '<command line>';
const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

/** A `--cost` value: the metric and the platform. */
export interface CostSpec { readonly metric: 'energy' | 'latency'; readonly platform: string; readonly text: string }

/** Parse `energy:<arch>`, `latency:<arch>` or `latency:cpu`. */
export function parseCost(v: string, flag = '--cost'): CostSpec {
  const m = /^(energy|latency):(.+)$/.exec(v.trim());
  if (!m) throw new SpecError(CLI, flag, 'energy:<arch>, latency:<arch> or latency:cpu (<arch>: a built-in design or Timeloop architecture YAML)', v);
  if (m[2] === 'cpu' && m[1] !== 'latency') throw new SpecError(CLI, flag, 'latency:cpu (the CPU is measured in time, not energy)', v);
  return { metric: m[1] as 'energy' | 'latency', platform: m[2], text: v.trim() };
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(3) : x.toFixed(4));
const pct = (x: number) => (x * 100).toFixed(2);

/** Run `dnnergy adapt`. */
export async function runAdapt(o: AdaptOpts): Promise<void> {
  // Every input is checked before tfjs loads and long before anything is written.
  const target = Number(o.target);
  if (o.target.trim() === '' || !Number.isFinite(target) || target <= 0 || target > 1) throw new SpecError(CLI, '--target', 'a fraction of the original cost in (0, 1]', o.target);
  const spec = parseCost(o.cost);
  const also = (o.also ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => parseCost(s, '--also'));
  const seed = wholeNumber(o.seed, '--seed', 0);
  const granularity = wholeNumber(o.granularity, '--granularity', 1);
  const initialReduction = numberIn(o.initialReduction, '--initial-reduction', 1e-4, 1);
  const decay = numberIn(o.decay, '--decay', 0.01, 1);
  const shortTermImages = wholeNumber(o.shortTermImages, '--short-term-images', 0), longTermImages = wholeNumber(o.longTermImages, '--long-term-images', 0);
  const holdoutImages = wholeNumber(o.holdoutImages, '--holdout-images', 10), testImages = wholeNumber(o.testImages, '--test-images', 10);
  const lr = numberIn(o.lr, '--lr', 1e-7, 1), maxIterations = wholeNumber(o.maxIterations, '--max-iterations', 1);
  const evaluations = wholeNumber(o.evaluations, '--evaluations', 1), variantEvaluations = o.variantEvaluations === undefined ? undefined : wholeNumber(o.variantEvaluations, '--variant-evaluations', 0), warmup = wholeNumber(o.warmup, '--warmup', 0), runs = wholeNumber(o.runs, '--runs', 3), rounds = wholeNumber(o.rounds, '--rounds', 1);
  const ortLevel = oneOf(o.ortLevel, '--ort-level', ['basic', 'extended', 'all'] as const);
  const primeCandidates = wholeNumber(o.prime, '--prime', 0), spanMs = numberIn(o.span, '--span', 0, 3600) * 1000;
  const alphas = o.alphas.trim() === '' || o.alphas === 'none' ? [] : o.alphas.split(',').map((s) => numberIn(s.trim(), '--alphas', 0.01, 1));
  const baselineImages = o.baselineImages === undefined ? undefined : wholeNumber(o.baselineImages, '--baseline-images', 0);
  // Pruning baselines price sparse weights: only on the model's energy (the CPU runs dense kernels).
  const pruneList = (o.prune ?? 'magnitude,energy-aware').split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== 'none');
  for (const m of pruneList) oneOf(m, '--prune', ['magnitude', 'energy-aware'] as const);
  const pruneMethods = spec.metric === 'energy' && spec.platform !== 'cpu' ? (pruneList as ('magnitude' | 'energy-aware')[]) : [];
  const pruneDrop = numberIn(o.pruneDrop ?? '1', '--prune-drop', 0, 100);
  const checkpoints = (o.checkpoints ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== 'none').map((x) => numberIn(x, '--checkpoints', 0, 1));
  for (const c of checkpoints) if (c <= target || c >= 1) throw new SpecError(CLI, '--checkpoints', `fractions between the target (${target}) and 1`, String(c));
  const designs = new Map([spec, ...also].filter((s) => s.platform !== 'cpu').map((s) => [s.platform, resolveDesign(s.platform, o.ert, loadArchitecture)]));
  const files = ['model.json', 'weights.bin', 'model.onnx', 'report.json', ...(o.html ? ['report.html'] : [])];
  outputTargets({ '--out': o.out }, 'dir', files);
  const dir = ADAPT_MODELS.includes(o.model) ? join(MODELS_DIR, o.model) : o.model;
  const modelFile = join(dir, 'model.json');
  if (!existsSync(modelFile)) throw new SpecError(ADAPT_MODELS.includes(o.model) ? modelFile : o.model, '--model', `${ADAPT_MODELS.join(', ')}, or a directory with model.json (dnnergy train --out)`, 'no model.json');
  // The dataset a model was trained on (its report.json says), unless --data names one.
  let dataName = o.data;
  if (dataName === undefined) {
    try { dataName = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { data?: string }).data; } catch { /* no report: MNIST */ }
  }
  const [{ initTf }, { loadModel, saveModel }, { datasetByName }, { networkOf, onnxValues }, { accuracy }, na, tj, lut, cpu, { exportSequentialOnnx }, { adaptHtml }, { prune }, { modelCost }] = await Promise.all([
    import('../train/backend.js'), import('../train/io.js'), import('../train/datasets.js'), import('../train/network.js'), import('../train/train.js'),
    import('../codesign/netadapt.js'), import('../codesign/netadapt-tfjs.js'), import('../codesign/netadapt-lut.js'), import('../codesign/netadapt-cpu.js'),
    import('../network/onnx/export.js'), import('../codesign/netadapt-report.js'), import('../codesign/prune.js'), import('../codesign/cost.js'),
  ]);
  const dataset = datasetByName(dataName ?? 'mnist');
  const tf = await initTf();
  const model = await loadModel(tf, dir);
  const inShape = model.inputs[0].shape.slice(1), outShape = model.outputs[0].shape;
  if (JSON.stringify(inShape) !== JSON.stringify(dataset.imageShape)) throw new SpecError(modelFile, 'input shape', `an image input ${JSON.stringify(dataset.imageShape)} (${dataset.name})`, JSON.stringify(inShape));
  if (outShape.length !== 2 || outShape[1] !== dataset.classes) throw new SpecError(modelFile, 'output shape', `${dataset.classes} classes (${dataset.name})`, JSON.stringify(outShape.slice(1)));
  const net0 = networkOf(model, modelFile);
  if (na.shrinkableLayers(net0).length === 0) throw new SpecError(modelFile, 'layers', 'a convolution or dense layer before the classifier, whose filters NetAdapt can remove', 'none');

  const silent = quiet(o.json);
  const log = (s: string) => { if (!silent) process.stderr.write(s + '\n'); };
  const t0 = Date.now(), load0 = loadavg()[0];
  // One table per platform; the CPU's timer is io/ort.ts (onnxruntime-node).
  const tables = new Map<string, { table: CostTable; cpu?: CpuSource; model?: ModelSource }>();
  const tableFor = async (s: CostSpec) => {
    let t = tables.get(s.text);
    if (!t) {
      if (s.platform === 'cpu') {
        const { timeInterleaved } = await import('../io/ort.js');
        const source = await cpu.cpuSource((cases, t) => timeInterleaved(cases, { warmup, runs, rounds, optimization: ortLevel, spanMs: t?.spread ? spanMs : 0 }));
        t = { table: lut.costTable(source, { cpu: cpuMs }), cpu: source };
      } else {
        // The original network's layers are the anchors: their shapes get the full search, the variants a short one from there.
        const model = lut.modelSource(designs.get(s.platform)!, { metric: s.metric, evaluations, seed, platform: designs.get(s.platform)!.name, anchors: net0.layers, variantEvaluations });
        t = { table: lut.costTable(model, { cpu: cpuMs }), model };
      }
      tables.set(s.text, t);
    }
    return t;
  };
  const main = await tableFor(spec);
  const trainSet = dataset.load('train');
  const holdout = dataset.load('validation', 0, holdoutImages);
  const test = dataset.load('test', 0, testImages);
  const adaptable: Adaptable<tfType.LayersModel> = tj.tfjsAdaptable(tf, { train: trainSet, holdout, learningRate: lr });
  log(`NetAdapt of ${net0.name} (${dataset.name}) to ${target} of its ${spec.text} cost`);
  const bar = progressBar('iteration {it} {bar} cost {ratio} of original | {layer} → {ch} ch, holdout {acc}%', o.json, { barsize: 20 });
  const original = (await main.table.cost(net0)).total;
  bar?.start(100, 0, { it: 1, ratio: '1.000', layer: '-', ch: '-', acc: '-' });
  const checkpointRows: { target: number; iteration: number; cost: number; ratio: number; holdout_accuracy_short_term: number; holdout_accuracy: number; test_accuracy: number; fine_tune_images: number; channels: Record<string, number> }[] = [];
  const result: NetAdaptResult<tfType.LayersModel> = await na.netAdapt(adaptable, model, main.table, {
    target, initialReduction, decay, granularity, shortTermImages, longTermImages, maxIterations, seed, checkpoints, primeCandidates,
    onCheckpoint: async (c) => {
      checkpointRows.push({
        target: c.target, iteration: c.iteration, cost: c.cost, ratio: c.cost / original, holdout_accuracy_short_term: c.accuracyShortTerm, holdout_accuracy: c.accuracyAfter,
        test_accuracy: await accuracy(tf, c.model, test), fine_tune_images: c.fineTuneImages, channels: na.widths(c.network, na.shrinkableLayers(net0)),
      });
    },
    onProposal: (p) => bar?.update(Math.round(((1 - p.cost / original) / (1 - target)) * 100), { it: p.iteration, ratio: (p.cost / original).toFixed(3), layer: p.layer, ch: p.to, acc: pct(p.accuracy) }),
  });
  bar?.stop();
  const adaptSeconds = (Date.now() - t0) / 1000;

  // Baselines: every layer at α of its width, fine-tuned with the images NetAdapt's kept path used (or --baseline-images).
  const baselineBudget = baselineImages ?? result.fineTuneImages;
  const baselines: { alpha: number; network: Network; cost: number; holdout: number; test: number; model: tfType.LayersModel }[] = [];
  const bbar = progressBar('width multipliers {bar} α = {alpha}', o.json, { barsize: 20 });
  bbar?.start(alphas.length, 0, { alpha: alphas[0] ?? '-' });
  const fresh = await loadModel(tf, dir);
  for (const [i, alpha] of alphas.entries()) {
    const m = await tj.widthMultiplied(adaptable, fresh, alpha, granularity);
    const mine = m === fresh ? await loadModel(tf, dir) : m;
    await adaptable.fineTune(mine, baselineBudget, seed * 7 + i + 1, true);
    const network = adaptable.network(mine);
    baselines.push({ alpha, network, cost: (await main.table.cost(network)).total, holdout: await adaptable.accuracy(mine), test: await accuracy(tf, mine, test), model: mine });
    bbar?.update(i + 1, { alpha });
  }
  bbar?.stop();
  fresh.dispose();

  // Pruning baselines (energy on a design): magnitude and energy-aware pruning of the trained network, priced by the
  // model on the same design, mapper budget and seed (zeros through the sparse engine); each kept step is fine-tuned
  // with the short-term images and the end with the long-term ones, within the images NetAdapt's kept path used.
  const pruned: { method: string; cost: number; ratio: number; cost_with_activations: number; original_cost: number; weight_density: number; holdout: number; test: number; steps: number; kept_steps: number; images: number }[] = [];
  if (pruneMethods.length > 0) {
    const provider = modelCost(designs.get(spec.platform)!, { metric: 'energy', evaluations, seed });
    const nc = await provider.network(net0);
    const dense = nc.at(new Map()).total;
    const finalImages = Math.min(longTermImages, baselineBudget);
    const maxKeptSteps = shortTermImages > 0 ? Math.floor((baselineBudget - finalImages) / shortTermImages) : 0;
    const pbar = progressBar('pruning {method} {bar} step {step}, cost {ratio} of original', o.json, { barsize: 20 });
    for (const method of pruneMethods) {
      const m = await loadModel(tf, dir);
      pbar?.start(Math.max(1, maxKeptSteps), 0, { method, step: 0, ratio: '1.000' });
      let kept = 0;
      const r = await prune(tf, m, nc, { train: trainSet, validation: holdout }, {
        method, maxAccuracyDrop: pruneDrop, seed, stepImages: shortTermImages, finalImages, learningRate: lr, firstStep: 0.5, minStep: 0.05,
        targetCost: dense * target, maxKeptSteps,
        onStep: (st) => { if (st.accepted) kept++; pbar?.update(kept, { method, step: st.step, ratio: (st.energy / dense).toFixed(3) }); },
      });
      pbar?.stop();
      const weights = nc.layers.reduce((a, l) => a + l.weights, 0);
      const density = nc.layers.reduce((a, l) => a + l.weights * (r.densities.get(l.name) ?? 1), 0) / weights;
      const cost = nc.at(r.densities).total;
      pruned.push({
        method, cost, ratio: cost / dense, cost_with_activations: nc.at(r.densities, r.activations).total, original_cost: dense, weight_density: density,
        holdout: r.validation.after, test: await accuracy(tf, m, test), steps: r.steps.length, kept_steps: kept, images: kept * shortTermImages + finalImages,
      });
      m.dispose();
    }
  }

  // Every network on every platform asked for; the CPU also times whole networks against the table's sum.
  const widthsOf = (n: Network) => na.widths(n, na.shrinkableLayers(net0));
  const nets: { name: string; network: Network; model: tfType.LayersModel }[] = [
    { name: 'original', network: net0, model: await loadModel(tf, dir) },
    { name: 'netadapt', network: result.network, model: result.model },
    ...baselines.map((b) => ({ name: `width ${b.alpha}`, network: b.network, model: b.model })),
  ];
  const platforms: Record<string, Record<string, { table: number; measured_ms?: number; noise?: number; round_spread?: number; prediction_error?: number }>> = {};
  for (const s of [spec, ...also]) {
    const t = await tableFor(s);
    const rows: (typeof platforms)[string] = {};
    // The CPU times the whole networks together, interleaved and spread as a primed batch is.
    const measured = t.cpu ? await t.cpu.measureAll(nets.map((n) => ({ net: n.network, values: onnxValues(n.model, n.network) }))) : [];
    for (const [i, n] of nets.entries()) {
      const predicted = (await t.table.cost(n.network)).total;
      const w = measured[i];
      rows[n.name] = w ? { table: predicted, measured_ms: w.medianMs, noise: w.noise, round_spread: w.roundSpread ?? 1, prediction_error: predicted / w.medianMs - 1 } : { table: predicted };
    }
    platforms[s.text] = rows;
  }
  const testAfter = await accuracy(tf, result.model, test), testBefore = await accuracy(tf, nets[0].model, test);
  const stats = Object.fromEntries([...tables].map(([k, t]) => [k, t.table.stats()]));
  // Timings are not part of --json (byte-stable for a seed); report.json records them.
  const timings = {
    seconds_adapt: adaptSeconds, seconds_total: (Date.now() - t0) / 1000, load_average_start: load0, load_average_end: loadavg()[0],
    tables: Object.fromEntries([...tables].map(([k, t]) => [k, { ms_per_entry: t.table.stats().msPerEntry, cpu_ms_per_entry: t.table.stats().cpuMsPerEntry, cpu_ms_total: t.table.stats().cpuMsTotal, ...(t.model ? { searches: t.model.searches() } : {}), ...(t.cpu ? { overhead_ms: t.cpu.overheadMs, median_entry_noise: medianOf(t.cpu.timed.map((e) => e.noise)), median_entry_round_spread: medianOf(t.cpu.timed.map((e) => e.roundSpread ?? 1)) } : {}) }])),
  };
  const report = {
    model: o.model, network: net0.name, data: dataset.name, cost: spec.text, unit: main.table.source.unit, target, seed,
    settings: { granularity, initial_reduction: initialReduction, decay, short_term_images: shortTermImages, long_term_images: longTermImages, holdout_images: holdout.count, test_images: test.count, learning_rate: lr, max_iterations: maxIterations, baseline_images: baselineBudget, evaluations, warmup, runs, rounds, ort_level: ortLevel, prime: primeCandidates, span_s: spanMs / 1000 },
    original: { cost: result.originalCost, holdout_accuracy: result.accuracyBefore, test_accuracy: testBefore, channels: widthsOf(net0) },
    netadapt: {
      cost: result.cost, ratio: result.cost / result.originalCost, target_cost: result.targetCost, stopped: result.stopped, fine_tune_images: result.fineTuneImages,
      holdout_accuracy_short_term: result.accuracyShortTerm, holdout_accuracy: result.accuracyAfter, test_accuracy: testAfter, channels: widthsOf(result.network),
    },
    // The run's first network at or under each intermediate target, long-term fine-tuned as if the run had ended there.
    checkpoints: checkpointRows,
    iterations: result.iterations.map((it: Iteration) => ({
      iteration: it.iteration, budget: it.budget, chosen: it.chosen.layer, from: it.chosen.from, to: it.chosen.to, cost: it.chosen.cost, holdout_accuracy: it.chosen.accuracy, channels: it.channels,
      proposals: it.proposals.map((p) => ({ layer: p.layer, to: p.to, cost: p.cost, holdout_accuracy: p.accuracy })),
    })),
    baselines: baselines.map((b) => ({ alpha: b.alpha, cost: b.cost, ratio: b.cost / result.originalCost, holdout_accuracy: b.holdout, test_accuracy: b.test, channels: widthsOf(b.network) })),
    // Costs from the model's cost provider (codesign/cost.ts: the same design, mapper budget and seed; activations dense as in the table, and as measured).
    pruned: pruned.map((p) => ({
      method: p.method, cost: p.cost, ratio: p.ratio, original_cost: p.original_cost, cost_with_activations: p.cost_with_activations, weight_density: p.weight_density,
      holdout_accuracy: p.holdout, test_accuracy: p.test, steps: p.steps, kept_steps: p.kept_steps, fine_tune_images: p.images,
    })),
    platforms,
    tables: Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, { entries: s.entries, lookups: s.lookups }])),
  };
  const json = JSON.stringify(report, null, 2) + '\n';
  await OutputSet.run(async (out) => {
    await saveModel(tf, result.model, o.out, out);
    out.add(join(o.out, 'model.onnx'), exportSequentialOnnx(result.network, 1, onnxValues(result.model, result.network)));
    out.add(join(o.out, 'report.json'), JSON.stringify({ ...report, timings }, null, 2) + '\n');
    if (o.html) out.add(join(o.out, 'report.html'), adaptHtml(report));
  });
  for (const n of nets) n.model.dispose();
  if (o.json) { process.stdout.write(json); return; }
  const lines = [
    `NetAdapt: ${net0.name} on ${dataset.name}, ${spec.text} (${report.unit}), target ${target}, seed ${seed}`,
    '',
    '| iteration | budget | chosen layer | channels | holdout accuracy | cost |',
    '|---|---|---|---|---|---|',
    `| 0 | | | | ${pct(result.accuracyBefore)}% | ${fmt(result.originalCost)} |`,
    ...result.iterations.map((it) => `| ${it.iteration} | ${fmt(it.budget)} | ${it.chosen.layer} | ${it.chosen.from} → ${it.chosen.to} | ${pct(it.chosen.accuracy)}% | ${fmt(it.chosen.cost)} |`),
    '',
    `stopped: ${result.stopped}; long-term fine-tune: holdout ${pct(result.accuracyShortTerm)}% → ${pct(result.accuracyAfter)}%`,
    `channels: ${Object.entries(widthsOf(result.network)).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '',
    '| network | cost | of original | holdout accuracy | test accuracy |',
    '|---|---|---|---|---|',
    `| original | ${fmt(result.originalCost)} | 1.000 | ${pct(result.accuracyBefore)}% | ${pct(testBefore)}% |`,
    ...checkpointRows.map((c) => `| NetAdapt at ≤ ${c.target} (iteration ${c.iteration}, ${c.fine_tune_images} images) | ${fmt(c.cost)} | ${c.ratio.toFixed(3)} | ${pct(c.holdout_accuracy)}% | ${pct(c.test_accuracy)}% |`),
    `| NetAdapt | ${fmt(result.cost)} | ${(result.cost / result.originalCost).toFixed(3)} | ${pct(result.accuracyAfter)}% | ${pct(testAfter)}% |`,
    ...baselines.map((b) => `| width ${b.alpha} | ${fmt(b.cost)} | ${(b.cost / result.originalCost).toFixed(3)} | ${pct(b.holdout)}% | ${pct(b.test)}% |`),
    ...pruned.map((p) => `| ${p.method} pruning (${pct(p.weight_density)}% weights, ${p.kept_steps} of ${p.steps} steps kept, ${p.images} images) | ${fmt(p.cost)} | ${p.ratio.toFixed(3)} | ${pct(p.holdout)}% | ${pct(p.test)}% |`),
    '',
    ...Object.entries(platforms).flatMap(([p, rows]) => [
      `on ${p}: ` + Object.entries(rows).map(([n, r]) => `${n} ${fmt(r.table)}${r.measured_ms !== undefined ? ` (measured ${r.measured_ms.toFixed(4)} ms, table ${r.prediction_error! >= 0 ? '+' : ''}${pct(r.prediction_error!)}%)` : ''}`).join('; '),
    ]),
    ...Object.entries(stats).map(([k, s]) => {
      const c = tables.get(k)!.cpu;
      const noise = c ? `; call overhead ${c.overheadMs.toFixed(4)} ms, median entry noise ${pct(medianOf(c.timed.map((e) => e.noise)))}% (MAD/median), rounds' medians ${medianOf(c.timed.map((e) => e.roundSpread ?? 1)).toFixed(3)}× apart (median)` : '';
      const m = tables.get(k)!.model?.searches();
      const searches = m ? `; ${m.fullSearches} full searches (${evaluations} evaluations), ${m.variantSearches} variant searches, ${m.fallbacks} fell back` : '';
      return `table ${k}: ${s.entries} entries, ${s.cpuMsPerEntry!.toFixed(2)} ms CPU per entry (${s.msPerEntry.toFixed(2)} ms wall; load average ${timings.load_average_start.toFixed(1)} → ${timings.load_average_end.toFixed(1)})${searches}${noise}`;
    }),
    `time: ${timings.seconds_adapt.toFixed(0)} s NetAdapt, ${timings.seconds_total.toFixed(0)} s in all; wrote ${files.map((f) => join(o.out, f)).join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** The median, 0 for no figures (a table without timed entries). */
function medianOf(xs: number[]): number {
  return xs.length === 0 ? 0 : median(xs);
}
