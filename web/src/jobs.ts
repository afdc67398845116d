/**
 * What the explorer asks the engine to do, as plain (structured-cloneable)
 * jobs, and the function that does them. The worker runs `runJob`; when no
 * worker can start (a page opened from file://), the page runs it in its own
 * thread. Everything here goes through `src/index.ts`: the CLI's engine.
 */
import {
  analyzeNetwork, builtinArch, compareDataflows, describeMapping, designFromDocuments, documentsFromText, evaluate, importOnnx,
  chooseConvention, layerWorkload, loadArchitectureInputs, loadModelInputs, mapLayer, networkReportToJSON, rowStationary, zooNetwork, zooNames,
  constraintsFrom, SpecError, ISCA16_DATAFLOWS,
  type Design, type Network, type Objective, type Result, type EnergyTable, type Arch, type Pool,
} from '../../src/index.js';
import type { BuiltinArch } from '../../src/index.js';

/** A network: from the zoo, or an ONNX file's bytes. */
export type NetSpec =
  | { readonly kind: 'zoo'; readonly name: string }
  | { readonly kind: 'onnx'; readonly name: string; readonly bytes: Uint8Array; readonly inputShape?: readonly [number, number, number] };

/** The editable parameters of a row-stationary design (the eyeriss built-in's shape). */
export interface RsParams {
  rows: number; cols: number; psumWords: number; weightWords: number; ifmapWords: number; bufferWords: number; blockWords: number;
  clockMHz: number;
  /** DRAM words per cycle; 0 = unlimited (the built-in's). */
  dramBandwidth: number;
  /** Energy per action, normalised to a MAC (per 16-bit word for storage). */
  eMac: number; eRf: number; eArray: number; eBuffer: number; eDram: number;
}

/** A design: a built-in (optionally with edited parameters) or Timeloop architecture files (+ ERT). */
export type DesignSpec =
  | { readonly kind: 'builtin'; readonly name: string; readonly params?: RsParams }
  | { readonly kind: 'files'; readonly files: readonly { readonly name: string; readonly text: string }[] };

/** The mapper settings a link reproduces. */
export interface RunOpts {
  readonly seed: number; readonly evaluations: number; readonly batch: number; readonly objective: Objective;
  /** Independent searches per layer shape (the CLI's --threads): part of the answer, not only of the speed. */
  readonly threads: number;
}

/** Where a job's searches run when there are several: a pool the caller makes and ends. */
export type PoolMaker = (size: number) => Pool & { close(): void };

export type Job =
  | { readonly type: 'analyze'; readonly net: NetSpec; readonly design: DesignSpec; readonly opts: RunOpts }
  | { readonly type: 'layer'; readonly net: NetSpec; readonly design: DesignSpec; readonly opts: RunOpts; readonly layer: number }
  | { readonly type: 'dataflows'; readonly network: string; readonly opts: RunOpts }
  | { readonly type: 'yaml'; readonly files: readonly { readonly name: string; readonly text: string }[]; readonly opts: RunOpts };

/** One row of a layer's per-level table. */
export interface LevelRow { name: string; instances: number; used: number; energy: number; cycles: number; tensors: { name: string; reads: number; fills: number; updates: number; energy: number }[] }

export interface LayerDetail { name: string; loopNest: string; energy: number; cycles: number; utilization: number; macs: number; levels: LevelRow[]; source: 'mapped' | 'given' }

export interface AnalyzeOut { json: AnalyzeJSON; design: { name: string; description: string; clockHz: number; warnings: readonly string[]; yaml: DesignDoc } }

/** The fields of `networkReportToJSON` the page reads (the whole object is kept for the download). */
export interface AnalyzeJSON {
  network: string; arch: string; batch: number; energy_unit: string;
  totals: { macs: number; energy: number; energy_per_mac: number; cycles: number; frames_per_second: number; dram_accesses_per_mac: number; distinct_shapes_mapped: number };
  layers: { name: string; kind: string; modelled: boolean; op?: string; macs?: number; energy?: number; cycles?: number; utilization?: number; dram_accesses_per_mac?: number; energy_by_level?: Record<string, number>; energy_by_tensor?: Record<string, number> }[];
}

export interface DataflowOut { dataflow: string; conv: { perMac: Record<string, number>; dramPerMac: number }; fc: { perMac: Record<string, number>; dramPerMac: number } }

/** The design as a plain document (the page writes it as YAML). */
export interface DesignDoc { [k: string]: unknown }

/** Progress of a job: work done of total (layers). */
export type Progress = (done: number, total: number) => void;

/** The parameters the eyeriss built-in was made with, read back from it (so the page never copies its numbers). */
export function rsDefaults(b: BuiltinArch): RsParams {
  const s = b.arch.storage;
  const level = (n: string) => s.find((l) => l.name === n)!;
  const e = (n: string, a: string) => b.energy.components.get(n)![a];
  const blk = level('shared_glb').blockSize;
  return {
    rows: b.arch.compute.meshY, cols: b.arch.compute.meshX,
    psumWords: level('psum_spad').sizeWords!, weightWords: level('weights_spad').sizeWords!, ifmapWords: level('ifmap_spad').sizeWords!,
    bufferWords: level('shared_glb').sizeWords!, blockWords: blk, clockMHz: b.clockHz / 1e6, dramBandwidth: 0,
    eMac: e('mac', 'compute'), eRf: e('psum_spad', 'read'), eArray: e('psum_spad', 'write') - e('psum_spad', 'read'),
    eBuffer: e('shared_glb', 'read') / blk, eDram: e('DRAM', 'read') / blk,
  };
}

function sameParams(a: RsParams, b: RsParams): boolean {
  return (Object.keys(a) as (keyof RsParams)[]).every((k) => a[k] === b[k]);
}

/** A row-stationary design with the page's parameters; the built-in itself when none changed. */
function editedDesign(name: string, p: RsParams): Design {
  const base = builtinArch(name);
  if (!base) throw new SpecError('<page>', 'design', `a built-in architecture`, name);
  if (sameParams(p, rsDefaults(base))) return base;
  for (const [k, v] of Object.entries(p)) {
    const whole = k !== 'clockMHz' && !k.startsWith('e') && k !== 'dramBandwidth';
    if (!Number.isFinite(v) || v < 0 || (whole && (!Number.isInteger(v) || v < 1))) {
      throw new SpecError('<page>', `design.${k}`, whole ? 'a whole number ≥ 1' : 'a number ≥ 0', String(v));
    }
  }
  if (p.clockMHz <= 0) throw new SpecError('<page>', 'design.clockMHz', 'a number > 0', String(p.clockMHz));
  const rs = rowStationary({
    name: `${base.name}-edited`, rows: p.rows, cols: p.cols, psumWords: p.psumWords, weightWords: p.weightWords, ifmapWords: p.ifmapWords,
    bufferWords: p.bufferWords, blockWords: p.blockWords, bufferHoldsWeights: false, clockHz: p.clockMHz * 1e6,
    description: `${base.name} with edited parameters`,
  });
  const b = p.blockWords;
  const spad = { read: p.eRf, write: p.eRf + p.eArray, update: p.eRf, leak: 0 };
  const energy: EnergyTable = {
    ...rs.energy,
    components: new Map<string, Record<string, number>>([
      ['psum_spad', spad], ['weights_spad', spad], ['ifmap_spad', spad],
      ['shared_glb', { read: p.eBuffer * b, write: p.eBuffer * b, update: p.eBuffer * b, leak: 0 }],
      ['DRAM', { read: p.eDram * b, write: p.eDram * b, update: p.eDram * b, leak: 0 }],
      ['mac', { compute: p.eMac }],
    ]),
  };
  const bw = p.dramBandwidth > 0 ? p.dramBandwidth : null;
  const arch: Arch = { ...rs.arch, storage: rs.arch.storage.map((l) => (l.name === 'DRAM' ? { ...l, readBandwidth: bw, writeBandwidth: bw } : l)) };
  return { ...rs, arch, energy, constraints: rs.constraints };
}

/** Resolve a design spec (in the worker: a design carries functions, which do not cross). */
export function designOf(d: DesignSpec): Design {
  if (d.kind === 'files') {
    const docs = documentsFromText(d.files).filter((x): x is Extract<typeof x, { kind: 'yaml' }> => x.kind === 'yaml');
    return designFromDocuments(loadArchitectureInputs(docs), d.files.map((f) => f.name));
  }
  if (d.params) return editedDesign(d.name, d.params);
  const b = builtinArch(d.name);
  if (!b) throw new SpecError('<page>', 'design', 'a built-in architecture', d.name);
  return b;
}

/** Resolve a network spec; unknown names and unreadable ONNX are SpecErrors, as in the CLI. */
export function networkOf(n: NetSpec): Network {
  if (n.kind === 'onnx') return importOnnx(n.bytes, n.name, { inputShape: n.inputShape });
  const net = zooNetwork(n.name);
  if (!net) throw new SpecError('<command line>', 'network', `an .onnx file or a zoo network (${zooNames.join(', ')})`, n.name);
  return net;
}

/**
 * The design as a dnnergy-native document (`arch:` with its energies, per block access); add a
 * `workload:` and `dnnergy map` reads it. The clock and the dataflow's constraints are not in
 * the native format: the page writes them as comments.
 */
export function designDoc(d: Design): DesignDoc {
  const a = d.arch;
  const levels = [...a.storage].reverse().map((l) => ({
    name: l.name, class: l.className, ...(l.instances > 1 ? { instances: l.instances, meshX: l.meshX } : {}),
    ...(l.sizeWords !== null ? { size: l.sizeWords } : {}), word_bits: l.wordBits, block_size: l.blockSize,
    ...(l.readBandwidth !== null ? { read_bandwidth: l.readBandwidth } : {}), ...(l.writeBandwidth !== null ? { write_bandwidth: l.writeBandwidth } : {}),
  }));
  return {
    dnnergy: 1,
    arch: {
      name: a.name, levels, compute: { name: a.compute.name, class: a.compute.className, instances: a.compute.instances, meshX: a.compute.meshX, meshY: a.compute.meshY },
      energy: Object.fromEntries(d.energy.components),
    },
  };
}

function levelRows(r: Result): LevelRow[] {
  return r.levels.map((l) => ({
    name: l.name, instances: l.instances, used: l.utilizedInstances, energy: l.energyPJ, cycles: l.cycles,
    tensors: l.dataSpaces.map((t) => ({ name: t.name, reads: t.reads, fills: t.fills, updates: t.updates, energy: t.energyPJ })),
  }));
}

/** Do one job. Errors are thrown as they come (SpecError's message is the CLI's line). */
export async function runJob(job: Job, progress: Progress, makePool?: PoolMaker): Promise<unknown> {
  const pool = makePool && job.opts.threads > 1 ? makePool(job.opts.threads) : undefined;
  try {
    return await runWith(job, progress, pool);
  } finally {
    pool?.close();
  }
}

async function runWith(job: Job, progress: Progress, pool: Pool | undefined): Promise<unknown> {
  const { opts } = job;
  const threads = opts.threads;
  if (job.type === 'analyze') {
    const net = networkOf(job.net);
    const design = designOf(job.design);
    const report = await analyzeNetwork(net, design.arch, design.energy, {
      batch: opts.batch, objective: opts.objective, evaluations: opts.evaluations, seed: opts.seed, threads, pool, constraints: (w) => design.constraints(w),
      source: job.design.kind === 'files' ? job.design.files[0].name : design.name, onLayer: progress,
    });
    const out: AnalyzeOut = {
      json: networkReportToJSON(report, design.clockHz) as AnalyzeJSON,
      design: { name: design.name, description: design.description, clockHz: design.clockHz, warnings: design.warnings, yaml: designDoc(design) },
    };
    return out;
  }
  if (job.type === 'layer') {
    // The same call analyzeNetwork makes for the layer's shape: same seed and budget, same mapping.
    const net = networkOf(job.net);
    const design = designOf(job.design);
    const layer = net.layers[job.layer];
    if (!layer || layer.kind === 'other') throw new SpecError('<page>', 'layer', 'a layer with MACs', String(job.layer));
    const w = layerWorkload(layer, opts.batch);
    const m = await mapLayer(w, design.arch, design.energy, design.constraints(w), {
      objective: opts.objective, seed: opts.seed, evaluations: opts.evaluations, threads, pool, source: job.design.kind === 'files' ? job.design.files[0].name : design.name,
    });
    const detail: LayerDetail = {
      name: layer.name, loopNest: describeMapping(w.dims, design.arch.storage.map((s) => s.name), m.mapping), energy: m.result.energyPJ,
      cycles: m.result.cycles, utilization: m.result.utilization, macs: m.result.computes, levels: levelRows(m.result), source: 'mapped',
    };
    return detail;
  }
  if (job.type === 'dataflows') {
    const net = networkOf({ kind: 'zoo', name: job.network });
    const all = await compareDataflows(net, { batch: opts.batch, objective: opts.objective, evaluations: opts.evaluations, seed: opts.seed, threads, pool, onProgress: progress });
    const out: DataflowOut[] = all.map((s) => ({ dataflow: s.dataflow, conv: { perMac: { ...s.conv.perMac }, dramPerMac: s.conv.dramPerMac }, fc: { perMac: { ...s.fc.perMac }, dramPerMac: s.fc.dramPerMac } }));
    return out;
  }
  // A Timeloop (or native) layer: its own mapping evaluated, or the layer mapped under its constraints.
  const inputs = loadModelInputs(documentsFromText(job.files));
  if (!inputs.energy) throw new SpecError(inputs.files[0], 'ERT', 'energies: an ERT file (a top-level `ERT` section) dropped with the YAML');
  const names = inputs.arch.storage.map((s) => s.name);
  let result: Result;
  let loopNest: string;
  let source: 'mapped' | 'given';
  if (inputs.mapping) {
    // The input's own convention, as `dnnergy model` picks it (v0.3 inputs count as Timeloop of their time).
    result = evaluate(inputs.workload, inputs.arch, inputs.mapping, inputs.energy, { mappingFile: inputs.files[0], convention: chooseConvention(inputs).convention });
    loopNest = describeMapping(inputs.workload.dims, names, inputs.mapping);
    source = 'given';
  } else {
    const c = constraintsFrom(inputs.sections, inputs.workload, inputs.arch);
    progress(0, 1);
    const m = await mapLayer(inputs.workload, inputs.arch, inputs.energy, c, { objective: opts.objective, seed: opts.seed, evaluations: opts.evaluations, threads, pool, source: inputs.files[0], convention: chooseConvention(inputs).convention });
    result = m.result;
    loopNest = describeMapping(inputs.workload.dims, names, m.mapping);
    source = 'mapped';
  }
  progress(1, 1);
  const detail: LayerDetail = {
    name: inputs.workload.name, loopNest, energy: result.energyPJ, cycles: result.cycles, utilization: result.utilization, macs: result.computes,
    levels: levelRows(result), source,
  };
  return detail;
}

export { ISCA16_DATAFLOWS };
