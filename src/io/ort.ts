/**
 * Real latency on this machine: an ONNX model run by onnxruntime-node on its
 * CPU execution provider, one intra-op and one inter-op thread (the machine
 * is shared; one thread also makes the figure a single core's). Each model
 * is warmed up, then run many times; the median is the latency, and the
 * spread (median absolute deviation over the median) is the noise. The
 * machine is shared: a burst of other work during one entry's few
 * milliseconds would stay in the table for good, so the runs are made in
 * rounds (a fresh session each) and the round with the lowest median counts.
 */
import { createRequire } from 'node:module';

/** A timing: median and spread of `runs` runs after `warmup`, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  /** Median absolute deviation over the median: the run-to-run noise. */
  readonly noise: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly runs: number;
  /** Medians of the rounds, highest over lowest: how much other load moved the figure. */
  readonly roundSpread: number;
}

/** How many runs to time and to discard first. */
export interface TimingOptions {
  readonly warmup: number;
  readonly runs: number;
  /** Rounds of warm-up and runs; the lowest median counts (default 3). */
  readonly rounds?: number;
  /**
   * onnxruntime's graph optimisation level (default 'extended': fusions but
   * no NCHWc layout change, which would put a reorder at every isolated
   * layer's edges that a whole network pays only once).
   */
  readonly optimization?: 'basic' | 'extended' | 'all';
}

interface OrtTensor { readonly dims: readonly number[] }
interface OrtSession { run(feeds: Record<string, OrtTensor>): Promise<unknown>; release?(): Promise<void>; readonly inputNames: readonly string[] }
interface Ort {
  InferenceSession: { create(model: Uint8Array, o: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

let ort: Ort | undefined;

function runtime(): Ort {
  ort ??= createRequire(import.meta.url)('onnxruntime-node') as Ort;
  return ort;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Time an ONNX model (bytes) on one input of `dims` (values fixed, so runs are alike). */
export async function timeOnnx(model: Uint8Array, dims: readonly number[], o: TimingOptions): Promise<Timing> {
  let best: Omit<Timing, 'roundSpread'> | undefined;
  const medians: number[] = [];
  for (let r = 0; r < (o.rounds ?? 3); r++) {
    const t = await round(model, dims, o);
    medians.push(t.medianMs);
    if (!best || t.medianMs < best.medianMs) best = t;
  }
  return { ...best!, roundSpread: Math.max(...medians) / Math.min(...medians) };
}

async function round(model: Uint8Array, dims: readonly number[], o: TimingOptions): Promise<Omit<Timing, 'roundSpread'>> {
  const rt = runtime();
  const session = await rt.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: o.optimization ?? 'extended', extra: { session: { set_denormal_as_zero: '1' } } });
  try {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
    const feeds = { [session.inputNames[0]]: new rt.Tensor('float32', data, dims) };
    for (let i = 0; i < o.warmup; i++) await session.run(feeds);
    const ms: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const med = median(ms);
    const sorted = [...ms].sort((a, b) => a - b);
    return { medianMs: med, noise: median(ms.map((x) => Math.abs(x - med))) / med, p10Ms: sorted[Math.floor(0.1 * (ms.length - 1))], p90Ms: sorted[Math.ceil(0.9 * (ms.length - 1))], runs: ms.length };
  } finally {
    await session.release?.();
  }
}
