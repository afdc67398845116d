/**
 * Save and load tfjs models as files (tfjs format: model.json + weights.bin)
 * without tfjs-node: a save handler that adds both to an output transaction,
 * a load handler that checks model.json and the size of its weights before
 * tfjs sees them (tfjs would fail with a TypeError, or silently read a
 * weights file too long).
 */
import { isAbsolute, join, normalize } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { readInputBytes, type OutputSet } from '../io/files.js';
import { SpecError, describe } from '../spec/errors.js';

/** Add the model's model.json and weights.bin in `dir` to `out` (written when `out` commits). */
export async function saveModel(tf: typeof tfType, model: tfType.LayersModel, dir: string, out: OutputSet): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = artifacts.weightData instanceof ArrayBuffer ? new Uint8Array(artifacts.weightData) : new Uint8Array(0);
    out.add(join(dir, 'weights.bin'), weights);
    const json = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: 'dnnergy',
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    out.add(join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
}

/** Bytes per element of each dtype a weights file may hold (with quantization, the stored one). */
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The manifest's weight groups, checked field by field; their files and the bytes each entry takes. */
function checkManifest(file: string, v: unknown): { paths: string[]; weights: tfType.io.WeightsManifestEntry[]; bytes: number } {
  if (!Array.isArray(v) || v.length === 0) throw new SpecError(file, 'weightsManifest', 'a list of weight groups ({ paths, weights })', describe(v));
  const paths: string[] = [];
  const weights: tfType.io.WeightsManifestEntry[] = [];
  let bytes = 0;
  v.forEach((g: unknown, i) => {
    const at = `weightsManifest[${i}]`;
    if (!isObject(g)) throw new SpecError(file, at, 'a weight group { paths, weights }', describe(g));
    if (!Array.isArray(g.paths) || g.paths.length === 0 || g.paths.some((p) => typeof p !== 'string' || p === '' || isAbsolute(p) || normalize(p).startsWith('..'))) {
      throw new SpecError(file, `${at}.paths`, 'a list of weight file names inside the model folder', describe(g.paths));
    }
    if (!Array.isArray(g.weights)) throw new SpecError(file, `${at}.weights`, 'a list of { name, shape, dtype }', describe(g.weights));
    g.weights.forEach((w: unknown, j) => {
      const wat = `${at}.weights[${j}]`;
      if (!isObject(w)) throw new SpecError(file, wat, 'a weight { name, shape, dtype }', describe(w));
      if (typeof w.name !== 'string') throw new SpecError(file, `${wat}.name`, 'a name', describe(w.name));
      if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) throw new SpecError(file, `${wat}.shape`, 'a list of whole numbers ≥ 0', describe(w.shape));
      const q = w.quantization;
      const dtype = isObject(q) ? q.dtype : w.dtype;
      if (typeof dtype !== 'string' || !(dtype in BYTES)) throw new SpecError(file, `${wat}.${isObject(q) ? 'quantization.dtype' : 'dtype'}`, Object.keys(BYTES).join(', '), describe(dtype));
      bytes += (w.shape as number[]).reduce((a, b) => a * b, 1) * BYTES[dtype];
      weights.push(w as unknown as tfType.io.WeightsManifestEntry);
    });
    paths.push(...(g.paths as string[]));
  });
  return { paths, weights, bytes };
}

/**
 * Load a tfjs layers model from `dir` (model.json and the weight files it
 * names). A model.json that is not a model, a malformed manifest, or weight
 * files whose size differs from what the manifest describes are
 * {@link SpecError}s naming the file and the field.
 */
export async function loadModel(tf: typeof tfType, dir: string): Promise<tfType.LayersModel> {
  const file = join(dir, 'model.json');
  let json: unknown;
  const text = readInputBytes(file).toString('utf8');
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SpecError(file, '', 'a tfjs model.json (JSON)', (e as Error).message.split('\n')[0]);
  }
  if (!isObject(json)) throw new SpecError(file, '', 'a tfjs model.json (a JSON object)', describe(json));
  if (!isObject(json.modelTopology)) throw new SpecError(file, 'modelTopology', 'a tfjs layers model', describe(json.modelTopology));
  const manifest = checkManifest(file, json.weightsManifest);
  const parts = manifest.paths.map((p) => readInputBytes(join(dir, p)));
  const size = parts.reduce((a, b) => a + b.byteLength, 0);
  if (size !== manifest.bytes) {
    const where = manifest.paths.length === 1 ? join(dir, manifest.paths[0]) : manifest.paths.map((p) => join(dir, p)).join(' + ');
    throw new SpecError(where, '', `${manifest.bytes} bytes (the weights model.json's weightsManifest lists)`, `${size} bytes`);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.byteLength; }
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: manifest.weights, weightData: all.buffer }));
  } catch (e) {
    throw new SpecError(file, 'modelTopology', 'a model tfjs can build', (e as Error).message.split('\n')[0]);
  }
}
