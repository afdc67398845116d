/**
 * Gradient kernels the tfjs WebAssembly backend lacks or runs slowly: the
 * filter gradient of a 2-D convolution and its input gradient (both as
 * convolutions the backend runs fast), and both gradients of a depthwise
 * convolution (loops in TypeScript over the backend's heap; NHWC). They are
 * checked against finite differences in test/train/kernels.test.ts.
 */
import { backend_util, getKernel, registerKernel, unregisterKernel, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

interface WasmLike {
  readSync(dataId: unknown): backend_util.BackendValues;
  disposeData(dataId: unknown): boolean;
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

/** Run one of the wasm backend's own kernels. */
function run(backend: WasmLike, name: string, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend: backend as never, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/**
 * dW[r,s,c,m] = Σ_n,p,q x[n, p·sh + r·dh − pt, q·sw + s·dw − pl, c] · dy[n,p,q,m].
 *
 * That sum is itself a convolution, which the backend runs fast (XNNPACK):
 * the padded input as [C, H, W, N] (channels as the batch, images as
 * channels) convolved with dy as a [P, Q, N, M] filter dilated by the
 * stride gives [C, R, S, M]. This replaced a loop in TypeScript that made
 * training the six-convolution CNN ~20× slower. With both a stride and a
 * dilation above 1 (which the backend's convolution cannot combine) the
 * direct loop remains.
 */
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
    const { filterHeight: R, filterWidth: S, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: P, outWidth: Q, inHeight: H, inWidth: W } = info;
    if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) return directFilterGradient(b, x, dy, info);
    const pt = info.padInfo.top, pl = info.padInfo.left;
    // Rows and columns the sum reaches, beyond the input on the bottom/right.
    const pb = Math.max(0, (P - 1) * sh + (R - 1) * dh + 1 - H - pt), pr = Math.max(0, (Q - 1) * sw + (S - 1) * dw + 1 - W - pl);
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temps.push(t), t);
    try {
      const xp = pt || pb || pl || pr ? keep(run(b, 'PadV2', { x }, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: 0 })) : x;
      const xt = keep(run(b, 'Transpose', { x: xp }, { perm: [3, 1, 2, 0] }));
      const dyt = keep(run(b, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
      const g = keep(run(b, 'Conv2D', { x: xt, filter: dyt }, { strides: [dh, dw], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw] }));
      // [C, R', S', M] with R' ≥ R: keep the taps the filter has.
      const gs = g.shape[1] === R && g.shape[2] === S ? g : keep(run(b, 'Slice', { x: g }, { begin: [0, 0, 0, 0], size: [g.shape[0], R, S, g.shape[3]] }));
      return run(b, 'Transpose', { x: gs }, { perm: [1, 2, 0, 3] });
    } finally {
      for (const t of temps) b.disposeData(t.dataId);
    }
  },
};

function directFilterGradient(b: WasmLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
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
}

/**
 * The backend's own Conv2DBackpropInput is a direct loop: it took ~80% of
 * a training step of the CNN. For stride 1 the input gradient is a
 * convolution of the padded dy with the filter flipped and its channel axes
 * swapped, which the backend runs fast; other strides keep the backend's
 * kernel.
 */
function fastConv2DBackpropInput(native: KernelConfig): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const b = backend as unknown as WasmLike;
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as { strides: [number, number] | number; pad: 'valid' | 'same' | number; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
      if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') return native.kernelFunc(args);
      const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
      const { filterHeight: R, filterWidth: S, inHeight: H, inWidth: W, outHeight: P, outWidth: Q } = info;
      const top = R - 1 - info.padInfo.top, left = S - 1 - info.padInfo.left;
      const bottom = H + R - 1 - P - top, right = W + S - 1 - Q - left;
      if (info.strideHeight !== 1 || info.strideWidth !== 1 || top < 0 || left < 0 || bottom < 0 || right < 0) return native.kernelFunc(args);
      const temps: TensorInfo[] = [];
      const keep = (t: TensorInfo) => (temps.push(t), t);
      try {
        const dyp = top || bottom || left || right ? keep(run(b, 'PadV2', { x: dy }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })) : dy;
        const flipped = keep(run(b, 'Reverse', { x: filter }, { dims: [0, 1] }));
        const wt = keep(run(b, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }));
        return run(b, 'Conv2D', { x: dyp, filter: wt }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
      } finally {
        for (const t of temps) b.disposeData(t.dataId);
      }
    },
  };
}

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
    if (K === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1) return depthwiseFilterByTaps(b, x, dy, info);
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
    const fast = K === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 ? depthwiseInputByConv(b, dy, filter, info) : undefined;
    if (fast) return fast;
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

/**
 * Stride 1, one filter per channel: the depthwise filter gradient as one
 * tight loop per tap over contiguous channel rows (the generic visitor
 * below took ~95 ms per 64 images of 28×28×16 and made a MobileNet-style
 * network ~10× slower to train).
 */
function depthwiseFilterByTaps(b: WasmLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: R, filterWidth: S, outHeight: P, outWidth: Q, inHeight: H, inWidth: W, batchSize: N, inChannels: C } = info;
  const pt = info.padInfo.top, pl = info.padInfo.left;
  const xs = read(b, x), dys = read(b, dy);
  const acc = new Float64Array(R * S * C);
  for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
    const base = (r * S + s) * C;
    for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) {
      const h = p + r - pt;
      if (h < 0 || h >= H) continue;
      const q0 = Math.max(0, pl - s), q1 = Math.min(Q, W + pl - s);
      for (let q = q0; q < q1; q++) {
        const xi = ((n * H + h) * W + q + s - pl) * C, di = ((n * P + p) * Q + q) * C;
        for (let c = 0; c < C; c++) acc[base + c] += xs[xi + c] * dys[di + c];
      }
    }
  }
  const out = b.makeOutput([R, S, C, 1], 'float32');
  (b.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}

/**
 * Stride 1, one filter per channel: the depthwise input gradient is a
 * depthwise convolution of the padded dy with the filter flipped, which the
 * backend runs fast. Undefined when the padding does not allow it.
 */
function depthwiseInputByConv(b: WasmLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const { filterHeight: R, filterWidth: S, inHeight: H, inWidth: W, outHeight: P, outWidth: Q } = info;
  const top = R - 1 - info.padInfo.top, left = S - 1 - info.padInfo.left;
  const bottom = H + R - 1 - P - top, right = W + S - 1 - Q - left;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return undefined;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const dyp = top || bottom || left || right ? keep(run(b, 'PadV2', { x: dy }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })) : dy;
    const flipped = keep(run(b, 'Reverse', { x: filter }, { dims: [0, 1] }));
    return run(b, 'DepthwiseConv2dNative', { x: dyp, filter: flipped }, { strides: [1, 1], pad: 'valid', dilations: [1, 1] });
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
}

let registered = false;

/** Register the kernels (once). */
export function registerMissingKernels(): void {
  if (registered) return;
  for (const k of [conv2DBackpropFilter, depthwiseBackpropFilter, depthwiseBackpropInput]) registerKernel(k);
  const native = getKernel('Conv2DBackpropInput', 'wasm');
  if (native) {
    unregisterKernel('Conv2DBackpropInput', 'wasm');
    registerKernel(fastConv2DBackpropInput(native));
  }
  registered = true;
}
