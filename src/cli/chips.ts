/** `dnnergy chips`: a network on Eyeriss v1 (as built) and Eyeriss v2 side by side. */
import { OutputSet, readBinaryFile, readTextFile } from '../io/files.js';
import { builtinArch } from '../designs/builtin.js';
import { withDramBandwidth } from '../designs/build.js';
import { eyerissV1Compiler } from '../designs/eyeriss.js';
import { eyerissV1Sparsity, type TensorDensities as Densities } from '../designs/eyeriss-v1-sparse.js';
import { eyerissV2Sparsity } from '../designs/eyeriss-v2-sparse.js';
import { importOnnx } from '../network/onnx/import.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { chipsHtml, chipsToJSON, formatChips } from '../report/chips.js';
import { SpecError } from '../spec/errors.js';
import { compareChips, type Chip } from '../studies/chips.js';
import { threadPool } from '../io/threadPool.js';
import { numberIn, objective, positiveNumber, onnxImportFlags, outputTargets, threadsFlag, wholeNumber } from './flags.js';

/** Flags of `dnnergy chips`, as commander hands them over. */
export interface ChipsOpts { network: string; sparse?: string; batch: string; evaluations: string; seed: string; threads: string; objective: string; json?: boolean; convOnly?: boolean; search?: string; dramBandwidth?: string; placement?: string; html?: string; out?: string; inputShape?: string; dim?: string; strict?: boolean }

/** `--sparse weights=0.4,inputs=0.5,outputs=0.5`: one density per tensor role, for every layer. */
export function densitiesFlag(v: string): Densities {
  const d: Record<string, number> = {};
  for (const part of v.split(',')) {
    const [k, x] = part.split('=').map((s) => s.trim());
    if (!['weights', 'inputs', 'outputs'].includes(k) || x === undefined) throw new SpecError('<command line>', '--sparse', 'densities as weights=<0..1>,inputs=<0..1>,outputs=<0..1> (any of them)', v);
    d[k] = numberIn(x, `--sparse ${k}`, 0, 1);
  }
  return { ...(d.weights !== undefined ? { weights: d.weights } : {}), ...(d.inputs !== undefined ? { inputs: d.inputs } : {}), ...(d.outputs !== undefined ? { outputs: d.outputs } : {}) };
}

/**
 * `--sparse`: densities for every layer (`weights=…,inputs=…`), a JSON
 * file of them per layer name (`{"conv2": {"inputs": 0.613}, …}`; a layer
 * it does not name stays dense), or a pruned ONNX file, whose weights'
 * zeros give each of its layers' weight density (matched by layer name).
 */
export function sparseFlag(v: string, read: (file: string) => string = readTextFile, readBinary: (file: string) => Uint8Array = readBinaryFile): (name: string) => Densities | undefined {
  if (/\.onnx$/i.test(v)) {
    const pruned = importOnnx(readBinary(v), v);
    const per = new Map<string, Densities>();
    for (const l of pruned.layers) if (l.kind !== 'other' && l.weightDensity !== undefined) per.set(l.name, { weights: l.weightDensity });
    if (per.size === 0) throw new SpecError(v, '--sparse', 'an ONNX file with its weights (their zeros give the densities)', 'no layer with weight data');
    return (name) => per.get(name);
  }
  if (!/\.json$/i.test(v)) {
    const all = densitiesFlag(v);
    return () => all;
  }
  let parsed: unknown;
  try { parsed = JSON.parse(read(v)); } catch (e) {
    throw new SpecError(v, '', 'a JSON object of densities per layer name', e instanceof Error ? e.message : String(e));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SpecError(v, '', 'a JSON object of densities per layer name', typeof parsed);
  const per = new Map<string, Densities>();
  for (const [layer, x] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof x !== 'object' || x === null) throw new SpecError(v, layer, 'an object {weights?, inputs?, outputs?} of densities in [0, 1]', JSON.stringify(x));
    const o = x as Record<string, unknown>;
    const get = (k: string): number | undefined => {
      const d = o[k];
      if (d === undefined) return undefined;
      if (typeof d !== 'number' || !(d >= 0 && d <= 1)) throw new SpecError(v, `${layer}.${k}`, 'a density in [0, 1]', JSON.stringify(d));
      return d;
    };
    for (const k of Object.keys(o)) if (!['weights', 'inputs', 'outputs'].includes(k)) throw new SpecError(v, `${layer}.${k}`, 'weights, inputs or outputs', k);
    const inputs = get('inputs'), outputs = get('outputs');
    const weights = get('weights');
    per.set(layer, { ...(weights !== undefined ? { weights } : {}), ...(inputs !== undefined ? { inputs } : {}), ...(outputs !== undefined ? { outputs } : {}) });
  }
  return (name) => per.get(name);
}

/** Run `dnnergy chips`. */
export async function runChips(opts: ChipsOpts): Promise<void> {
  outputTargets({ '--out': opts.out, '--html': opts.html });
  const name = opts.network;
  const whole = /\.onnx$/i.test(name) ? importOnnx(readBinaryFile(name), name, onnxImportFlags(opts)) : zooNetwork(name);
  const net = whole && opts.convOnly ? { ...whole, layers: whole.layers.filter((l) => l.kind === 'conv') } : whole;
  if (!net) throw new SpecError('<command line>', '--network', `an .onnx file or a zoo network (${zooNames.join(', ')})`, name);
  for (const w of net.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const densities = opts.sparse === undefined ? undefined : sparseFlag(opts.sparse);
  if (densities && net.layers.every((l) => l.kind === 'other' || densities(l.name) === undefined)) {
    process.stderr.write(`warning: --sparse ${opts.sparse}: no layer of ${net.name} is named there; every layer stays dense\n`);
  }
  const dram = opts.dramBandwidth === undefined ? undefined : opts.dramBandwidth === 'unlimited' ? null : positiveNumber(opts.dramBandwidth, '--dram-bandwidth');
  const chip = (name: string) => (dram === undefined ? builtinArch(name)! : withDramBandwidth(builtinArch(name)!, dram));
  const v1 = chip('eyeriss-v1'), v2 = chip('eyeriss-v2');
  const chips: Chip[] = [
    { design: v1, zeros: 'gate', sparsity: eyerissV1Sparsity(v1), compiler: (w) => eyerissV1Compiler(v1, w) },
    { design: v2, zeros: 'skip', sparsity: eyerissV2Sparsity(v2) },
  ];
  const batch = wholeNumber(opts.batch, '--batch', 1);
  const search = opts.search ?? 'both';
  if (search !== 'both' && search !== 'dense') throw new SpecError('<command line>', '--search', 'both or dense', search);
  const placement = opts.placement ?? 'compiler';
  if (placement !== 'compiler' && placement !== 'search') throw new SpecError('<command line>', '--placement', 'compiler or search', placement);
  const threads = threadsFlag(opts.threads);
  const runs = await compareChips(net, chips, {
    batch, objective: objective(opts.objective), evaluations: wholeNumber(opts.evaluations, '--evaluations', 1), seed: wholeNumber(opts.seed, '--seed', 0),
    threads, pool: threads > 1 ? threadPool(threads) : undefined, sparseRanked: search === 'both', placement, ...(densities ? { densities: (l) => densities(l.name) } : {}),
  });
  const json = JSON.stringify(chipsToJSON(net.name, batch, runs), null, 2) + '\n';
  await OutputSet.run((out) => {
    if (opts.out) out.add(opts.out, json);
    if (opts.html) out.add(opts.html, chipsHtml(net.name, batch, runs));
  });
  process.stdout.write(opts.json ? json : formatChips(net.name, batch, runs));
}
