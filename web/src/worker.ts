/**
 * The explorer's Web Worker: runs jobs (a whole analysis, one layer's
 * mapping, the dataflow comparison, a Timeloop layer) off the page's
 * thread, posting progress; the page cancels a job by ending the worker.
 * Several searches per layer run on a pool of search workers (pool.ts).
 */
import { runJob, type Job } from './jobs.js';
import { errorMessage } from './errors.js';
import { webWorkerPool } from './pool.js';

self.onmessage = async (ev: MessageEvent<{ id: number; job: Job }>) => {
  const { id, job } = ev.data;
  const post = (x: unknown) => (self as unknown as Worker).postMessage(x);
  try {
    const value = await runJob(job, (done, total) => post({ id, progress: [done, total] }), webWorkerPool);
    post({ id, value });
  } catch (e) {
    post({ id, error: errorMessage(e) });
  }
};
