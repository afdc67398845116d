/** The gradient kernels written for the wasm backend, against central finite differences. */
import { describe, expect, it } from 'vitest';
import { initTf } from '../../src/train/backend.js';
import { Rng } from '../../src/util/rng.js';

/** Relative error of an analytic gradient against central differences at `samples` random entries (float64 loss sums). */
async function checkGrad(
  f: (t: typeof import('@tensorflow/tfjs'), v: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Scalar,
  shape: number[],
  seed: number,
  samples = 12,
): Promise<number> {
  const tf = await initTf();
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const base = Float32Array.from({ length: n }, () => r.next() * 2 - 1);
  const v = tf.tensor(base, shape);
  const g = (await tf.grad((t: import('@tensorflow/tfjs').Tensor) => f(tf, t))(v).data()) as Float32Array;
  let worst = 0;
  for (let k = 0; k < samples; k++) {
    const i = r.int(n);
    const eps = 1e-2;
    const at = (d: number) => {
      const c = base.slice();
      c[i] += d;
      return f(tf, tf.tensor(c, shape)).dataSync()[0];
    };
    const num = (at(eps) - at(-eps)) / (2 * eps);
    worst = Math.max(worst, Math.abs(num - g[i]) / Math.max(1, Math.abs(num)));
  }
  return worst;
}

describe('wasm gradient kernels vs finite differences', () => {
  it('Conv2DBackpropFilter (stride 1 and 2, same and valid padding)', async () => {
    const tf = await initTf();
    expect(tf.getBackend()).toBe('wasm');
    const r = new Rng(1);
    const x = tf.tensor(Float32Array.from({ length: 2 * 7 * 6 * 3 }, () => r.next() - 0.5), [2, 7, 6, 3]) as import('@tensorflow/tfjs').Tensor4D;
    for (const [stride, pad] of [[1, 'same'], [2, 'valid'], [2, 'same']] as const) {
      const w0 = tf.randomUniform([3, 3, 3, 4], -1, 1, 'float32', 5);
      const out = tf.conv2d(x, w0 as import('@tensorflow/tfjs').Tensor4D, stride, pad);
      const weights = tf.randomUniform(out.shape, -1, 1, 'float32', 7);
      const err = await checkGrad((t, w) => t.sum(t.mul(t.conv2d(x, w as import('@tensorflow/tfjs').Tensor4D, stride, pad), weights)) as import('@tensorflow/tfjs').Scalar, [3, 3, 3, 4], 3);
      expect(err, `stride ${stride} ${pad}`).toBeLessThan(2e-2);
    }
  });

  it('Conv2DBackpropInput (the fast stride-1 path: same and valid, 3×3 and 5×3 filters; stride 2 keeps the native kernel)', async () => {
    const tf = await initTf();
    const r = new Rng(4);
    for (const [stride, pad, kh, kw] of [[1, 'same', 3, 3], [1, 'valid', 5, 3], [1, 'same', 5, 3], [2, 'same', 3, 3]] as const) {
      const w = tf.tensor(Float32Array.from({ length: kh * kw * 3 * 4 }, () => r.next() - 0.5), [kh, kw, 3, 4]) as import('@tensorflow/tfjs').Tensor4D;
      const out = tf.conv2d(tf.zeros([2, 7, 6, 3]) as import('@tensorflow/tfjs').Tensor4D, w, stride, pad);
      const weights = tf.randomUniform(out.shape, -1, 1, 'float32', 11);
      const err = await checkGrad((t, v) => t.sum(t.mul(t.conv2d(v as import('@tensorflow/tfjs').Tensor4D, w, stride, pad), weights)) as import('@tensorflow/tfjs').Scalar, [2, 7, 6, 3], 12);
      expect(err, `stride ${stride} ${pad} ${kh}×${kw}`).toBeLessThan(2e-2);
    }
  });

  it('DepthwiseConv2dNative: filter and input gradients', async () => {
    const tf = await initTf();
    const r = new Rng(2);
    const x = tf.tensor(Float32Array.from({ length: 2 * 6 * 6 * 3 }, () => r.next() - 0.5), [2, 6, 6, 3]) as import('@tensorflow/tfjs').Tensor4D;
    const w = tf.tensor(Float32Array.from({ length: 3 * 3 * 3 * 2 }, () => r.next() - 0.5), [3, 3, 3, 2]) as import('@tensorflow/tfjs').Tensor4D;
    const weights = tf.randomUniform([2, 3, 3, 6], -1, 1, 'float32', 9);
    const errW = await checkGrad((t, v) => t.sum(t.mul(t.depthwiseConv2d(x, v as import('@tensorflow/tfjs').Tensor4D, 2, 'same'), weights)) as import('@tensorflow/tfjs').Scalar, [3, 3, 3, 2], 4);
    const errX = await checkGrad((t, v) => t.sum(t.mul(t.depthwiseConv2d(v as import('@tensorflow/tfjs').Tensor4D, w, 2, 'same'), weights)) as import('@tensorflow/tfjs').Scalar, [2, 6, 6, 3], 6);
    expect(errW).toBeLessThan(2e-2);
    expect(errX).toBeLessThan(2e-2);
  });

  it('DepthwiseConv2dNative, stride 1, one filter per channel (the fast paths): filter and input gradients', async () => {
    const tf = await initTf();
    const r = new Rng(3);
    const x = tf.tensor(Float32Array.from({ length: 2 * 6 * 5 * 4 }, () => r.next() - 0.5), [2, 6, 5, 4]) as import('@tensorflow/tfjs').Tensor4D;
    const w = tf.tensor(Float32Array.from({ length: 3 * 3 * 4 }, () => r.next() - 0.5), [3, 3, 4, 1]) as import('@tensorflow/tfjs').Tensor4D;
    for (const pad of ['same', 'valid'] as const) {
      const out = pad === 'same' ? [2, 6, 5, 4] : [2, 4, 3, 4];
      const weights = tf.randomUniform(out, -1, 1, 'float32', 11);
      const errW = await checkGrad((t, v) => t.sum(t.mul(t.depthwiseConv2d(x, v as import('@tensorflow/tfjs').Tensor4D, 1, pad), weights)) as import('@tensorflow/tfjs').Scalar, [3, 3, 4, 1], 5);
      const errX = await checkGrad((t, v) => t.sum(t.mul(t.depthwiseConv2d(v as import('@tensorflow/tfjs').Tensor4D, w, 1, pad), weights)) as import('@tensorflow/tfjs').Scalar, [2, 6, 5, 4], 7);
      expect(errW).toBeLessThan(2e-2);
      expect(errX).toBeLessThan(2e-2);
    }
  });
});
