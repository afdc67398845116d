/**
 * Gradient kernels the tfjs WebAssembly backend lacks, written in
 * TypeScript over the backend's heap: the filter gradient of a 2-D
 * convolution, and both gradients of a depthwise convolution (NHWC). They
 * are checked against finite differences in test/train/kernels.test.ts.
 */
import { backend_util, registerKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';

interface WasmLike {
  readSync(dataId: unknown): backend_util.BackendValues;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): backend_util.TypedArray;
}

function read(backend: WasmLike, t: TensorInfo): Float32Array {
  return backend.readSync(t.dataId) as Float32Array;
}

function nhwc(dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') throw new Error(`only NHWC is supported, not ${dataFormat}`);
}

/**
 * Visit every (output position, filter tap) pair of a convolution whose
 * input position falls inside the input: `visit(dyIndex, inputIndex, tap)`
 * with dyIndex = ((n·P + p)·Q + q), inputIndex = ((n·H + h)·W + w) and
 * tap = r·S + s. The three gradients are sums over these pairs.
 */
function forEachTap(info: backend_util.Conv2DInfo, visit: (dyIndex: number, inputIndex: number, tap: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: P, outWidth: Q, filterHeight: R, filterWidth: S, strideHeight: sh, strideWidth: sw } = info;
  const dh = info.dilationHeight, dw = info.dilationWidth, pt = info.padInfo.top, pl = info.padInfo.left;
  for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) {
    const dyIndex = (n * P + p) * Q + q;
    for (let r = 0; r < R; r++) {
      const h = p * sh + r * dh - pt;
      if (h < 0 || h >= H) continue;
      for (let s = 0; s < S; s++) {
        const w = q * sw + s * dw - pl;
        if (w < 0 || w >= W) continue;
        visit(dyIndex, (n * H + h) * W + w, r * S + s);
      }
    }
  }
}

/** dW[r,s,c,m] = Σ_n,p,q x[n, p·sh + r·dh − pt, q·sw + s·dw − pl, c] · dy[n,p,q,m]. */
const conv2DBackpropFilter: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmLike;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: [number, number] | number; pad: 'valid' | 'same' | number; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
    };
    nhwc(dataFormat);
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const C = info.inChannels, M = info.outChannels;
    const xs = read(b, x), dys = read(b, dy);
    const out = b.makeOutput([info.filterHeight, info.filterWidth, C, M], 'float32');
    const g = b.typedArrayFromHeap(out) as Float32Array;
    g.fill(0);
    forEachTap(info, (dyi, xi, tap) => {
      for (let c = 0; c < C; c++) {
        const xv = xs[xi * C + c];
        if (xv === 0) continue;
        const row = (tap * C + c) * M;
        for (let m = 0; m < M; m++) g[row + m] += xv * dys[dyi * M + m];
      }
    });
    return out;
  },
};

interface DepthwiseAttrs {
  strides: [number, number] | number; pad: 'valid' | 'same' | number; dilations: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Depthwise filter gradient: dW[r,s,c,k] = Σ x[n, h, w, c] · dy[n,p,q,c·K + k]. */
const depthwiseBackpropFilter: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmLike;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const C = info.inChannels, K = info.outChannels / C;
    const xs = read(b, x), dys = read(b, dy);
    const out = b.makeOutput([info.filterHeight, info.filterWidth, C, K], 'float32');
    const g = b.typedArrayFromHeap(out) as Float32Array;
    g.fill(0);
    forEachTap(info, (dyi, xi, tap) => {
      for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) g[(tap * C + c) * K + k] += xs[xi * C + c] * dys[(dyi * C + c) * K + k];
    });
    return out;
  },
};

/** Depthwise input gradient: dX[n,h,w,c] = Σ dy[n,p,q,c·K + k] · W[r,s,c,k] over the taps that reach (h,w). */
const depthwiseBackpropInput: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmLike;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
    const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const C = info.inChannels, K = info.outChannels / C;
    const dys = read(b, dy), ws = read(b, filter);
    const out = b.makeOutput([info.batchSize, info.inHeight, info.inWidth, C], 'float32');
    const g = b.typedArrayFromHeap(out) as Float32Array;
    g.fill(0);
    forEachTap(info, (dyi, xi, tap) => {
      for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) g[xi * C + c] += dys[(dyi * C + c) * K + k] * ws[(tap * C + c) * K + k];
    });
    return out;
  },
};

let registered = false;

/** Register the kernels (once). */
export function registerMissingKernels(): void {
  if (registered) return;
  for (const k of [conv2DBackpropFilter, depthwiseBackpropFilter, depthwiseBackpropInput]) registerKernel(k);
  registered = true;
}
