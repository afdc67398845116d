/**
 * A `Pool` on Node worker threads: up to `size` workers, started per run,
 * each taking the next job when it is done; results in job order. Any
 * failure in a worker rejects the run and stops the others.
 */
import { Worker } from 'node:worker_threads';
import type { Pool, PoolTask } from '../util/pool.js';

/**
 * Where the worker script is: compiled JavaScript next to this module, or
 * the tsx bootstrap when running from the sources. DNNERGY_WORKER_URL lets
 * a bundled build (the benchmarks) point at its own bundled worker.
 */
function workerUrl(): URL {
  if (process.env.DNNERGY_WORKER_URL) return new URL(process.env.DNNERGY_WORKER_URL);
  return import.meta.url.endsWith('.ts') ? new URL('./worker.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);
}

/** A pool of `size` worker threads (at least 1). */
export function threadPool(size: number): Pool {
  const n = Math.max(1, Math.floor(size));
  return {
    size: n,
    run<J, R>(task: PoolTask<J, R>, jobs: readonly J[], onProgress?: (job: number, done: number) => void): Promise<R[]> {
      if (jobs.length === 0) return Promise.resolve([]);
      return new Promise<R[]>((resolve, reject) => {
        const results = new Array<R>(jobs.length);
        const workers: Worker[] = [];
        let next = 0, finished = 0, failed = false;
        const fail = (e: Error) => {
          if (failed) return;
          failed = true;
          for (const w of workers) void w.terminate();
          reject(e);
        };
        const feed = (w: Worker) => {
          if (next >= jobs.length) { w.postMessage({ type: 'stop' }); return; }
          const id = next++;
          w.postMessage({ type: 'job', id, task: task.name, job: jobs[id] });
        };
        for (let i = 0; i < Math.min(n, jobs.length); i++) {
          const w = new Worker(workerUrl());
          workers.push(w);
          w.on('message', (msg: { type: string; id: number; done?: number; result?: R; name?: string; message?: string; stack?: string }) => {
            if (msg.type === 'progress') onProgress?.(msg.id, msg.done!);
            else if (msg.type === 'result') {
              results[msg.id] = msg.result!;
              if (++finished === jobs.length) {
                for (const x of workers) x.postMessage({ type: 'stop' });
                resolve(results);
              } else feed(w);
            } else if (msg.type === 'error') {
              // Same name and message as in the worker, so callers handle it as if it ran here.
              const e = new Error(msg.message);
              e.name = msg.name ?? 'Error';
              e.stack = `${e.name}: ${msg.message}\n    in pool task ${task.name}, job ${msg.id}:\n${msg.stack ?? ''}`;
              fail(e);
            }
          });
          w.on('error', fail);
          w.on('exit', (code) => { if (code !== 0 && finished < jobs.length) fail(new Error(`pool worker exited with code ${code}`)); });
          feed(w);
        }
      });
    },
  };
}
