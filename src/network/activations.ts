/**
 * Activations measured on images as actual data for the sparse engine: a
 * layer's input (or output) zero masks, one per image, laid out in the
 * workload's Inputs (or Outputs) ranks so that every tile the engine asks
 * about is counted on the real zeros, pooled over the images.
 *
 * Layout (workload/conv.ts labels): Inputs ranks [N, C, W, H] (then G when
 * grouped; C counts channels per group, the layer's channel is g·C + c), W
 * and H spanning the padded input — the zero border a padded convolution
 * reads is real zeros and is counted; columns and rows past the last window
 * (a stride that does not land on the edge) are not in the workload and are
 * dropped. Outputs ranks [N, M, H, W] (then G). Fully connected layers:
 * Inputs [N, C = features, 1, 1] with the features in the network's C·H·W
 * order (ONNX's Flatten), Outputs [N, M, 1, 1].
 *
 * The images go along N: the workload's batch B takes B images, and the
 * K images (K rounded down to a multiple of B) are K/B batches one after
 * the other on the N rank, so an occupancy table over every aligned tile
 * position is the histogram pooled over all batches — for B = 1 the sum of
 * the per-image histograms.
 */
import type { DensitySpec } from '../sparse/spec.js';
import { rankExtents } from '../sparse/tiles.js';
import type { Workload } from '../workload/workload.js';
import type { ConvLayer, FcLayer } from './network.js';

/**
 * Zero masks of one tensor measured on `images` images: 0/1 bytes,
 * image-major, each image in the network's [C, H, W] order, unpadded (a
 * fully connected layer's input: its features in C·H·W order).
 */
export interface ImageMasks {
  readonly images: number;
  readonly mask: Uint8Array;
}

/** The measured masks of a layer's input and output (after its activation function, as written back). */
export interface ActivationMasks {
  readonly inputs: ImageMasks;
  readonly outputs: ImageMasks;
}

/** Points of one image of a layer's input or output, in the network's [C, H, W]. */
export function imagePoints(layer: ConvLayer | FcLayer, role: 'input' | 'output'): number {
  if (layer.kind === 'fc') return role === 'input' ? layer.inFeatures : layer.outFeatures;
  return role === 'input' ? layer.inC * layer.inH * layer.inW : layer.outC * layer.outH * layer.outW;
}

/**
 * A layer's measured input or output as actual data in the workload's ranks
 * (the layout in the module comment), or null where it does not apply:
 * transposed convolutions, fewer images than the batch, or masks of the
 * wrong size.
 */
export function actualActivations(w: Workload, layer: ConvLayer | FcLayer, role: 'input' | 'output', m: ImageMasks): DensitySpec | null {
  const ds = w.dataSpaces.find((x) => x.role === role);
  if (!ds || (layer.kind === 'conv' && layer.transposed)) return null;
  const per = imagePoints(layer, role);
  if (m.mask.length !== per * m.images) return null;
  const shape = rankExtents(ds, w.bounds);
  const B = shape[0];
  const K = Math.floor(m.images / B) * B;
  if (K === 0) return null;
  shape[0] = K;
  const total = shape.reduce((a, b) => a * b, 1);
  const values = new Uint8Array(total);
  if (layer.kind === 'fc') {
    // [N, C, 1, 1] and [N, M, 1, 1]: the masks' own order.
    values.set(m.mask.subarray(0, total));
  } else if (role === 'input') {
    const G = layer.groups, Cg = layer.inC / G, [, , Wp, Hp] = shape;
    const { inH: H, inW: W, padH, padW } = layer;
    for (let n = 0; n < K; n++) for (let c = 0; c < Cg; c++) for (let x = 0; x < Wp; x++) for (let y = 0; y < Hp; y++) {
      const ix = x - padW, iy = y - padH;
      if (ix < 0 || ix >= W || iy < 0 || iy >= H) continue;
      for (let g = 0; g < G; g++) values[(((n * Cg + c) * Wp + x) * Hp + y) * G + g] = m.mask[((n * layer.inC + g * Cg + c) * H + iy) * W + ix];
    }
  } else {
    const G = layer.groups, Mg = layer.outC / G, [, , Hq, Wq] = shape;
    for (let n = 0; n < K; n++) for (let mm = 0; mm < Mg; mm++) for (let y = 0; y < Hq; y++) for (let x = 0; x < Wq; x++) {
      for (let g = 0; g < G; g++) values[(((n * Mg + mm) * Hq + y) * Wq + x) * G + g] = m.mask[((n * layer.outC + g * Mg + mm) * Hq + y) * Wq + x];
    }
  }
  let nnz = 0;
  for (let i = 0; i < total; i++) if (values[i] !== 0) { values[i] = 1; nnz++; }
  return { distribution: 'actual', density: nnz / total, values, shape };
}
