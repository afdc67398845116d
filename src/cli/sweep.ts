/**
 * `dnnergy sweep spec.yaml --out results.db`: every design of a sweep on
 * every network, one layer mapping per job, results into an SQLite store as
 * they arrive; a rerun skips what the store holds. Jobs run on local
 * threads (the Pool seam) or, with `--queue redis://…`, on a BullMQ queue
 * that `dnnergy worker` processes take. `dnnergy sweep report results.db`
 * prints or draws the Pareto fronts.
 */
import { basename } from 'node:path';
import { readBinaryFile, readTextFile, OutputSet } from '../io/files.js';
import { persistentThreadPool } from '../io/persistentPool.js';
import { checkRedis, produce } from '../io/queue.js';
import { SweepStore, type JobRow } from '../io/sweepStore.js';
import { importOnnx } from '../network/onnx/import.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { shapeKey, type Network } from '../network/network.js';
import { SpecError } from '../spec/errors.js';
import { aggregate, type DesignNetworkTotals } from '../sweep/aggregate.js';
import { designLabel } from '../sweep/design.js';
import { planSweep, type SweepJob, type SweepNetwork } from '../sweep/jobs.js';
import { formatSweepReport, sweepHtml, sweepReport, sweepSvg, type SweepData, type SweepReport } from '../sweep/report.js';
import { designSpace, type BaseFiles } from '../sweep/space.js';
import { parseSweepSpec, type SweepSpec } from '../sweep/spec.js';
import { runSweepJob, type LayerOutcome } from '../sweep/task.js';
import { onnxImportFlags, outputTargets, threadsFlag } from './flags.js';
import { progressBar } from './progress.js';

/** Flags of `dnnergy sweep`. */
export interface SweepOpts { out?: string; threads: string; queue?: string; json?: boolean }
/** Flags of `dnnergy sweep report`. */
export interface SweepReportOpts { html?: string; svg?: string; json?: boolean }

/** Results are written to the store at most this often while a sweep runs (and at the end, and on Ctrl-C). */
export const FLUSH_MS = 1000;

function readNetworks(s: SweepSpec): SweepNetwork[] {
  const names = new Set<string>();
  return s.networks.map((n, i) => {
    let net: Network | undefined;
    if (n.onnx !== undefined) net = importOnnx(readBinaryFile(n.onnx), n.onnx, onnxImportFlags({ inputShape: n.inputShape }));
    else {
      net = zooNetwork(n.zoo!);
      if (!net) throw new SpecError(s.file, `networks[${i}]`, `a zoo network (${zooNames.join(', ')}) or an .onnx file`, n.zoo);
    }
    let layers = net.layers;
    if (n.layers) {
      for (const [k, name] of n.layers.entries()) if (!layers.some((l) => l.name === name)) throw new SpecError(s.file, `networks[${i}].layers[${k}]`, `a layer of ${net.name}`, name);
      layers = layers.filter((l) => n.layers!.includes(l.name));
    }
    let name = n.onnx !== undefined ? basename(n.onnx).replace(/\.onnx$/i, '') : net.name;
    if (names.has(name)) name = `${name}#${i}`;
    names.add(name);
    return { name, batch: n.batch, layers };
  });
}

function baseFiles(s: SweepSpec): BaseFiles | undefined {
  if (typeof s.base === 'string') return undefined;
  return {
    files: s.base.files.map((f) => ({ name: f, text: readTextFile(f) })),
    ...(s.base.ert ? { ert: { name: s.base.ert, text: readTextFile(s.base.ert) } } : {}),
  };
}

function toRow(o: LayerOutcome, job: SweepJob): JobRow {
  const shape = shapeKey(job.layer);
  return o.ok
    ? { key: o.key, ok: true, energy: o.energy, cycles: o.cycles, macs: o.macs, dramAccesses: o.dramAccesses, utilization: o.utilization, evaluated: o.evaluated, shape, designLabel: designLabel(job.design) }
    : { key: o.key, ok: false, error: o.error, shape, designLabel: designLabel(job.design) };
}

function fromRow(r: JobRow): LayerOutcome {
  return r.ok
    ? { key: r.key, ok: true, energy: r.energy!, cycles: r.cycles!, macs: r.macs!, dramAccesses: r.dramAccesses!, utilization: r.utilization!, evaluated: r.evaluated! }
    : { key: r.key, ok: false, error: r.error! };
}

/** The report data a store holds: totals of every (design, network) whose layers are all answered. */
export function storeData(store: SweepStore): SweepData {
  const meta = store.meta();
  const designs = store.designs();
  const networks = store.networks();
  const layers = store.layers();
  const jobs = store.jobs();
  const totals: DesignNetworkTotals[] = aggregate(designs.map((d) => ({ index: d.design, clockHz: d.clockHz })), networks, layers.map((l) => ({ design: l.design, network: l.network, layerName: l.layer, job: l.job })), (k) => {
    const r = jobs.get(k);
    return r ? fromRow(r) : undefined;
  });
  const keys = new Set(layers.map((l) => l.job));
  return {
    meta: {
      name: meta.name ?? 'sweep', base: meta.base ?? '', objective: meta.objective ?? '', evaluations: Number(meta.evaluations ?? 0), seed: Number(meta.seed ?? 0),
      energyUnit: meta.energy_unit ?? '', areaUnit: meta.area_unit ?? '', areaSource: meta.area_source ?? '', jobs: keys.size, jobsDone: [...keys].filter((k) => jobs.has(k)).length,
      parameters: JSON.parse(meta.parameters ?? '[]') as string[],
    },
    designs: designs.map((d) => ({ index: d.design, key: d.key, label: d.label, params: JSON.parse(d.params) as Record<string, never>, area: d.area })),
    networks: networks.map((n) => ({ index: n.network, name: n.name, batch: n.batch })),
    totals,
  };
}

/** The report JSON text (stable: the same store contents, the same bytes). */
export function reportJson(r: SweepReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** Run `dnnergy sweep`. */
export async function runSweep(specFile: string, opts: SweepOpts): Promise<void> {
  if (opts.out === undefined) throw new SpecError('<command line>', '--out', 'the results store, e.g. --out results.db');
  const o = { ...opts, out: opts.out };
  outputTargets({ '--out': o.out });
  const spec = parseSweepSpec(readTextFile(specFile), specFile);
  const threads = threadsFlag(o.threads);
  if (o.queue !== undefined) await checkRedis(o.queue);
  const networks = readNetworks(spec);
  const space = designSpace(spec, baseFiles(spec));
  for (const w of space.warnings) process.stderr.write(`warning: ${w}\n`);
  const plan = planSweep(space.points, networks, spec);
  const store = await SweepStore.open(o.out);
  const energyUnit = space.points[0].design.energy.unit ?? 'pJ';
  store.setSweep(
    {
      name: spec.name, base: typeof spec.base === 'string' ? spec.base : spec.base.files.join(','), objective: spec.objective, evaluations: String(spec.evaluations), seed: String(spec.seed),
      energy_unit: energyUnit, area_unit: space.areaUnit, area_source: space.areaSource, spec: readTextFile(specFile),
      parameters: JSON.stringify([...spec.parameters.keys(), ...spec.derive.map(([k]) => k), ...(spec.equalArea ? [spec.equalArea.solve] : [])]),
    },
    space.points.map((p) => ({ design: p.index, key: p.key, label: designLabel(p.spec), params: JSON.stringify(sortedParams(p.spec.params)), area: p.area.value, clockHz: p.design.clockHz })),
    networks.map((n, i) => ({ network: i, name: n.name, batch: n.batch })),
    plan.refs.map((r) => ({ design: r.design, network: r.network, layerIndex: r.layerIndex, layer: r.layerName, shape: r.shape, job: r.job })),
  );
  store.flush();
  const known = store.jobKeys();
  const todo = plan.jobs.filter((j) => !known.has(j.key));
  const byKey = new Map(plan.jobs.map((j) => [j.key, j]));
  process.stderr.write(`sweep ${spec.name}: ${space.points.length} designs (grid ${space.gridSize}${space.filtered ? `, ${space.filtered} filtered` : ''}${space.infeasibleArea ? `, ${space.infeasibleArea} cannot meet equal_area` : ''}) × ${networks.length} networks = ${plan.refs.length} layers, ${plan.jobs.length} distinct layer jobs; ${plan.jobs.length - todo.length} already in ${o.out}, ${todo.length} to run ${o.queue ? `on the queue at ${o.queue}` : `on ${threads} local worker${threads > 1 ? 's' : ''}`}\n`);

  const bar = progressBar('sweep {bar} {value}/{total} layer jobs | {rate} jobs/s | ETA {eta_formatted}', o.json);
  bar?.start(todo.length, 0, { rate: '-' });
  const t0 = Date.now();
  let done = 0, lastFlush = Date.now();
  const onOutcome = (out: LayerOutcome) => {
    const job = byKey.get(out.key);
    if (!job) return;
    store.putJob(toRow(out, job));
    done++;
    bar?.update(done, { rate: (done / Math.max(0.001, (Date.now() - t0) / 1000)).toFixed(1) });
    if (Date.now() - lastFlush >= FLUSH_MS) { store.flush(); lastFlush = Date.now(); }
  };
  // Ctrl-C: what finished is flushed to the store before exiting; a rerun picks up the rest.
  const onSignal = () => {
    bar?.stop();
    store.flush();
    process.stderr.write(`\nsweep interrupted: ${done} results of this run are in ${o.out}; rerun the same command to continue\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (o.queue !== undefined) {
      await produce<SweepJob, LayerOutcome>(o.queue, todo.map((j) => ({ key: j.key, data: j })), (_k, r) => onOutcome(r), { log: (l) => process.stderr.write(`${l}\n`) });
    } else await runLocal(todo, threads, onOutcome);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    bar?.stop();
    store.flush();
  }
  const seconds = (Date.now() - t0) / 1000;
  const data = storeData(store);
  const report = sweepReport(data);
  store.setResults(resultRows(data, report));
  store.flush();
  store.close();
  if (o.json) { process.stdout.write(reportJson(report)); return; }
  process.stdout.write(formatSweepReport(report));
  process.stdout.write(`\n${todo.length} layer jobs in ${seconds.toFixed(1)} s (${(todo.length / Math.max(seconds, 1e-3)).toFixed(2)} jobs/s); results in ${o.out} (dnnergy sweep report ${o.out} --html front.html)\n`);
}

function sortedParams(p: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]]));
}

function resultRows(d: SweepData, r: SweepReport): Parameters<SweepStore['setResults']>[0] {
  const area = new Map(d.designs.map((x) => [x.index, x.area]));
  const front = new Set(r.networks.flatMap((n, i) => n.front.map((x) => `${x}/${d.networks[i].index}`)));
  return d.totals.map((t) => ({ ...t, area: area.get(t.design)!, pareto: front.has(`${t.design}/${t.network}`) }));
}

/**
 * Jobs on this machine: one thread runs them in this thread; more run on a
 * persistent pool, one more job in flight than threads so that this
 * thread's part of a layer (validation, evaluation, the bound) overlaps
 * the searches.
 */
async function runLocal(jobs: readonly SweepJob[], threads: number, onOutcome: (o: LayerOutcome) => void): Promise<void> {
  if (threads === 1) {
    for (const j of jobs) {
      onOutcome(await runSweepJob(j));
      // Let a signal or the progress bar in between layers.
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  const pool = persistentThreadPool(threads);
  try {
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) onOutcome(await runSweepJob(jobs[next++], pool));
    };
    await Promise.all(Array.from({ length: Math.min(jobs.length, threads + 1) }, lane));
  } finally {
    await pool.close();
  }
}

/** Run `dnnergy sweep report`. */
export async function runSweepReport(db: string, o: SweepReportOpts): Promise<void> {
  outputTargets({ '--html': o.html, '--svg': o.svg });
  readBinaryFile(db);
  const store = await SweepStore.open(db);
  const report = sweepReport(storeData(store));
  store.close();
  await OutputSet.run((out) => {
    if (o.html) out.add(o.html, sweepHtml(report));
    if (o.svg) out.add(o.svg, sweepSvg(report));
  });
  process.stdout.write(o.json ? reportJson(report) : formatSweepReport(report));
}
