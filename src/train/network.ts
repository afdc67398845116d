/** A trained tfjs model as a dnnergy network (layer shapes for the cost model). */
import { join } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import type { LayerValues } from '../network/onnx/export.js';
import { NetworkBuilder, type Network } from '../network/network.js';
import { SpecError } from '../spec/errors.js';
import { loadModel } from './io.js';

const pair = (v: unknown): number => (Array.isArray(v) ? Number(v[0]) : Number(v));

/** Sequential models of Conv2D, DepthwiseConv2D, Dense, pooling, Flatten and shape-free layers. */
export function networkOf(model: tfType.LayersModel, source = model.name): Network {
  const shape = model.inputs[0].shape; // [null, H, W, C]
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) throw new SpecError(source, 'input shape', 'an image input [H, W, C] with known sizes', JSON.stringify(shape));
  const b = new NetworkBuilder(model.name, [shape[3]!, shape[1]!, shape[2]!]);
  for (const l of model.layers) {
    const c = l.getConfig() as Record<string, unknown>;
    const cls = l.getClassName();
    const k = pair(c.kernelSize ?? c.poolSize);
    const stride = pair(c.strides ?? c.poolSize ?? 1);
    const pad = (k: number) => (c.padding === 'same' ? Math.floor((k - 1) / 2) : 0);
    const spatial = cls === 'Conv2D' || cls === 'DepthwiseConv2D' || cls === 'MaxPooling2D' || cls === 'AveragePooling2D';
    // 'same' with an even kernel pads one side more than the other (TensorFlow's rule); the network
    // model pads both sides equally, so it would be a different network from the one pruned.
    const ks = c.kernelSize ?? c.poolSize;
    const kh = pair(ks), kw = Array.isArray(ks) ? Number(ks[1] ?? ks[0]) : kh;
    if (spatial && c.padding === 'same' && (kh % 2 === 0 || kw % 2 === 0)) {
      throw new SpecError(source, `${l.name}.padding`, "'valid', or 'same' with an odd kernel (an even one pads unevenly, which is not modelled)", `'same' with kernel ${kh}×${kw}`);
    }
    // Pruning fine-tunes in tfjs, whose WebAssembly backend has no gradient for dilated convolutions.
    const dil = c.dilationRate ?? 1;
    if ((cls === 'Conv2D' || cls === 'DepthwiseConv2D') && (Array.isArray(dil) ? dil : [dil]).some((d) => Number(d) !== 1)) {
      throw new SpecError(source, `${l.name}.dilation_rate`, 'dilation 1 (dilated convolutions cannot be fine-tuned here)', JSON.stringify(dil));
    }
    if (cls === 'Conv2D') {
      if (c.padding === 'same' && stride !== 1) throw new SpecError(source, `${l.name}.padding`, "'valid', or 'same' with stride 1", `'same' with stride ${stride}`);
      b.conv(l.name, Number(c.filters), k, stride, pad(k), 1, pair(c.dilationRate ?? 1));
    } else if (cls === 'DepthwiseConv2D') {
      b.conv(l.name, b.c * Number(c.depthMultiplier ?? 1), k, stride, pad(k), b.c);
    } else if (cls === 'Dense') b.fc(l.name, Number(c.units));
    else if (cls === 'MaxPooling2D' || cls === 'AveragePooling2D') b.pool(l.name, cls === 'MaxPooling2D' ? 'maxpool' : 'avgpool', k, stride, pad(k));
    else if (cls === 'GlobalAveragePooling2D') b.globalPool(l.name);
    else if (cls === 'Flatten' || cls === 'Dropout' || cls === 'Activation' || cls === 'InputLayer') continue;
    else throw new SpecError(source, `layer ${l.name}`, 'Conv2D, DepthwiseConv2D, Dense, pooling, Flatten, Dropout or Activation', cls);
  }
  return b.build();
}

/**
 * The model's trained parameters in ONNX layout, for `exportSequentialOnnx`:
 * tfjs conv kernels [kH, kW, in, out] become [out, in, kH, kW]; a dense
 * kernel [in, out] becomes [out, in], and after a Flatten its inputs are
 * reordered from tfjs's H·W·C to ONNX's C·H·W.
 */
export function onnxValues(model: tfType.LayersModel, net: Network): Map<string, LayerValues> {
  const out = new Map<string, LayerValues>();
  let flattenedFrom: [number, number, number] | null = null;
  // The shape each layer reads, from the network's edges.
  const shapeBefore = new Map<string, [number, number, number]>();
  net.layers.forEach((l, i) => {
    const s = net.tensors.get(net.edges[i].inputs[0])!;
    shapeBefore.set(l.name, [s[0], s[1] ?? 1, s[2] ?? 1]);
  });
  for (const l of model.layers) {
    const cls = l.getClassName();
    const c = l.getConfig() as Record<string, unknown>;
    const act = c.activation === 'relu' ? 'relu' : c.activation === 'softmax' ? 'softmax' : undefined;
    if (cls === 'Flatten') { flattenedFrom = null; continue; }
    const ws = l.getWeights();
    if (cls === 'Conv2D') {
      const k = ws[0].dataSync() as Float32Array;
      const [kH, kW, inC, outC] = ws[0].shape;
      const w = new Float32Array(k.length);
      for (let y = 0; y < kH; y++) for (let x = 0; x < kW; x++) for (let i = 0; i < inC; i++) for (let o = 0; o < outC; o++) {
        w[((o * inC + i) * kH + y) * kW + x] = k[((y * kW + x) * inC + i) * outC + o];
      }
      out.set(l.name, { weight: w, bias: ws[1]?.dataSync() as Float32Array | undefined, activation: act });
    } else if (cls === 'DepthwiseConv2D') {
      // tfjs [kH, kW, C, K] → ONNX [C·K, 1, kH, kW] (group C).
      const k = ws[0].dataSync() as Float32Array;
      const [kH, kW, C, K] = ws[0].shape;
      const w = new Float32Array(k.length);
      for (let y = 0; y < kH; y++) for (let x = 0; x < kW; x++) for (let c = 0; c < C; c++) for (let m = 0; m < K; m++) {
        w[((c * K + m) * kH + y) * kW + x] = k[((y * kW + x) * C + c) * K + m];
      }
      out.set(l.name, { weight: w, bias: ws[1]?.dataSync() as Float32Array | undefined, activation: act });
    } else if (cls === 'Dense') {
      const k = ws[0].dataSync() as Float32Array;
      const [inF, outF] = ws[0].shape;
      const before = shapeBefore.get(l.name);
      flattenedFrom = before && before[1] * before[2] > 1 ? before : null;
      const w = new Float32Array(k.length);
      for (let f = 0; f < inF; f++) {
        // tfjs flattens H·W·C; ONNX's Flatten of NCHW gives C·H·W.
        let src = f;
        if (flattenedFrom) {
          const [C, H, W] = flattenedFrom;
          const ch = Math.floor(f / (H * W)), hw = f % (H * W);
          src = hw * C + ch;
        }
        for (let o = 0; o < outF; o++) w[o * inF + f] = k[src * outF + o];
      }
      out.set(l.name, { weight: w, bias: ws[1]?.dataSync() as Float32Array | undefined, activation: act });
    }
  }
  return out;
}

/**
 * A model directory `dnnergy prune` can work on: loaded (see `loadModel`),
 * an MNIST classifier (the loop fine-tunes and measures on MNIST), and a
 * network the cost model reads. Everything is checked here, before the run.
 */
export async function loadPrunable(tf: typeof tfType, dir: string): Promise<{ model: tfType.LayersModel; net: Network }> {
  const file = join(dir, 'model.json');
  const model = await loadModel(tf, dir);
  const inShape = model.inputs[0].shape.slice(1), outShape = model.outputs[0].shape;
  if (JSON.stringify(inShape) !== '[28,28,1]') throw new SpecError(file, 'input shape', 'an MNIST image input [28, 28, 1]', JSON.stringify(inShape));
  if (outShape.length !== 2 || outShape[1] !== 10) throw new SpecError(file, 'output shape', '10 classes (MNIST digits)', JSON.stringify(outShape.slice(1)));
  return { model, net: networkOf(model, file) };
}
