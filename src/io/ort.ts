/**
 * Real latency on this machine: ONNX models run by onnxruntime-node on its
 * CPU execution provider, one intra-op and one inter-op thread (the machine
 * is shared; one thread also makes the figure a single core's, and makes a
 * model's nodes run one after another on the calling thread). Every model —
 * a table entry's layer models and whole networks alike — gets the same
 * session options. Models are timed round-robin in rounds (see
 * `timeInterleaved`), each round's figure the median of its runs.
 */
import { createRequire } from 'node:module';
import { median, type CaseTiming, type OnnxCase } from '../util/timing.js';

export type { CaseTiming, OnnxCase };

interface OrtTensor { readonly dims: readonly number[] }
interface OrtSession {
  run(feeds: Record<string, OrtTensor>, fetches?: Record<string, OrtTensor>): Promise<unknown>;
  release?(): Promise<void>;
  readonly inputNames: readonly string[];
}
interface Ort {
  InferenceSession: { create(model: Uint8Array, o: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

let ort: Ort | undefined;

function runtime(): Ort {
  ort ??= createRequire(import.meta.url)('onnxruntime-node') as Ort;
  return ort;
}


/** How an interleaved timing runs. */
export interface InterleavedOptions {
  /** Untimed runs of every model before the first round. */
  readonly warmup: number;
  /** Timed runs per model per round; the round's figure is their median. */
  readonly runs: number;
  /**
   * Untimed runs of a model at the start of its every round (default 2):
   * after another model's runs, or an idle wait, a model's first run finds
   * its weights out of cache.
   */
  readonly roundWarmup?: number;
  readonly rounds: number;
  /**
   * Spread the rounds over at least this many ms (idle waits between them;
   * default 0). On this shared machine a model runs for seconds at one speed,
   * then for a fraction of a second ~1.7× faster (the other core idle; the
   * process's CPU time grows as its wall time does, so CPU time does not
   * undo it); a round-robin that lasts a fraction of a second can fall
   * wholly into one phase, and its lowest round then is not the speed that
   * another timing's lowest round saw.
   */
  readonly spanMs?: number;
  /**
   * onnxruntime's graph optimisation level (default 'extended': fusions but
   * no NCHWc layout change, which would put a reorder at every isolated
   * layer's edges that a whole network pays only once).
   */
  readonly optimization?: 'basic' | 'extended' | 'all';
}


/** The session options of every timed model. */
export const ORT_SESSION = (optimization: 'basic' | 'extended' | 'all' = 'extended') => ({
  executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: optimization,
  extra: { session: { set_denormal_as_zero: '1' } },
});

/**
 * Time several models round-robin: every model gets `runs` runs in a round,
 * then the next model, for `rounds` rounds, each model in its own session
 * kept open throughout, so that a burst of other load lands in one round of
 * many models rather than in all runs of one. Only a model's first output is
 * fetched, into a tensor allocated once (ORT's pre-allocated fetches): ORT
 * still runs every node (it does not prune the graph to the fetches), but a
 * run then pays no allocation and copy into JavaScript per output — a whole
 * network's inner tensors never pay it, and a model of k copies of a layer
 * would pay it k times.
 */
export async function timeInterleaved(cases: readonly OnnxCase[], o: InterleavedOptions): Promise<CaseTiming[]> {
  const rt = runtime();
  const open: { session: OrtSession; feeds: Record<string, OrtTensor>; fetches: Record<string, OrtTensor> }[] = [];
  try {
    for (const c of cases) {
      const session = await rt.InferenceSession.create(c.model, ORT_SESSION(o.optimization));
      const n = c.dims.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
      const feeds: Record<string, OrtTensor> = {};
      for (const name of session.inputNames) feeds[name] = new rt.Tensor('float32', data, c.dims);
      const [name, t] = Object.entries(await session.run(feeds) as Record<string, OrtTensor>)[0];
      open.push({ session, feeds, fetches: { [name]: new rt.Tensor('float32', new Float32Array(t.dims.reduce((a, b) => a * b, 1)), t.dims) } });
    }
    for (const s of open) for (let i = 0; i < o.warmup; i++) await s.session.run(s.feeds, s.fetches);
    const out = cases.map(() => ({ roundsMs: [] as number[], noise: 0, best: Infinity }));
    const ms = new Array<number>(o.runs);
    const start = performance.now();
    for (let r = 0; r < o.rounds; r++) {
      const due = start + ((o.spanMs ?? 0) * r) / Math.max(1, o.rounds - 1);
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      for (const [i, s] of open.entries()) {
        for (let j = 0; j < (o.roundWarmup ?? 2); j++) await s.session.run(s.feeds, s.fetches);
        for (let j = 0; j < o.runs; j++) {
          const t0 = process.hrtime.bigint();
          await s.session.run(s.feeds, s.fetches);
          ms[j] = Number(process.hrtime.bigint() - t0) / 1e6;
        }
        const med = median(ms);
        out[i].roundsMs.push(med);
        if (med < out[i].best) { out[i].best = med; out[i].noise = median(ms.map((x) => Math.abs(x - med))) / med; }
      }
    }
    return out.map(({ roundsMs, noise }) => ({ roundsMs, noise }));
  } finally {
    for (const s of open) await s.session.release?.();
  }
}
