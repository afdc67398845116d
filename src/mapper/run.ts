/**
 * A mapper run over one or more threads. Thread i searches with its own
 * seed (derived from the run's seed) and an equal share of the evaluation
 * budget; the best result wins, ties going to the lower thread. Same seed
 * and thread count, same answer.
 */
import { Worker } from 'node:worker_threads';
import type { Arch } from '../arch/arch.js';
import type { EnergyPlan } from '../model/cost.js';
import type { AnalysisOptions } from '../model/evaluator.js';
import type { Workload } from '../workload/workload.js';
import type { Constraints } from './constraints.js';
import { MapSpace, type Genome } from './space.js';
import { better, search, type Objective, type SearchStats } from './search.js';

export interface RunOptions {
  readonly objective: Objective;
  readonly seed: number;
  readonly threads: number;
  readonly evaluations: number;
  readonly timeLimitMs?: number;
  readonly analysis?: AnalysisOptions;
  /** Total evaluations done so far across threads. */
  readonly onProgress?: (done: number) => void;
}

export interface RunResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: SearchStats & { threads: number };
}

/** The job one thread does (structured-cloneable). */
export interface ThreadJob {
  readonly w: Workload;
  readonly arch: Arch;
  readonly constraints: Constraints;
  readonly plan: EnergyPlan;
  readonly objective: Objective;
  readonly seed: number;
  readonly evaluations: number;
  readonly timeLimitMs?: number;
  readonly analysis?: AnalysisOptions;
}

export function threadSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

/** Run one thread's search in this thread. */
export function runJob(job: ThreadJob, onProgress?: (done: number) => void): { best: Genome | null; energyPJ: number; cycles: number; stats: SearchStats } {
  const space = new MapSpace(job.w, job.arch, job.constraints);
  return search(job.w, job.arch, space, job.plan, {
    objective: job.objective, seed: job.seed, evaluations: job.evaluations, timeLimitMs: job.timeLimitMs, analysis: job.analysis,
    onProgress: onProgress ? (done) => onProgress(done) : undefined,
  });
}

export async function runMapper(w: Workload, arch: Arch, constraints: Constraints, plan: EnergyPlan, o: RunOptions): Promise<RunResult> {
  // A mapspace small enough to enumerate is enumerated once, on this thread.
  const small = new MapSpace(w, arch, constraints).size() <= o.evaluations;
  const threads = small ? 1 : Math.max(1, Math.floor(o.threads));
  const jobs: ThreadJob[] = [];
  for (let i = 0; i < threads; i++) {
    const share = Math.floor(o.evaluations / threads) + (i < o.evaluations % threads ? 1 : 0);
    jobs.push({ w, arch, constraints, plan, objective: o.objective, seed: threadSeed(o.seed, i), evaluations: share, timeLimitMs: o.timeLimitMs, analysis: o.analysis });
  }
  const done = new Array<number>(threads).fill(0);
  const report = (i: number, d: number) => { done[i] = d; o.onProgress?.(done.reduce((a, b) => a + b, 0)); };
  const t0 = Date.now();
  let results;
  if (threads === 1) results = [runJob(jobs[0], (d) => report(0, d))];
  else {
    results = await Promise.all(jobs.map((job, i) => new Promise<ReturnType<typeof runJob>>((resolve, reject) => {
      // DNNERGY_WORKER_URL lets a bundled build (the benchmarks) use its own bundled worker.
      // Compiled (dist/, or the CLI bundle), the worker is ./worker.js beside this module; from
      // the sources, ./worker.mjs registers tsx first.
      const url = process.env.DNNERGY_WORKER_URL ? new URL(process.env.DNNERGY_WORKER_URL) : new URL(import.meta.url.endsWith('.ts') ? './worker.mjs' : './worker.js', import.meta.url);
      const worker = new Worker(url, { workerData: job });
      worker.on('message', (msg: { type: string; done?: number; result?: ReturnType<typeof runJob> }) => {
        if (msg.type === 'progress') report(i, msg.done!);
        else if (msg.type === 'result') { resolve(msg.result!); void worker.terminate(); }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => { if (code !== 0 && code !== 1) reject(new Error(`mapper thread ${i} exited with ${code}`)); });
    })));
  }
  let best: ReturnType<typeof runJob> | null = null;
  const stats = { evaluated: 0, pruned: 0, timeMs: Date.now() - t0, bestAt: 0, threads, exhaustive: results.every((r) => r.stats.exhaustive) };
  for (const r of results) {
    stats.evaluated += r.stats.evaluated;
    stats.pruned += r.stats.pruned;
    if (r.best && (!best || !best.best || better(o.objective, r.energyPJ, r.cycles, best.energyPJ, best.cycles))) best = r;
  }
  if (best) stats.bestAt = best.stats.bestAt;
  return { best: best?.best ?? null, energyPJ: best?.energyPJ ?? Infinity, cycles: best?.cycles ?? Infinity, stats };
}
