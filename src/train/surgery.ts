/**
 * Filter removal on a trained tfjs model: a new sequential model with fewer
 * filters (Conv2D), fewer units (Dense) and, after them, fewer input
 * channels in every reader, with the kept weights copied. Which channels
 * survive is given per layer output (the layer names are the network's);
 * a layer that keeps its input's channels (depthwise, pooling, activation)
 * keeps the same ones, and a Dense layer after a Flatten keeps every
 * position of each kept channel (tfjs flattens H·W·C).
 */
import type * as tfType from '@tensorflow/tfjs';
import { SpecError } from '../spec/errors.js';

/** Layer name → indices (ascending) of its output channels that are kept; layers not named keep all or follow their input. */
export type KeptByLayer = ReadonlyMap<string, readonly number[]>;

const FOLLOW = new Set(['DepthwiseConv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Activation', 'Dropout', 'InputLayer', 'ReLU']);

interface PyLayer { class_name: string; config: Record<string, unknown> }

/** `model` with only the kept channels; the original is left as it is. */
export async function removeChannels(tf: typeof tfType, model: tfType.LayersModel, kept: KeptByLayer): Promise<tfType.LayersModel> {
  const json = model.toJSON(null, false) as unknown as { class_name: string; config: { layers: PyLayer[] } };
  if (json.class_name !== 'Sequential') throw new SpecError(model.name, 'model', 'a sequential tfjs model (filter removal follows one chain of layers)', json.class_name);
  const pyLayers = json.config.layers;
  // What each layer reads: the kept input channels (undefined: all) and, after a Flatten, the image it flattened.
  let cur: readonly number[] | undefined;
  let flat: { h: number; w: number; c: number } | undefined;
  const plan: { inKeep?: readonly number[]; outKeep?: readonly number[]; flat?: { h: number; w: number; c: number } }[] = [];
  model.layers.forEach((l, i) => {
    const cls = l.getClassName();
    const inKeep = cur, inFlat = flat;
    let outKeep: readonly number[] | undefined;
    if (cls === 'Conv2D' || cls === 'Dense') {
      outKeep = kept.get(l.name);
      if (outKeep) pyLayers[i].config[cls === 'Conv2D' ? 'filters' : 'units'] = outKeep.length;
      flat = undefined;
    } else if (cls === 'Flatten') {
      const s = (l.input as tfType.SymbolicTensor).shape as number[];
      flat = cur ? { h: s[1], w: s[2], c: s[3] } : undefined;
      outKeep = cur;
    } else if (FOLLOW.has(cls)) {
      outKeep = cur;
    } else {
      throw new SpecError(model.name, `layer ${l.name}`, 'Conv2D, DepthwiseConv2D, Dense, pooling, Flatten, Dropout or Activation', cls);
    }
    plan.push({ inKeep, outKeep, flat: inFlat });
    cur = outKeep;
  });
  const next = await tf.models.modelFromJSON({ modelTopology: json as unknown as tfType.io.ModelJSON['modelTopology'] });
  tf.tidy(() => {
    model.layers.forEach((l, i) => {
      const ws = l.getWeights();
      if (ws.length === 0) return;
      const cls = l.getClassName();
      const { inKeep, outKeep, flat: f } = plan[i];
      // A fresh tensor, not gather's view: the wasm backend keeps the shape a buffer was made with, and its
      // fused convolution refuses a bias whose buffer was made 4-D.
      const pick = (t: tfType.Tensor, idx: readonly number[] | undefined, axis: number) => {
        if (!idx) return t;
        const g = tf.gather(t, tf.tensor1d(idx as number[], 'int32'), axis);
        return tf.tensor(g.dataSync(), g.shape);
      };
      let out: tfType.Tensor[];
      if (cls === 'Conv2D') out = [pick(pick(ws[0], inKeep, 2), outKeep, 3), ...(ws[1] ? [pick(ws[1], outKeep, 0)] : [])];
      else if (cls === 'DepthwiseConv2D') out = [pick(ws[0], inKeep, 2), ...(ws[1] ? [pick(ws[1], inKeep, 0)] : [])];
      else if (cls === 'Dense') {
        const rows = f && inKeep ? Array.from({ length: f.h * f.w }, (_, p) => inKeep.map((c) => p * f.c + c)).flat() : inKeep;
        out = [pick(pick(ws[0], rows, 0), outKeep, 1), ...(ws[1] ? [pick(ws[1], outKeep, 0)] : [])];
      } else out = ws;
      next.layers[i].setWeights(out);
    });
  });
  return next;
}

/** Squared L2 norm of each output filter of a Conv2D or Dense layer (its kernel's last axis). */
export function filterNorms(layer: tfType.layers.Layer): Float64Array {
  const k = layer.getWeights()[0];
  const data = k.dataSync() as Float32Array;
  const out = k.shape[k.shape.length - 1]!;
  const norms = new Float64Array(out);
  for (let i = 0; i < data.length; i++) norms[i % out] += data[i] * data[i];
  return norms;
}
