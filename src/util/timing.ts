/**
 * Plain data of a latency measurement, shared by the CPU table source
 * (codesign/netadapt-cpu.ts, core) and the timer that runs the models
 * (io/ort.ts, Node edge), which sit in layers that cannot import each other.
 */

/** A model to time and the input it runs on (batch first). */
export interface OnnxCase {
  readonly model: Uint8Array;
  readonly dims: readonly number[];
}

/** One model's interleaved timing. */
export interface CaseTiming {
  /** Each round's median wall time per run, in ms, in round order. */
  readonly roundsMs: readonly number[];
  /** Median absolute deviation over the median, of the runs of the round with the lowest median. */
  readonly noise: number;
}

/** The median of `xs` (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
