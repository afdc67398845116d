/**
 * `dnnergy worker --queue redis://host:port`: take sweep jobs from the
 * queue until stopped (SIGINT/SIGTERM: the jobs running finish first).
 * The searches run on worker threads, so this thread stays free to renew
 * the jobs' locks while they run.
 */
import { persistentThreadPool } from '../io/persistentPool.js';
import { checkRedis, consume } from '../io/queue.js';
import type { SweepJob } from '../sweep/jobs.js';
import { runSweepJob, type LayerOutcome } from '../sweep/task.js';
import { threadsFlag, wholeNumber } from './flags.js';

/** Flags of `dnnergy worker`. */
export interface WorkerOpts { queue: string; threads: string; lockMs: string }

/** Run `dnnergy worker`. */
export async function runWorker(o: WorkerOpts): Promise<void> {
  const threads = threadsFlag(o.threads);
  const lockMs = wholeNumber(o.lockMs, '--lock-ms', 1000);
  await checkRedis(o.queue);
  const pool = persistentThreadPool(threads);
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const w = consume<SweepJob, LayerOutcome>(o.queue, (job) => runSweepJob(job, pool), { concurrency: threads, lockMs, log });
  log(`worker: taking jobs from ${o.queue} on ${threads} thread${threads > 1 ? 's' : ''} (pid ${process.pid})`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await w.close();
  await pool.close();
  log(`worker: stopped after ${w.done()} jobs`);
}
