/**
 * Save and load tfjs models as files (tfjs format: model.json + weights.bin)
 * without tfjs-node: a save handler that writes both atomically, a load
 * handler that reads them back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { writeFileAtomic } from '../io/files.js';
import { SpecError } from '../spec/errors.js';

export async function saveModel(tf: typeof tfType, model: tfType.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = artifacts.weightData instanceof ArrayBuffer ? new Uint8Array(artifacts.weightData) : new Uint8Array(0);
    // Weights first: model.json names the weights file, so it is written last.
    writeFileAtomic(join(dir, 'weights.bin'), weights);
    const json = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: 'dnnergy',
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
}

export async function loadModel(tf: typeof tfType, dir: string): Promise<tfType.LayersModel> {
  const file = join(dir, 'model.json');
  let json: { modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: tfType.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(file, '', 'a tfjs model.json', code === 'ENOENT' ? 'no such file' : (e as Error).message.split('\n')[0]);
  }
  if (!json.modelTopology || !json.weightsManifest?.[0]) throw new SpecError(file, 'modelTopology', 'a tfjs layers model with weights');
  const manifest = json.weightsManifest[0];
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, manifest.paths[0]));
  } catch {
    throw new SpecError(join(dir, manifest.paths[0]), '', 'the weights file named in model.json', 'no such file');
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: manifest.weights, weightData }));
  } catch (e) {
    throw new SpecError(file, 'modelTopology', 'a model tfjs can build', (e as Error).message.split('\n')[0]);
  }
}
