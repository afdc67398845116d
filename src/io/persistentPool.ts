/**
 * A `Pool` on worker threads that outlive a run: many runs at once (a
 * sweep maps several layers concurrently, one search each) share `size`
 * threads, each taking the next job of any run; the threads start on first
 * use and stay until `close()`. Starting a thread costs far more than a
 * small layer's search, which is why `threadPool`'s per-run threads do not
 * suit a sweep. A thread that fails or dies fails the job's run only, and
 * is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { Pool, PoolTask } from '../util/pool.js';

interface Pending {
  readonly task: string;
  readonly job: unknown;
  readonly resolve: (r: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly progress?: (done: number) => void;
}

/** A pool that can be closed. */
export interface ClosablePool extends Pool {
  /** Stop every thread; pending runs are rejected. */
  close(): Promise<void>;
}

function workerUrl(): URL {
  if (process.env.DNNERGY_WORKER_URL) return new URL(process.env.DNNERGY_WORKER_URL);
  return import.meta.url.endsWith('.ts') ? new URL('./worker.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);
}

/** A persistent pool of `size` worker threads (at least 1). */
export function persistentThreadPool(size: number): ClosablePool {
  const n = Math.max(1, Math.floor(size));
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let started = 0, closed = false, nextId = 0;

  const dispatch = () => {
    while (queue.length && !closed) {
      let w = idle.pop();
      if (!w && started < n) w = spawn();
      if (!w) return;
      const p = queue.shift()!;
      busy.set(w, p);
      w.postMessage({ type: 'job', id: nextId++, task: p.task, job: p.job });
    }
  };
  const spawn = (): Worker => {
    started++;
    const w = new Worker(workerUrl());
    const finish = (f: (p: Pending) => void) => {
      const p = busy.get(w);
      busy.delete(w);
      if (p) f(p);
    };
    w.on('message', (msg: { type: string; done?: number; result?: unknown; name?: string; message?: string; stack?: string }) => {
      if (msg.type === 'progress') { busy.get(w)?.progress?.(msg.done!); return; }
      if (msg.type === 'result') finish((p) => p.resolve(msg.result));
      else if (msg.type === 'error') {
        const e = new Error(msg.message);
        e.name = msg.name ?? 'Error';
        e.stack = `${e.name}: ${msg.message}\n    in a persistent pool thread:\n${msg.stack ?? ''}`;
        finish((p) => p.reject(e));
      }
      idle.push(w);
      dispatch();
    });
    let gone = false;
    // 'error' is followed by 'exit': the thread is counted out once.
    const lost = (why: string) => {
      if (gone || closed) return;
      gone = true;
      started--;
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
      finish((p) => p.reject(new Error(`pool thread ${why}`)));
      dispatch();
    };
    w.on('error', (e) => lost(`failed: ${e.message}`));
    w.on('exit', (code) => lost(`exited with code ${code}`));
    return w;
  };

  return {
    size: n,
    async run<J, R>(task: PoolTask<J, R>, jobs: readonly J[], onProgress?: (job: number, done: number) => void): Promise<R[]> {
      if (closed) throw new Error('persistentThreadPool: run after close');
      return Promise.all(jobs.map((job, i) => new Promise<R>((resolve, reject) => {
        queue.push({ task: task.name, job, resolve: resolve as (r: unknown) => void, reject, progress: onProgress ? (d) => onProgress(i, d) : undefined });
        dispatch();
      })));
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error('pool closed'));
      for (const [, p] of busy) p.reject(new Error('pool closed'));
      const all = [...idle, ...busy.keys()];
      busy.clear();
      idle.length = 0;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
