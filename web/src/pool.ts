/**
 * The core's `Pool` seam on Web Workers: each worker runs one job at a time
 * (search-worker.ts); results come back in job order, so a run's answer
 * depends on its seed and number of searches, never on this pool
 * (src/util/pool.ts) — the same answer as the CLI's `--threads`.
 */
import type { Pool, PoolTask } from '../../src/index.js';

/** A pool of `size` search workers; `close` ends them. */
export function webWorkerPool(size: number): Pool & { close(): void } {
  const workers = Array.from({ length: size }, () => new Worker(new URL('./search-worker.ts', import.meta.url), { type: 'module' }));
  let next = 1;
  return {
    size,
    close: () => { for (const w of workers) w.terminate(); },
    async run<J, R>(task: PoolTask<J, R>, jobs: readonly J[], onProgress?: (job: number, done: number) => void): Promise<R[]> {
      const out = new Array<R>(jobs.length);
      let k = 0;
      const lane = async (w: Worker): Promise<void> => {
        while (k < jobs.length) {
          const i = k++;
          const id = next++;
          out[i] = await new Promise<R>((resolve, reject) => {
            w.onmessage = (ev: MessageEvent<{ id: number; progress?: number; value?: R; error?: { name: string; message: string } }>) => {
              const m = ev.data;
              if (m.id !== id) return;
              if (m.progress !== undefined) onProgress?.(i, m.progress);
              else if (m.error) reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
              else resolve(m.value as R);
            };
            w.postMessage({ id, task: task.name, job: jobs[i] });
          });
        }
      };
      await Promise.all(workers.map(lane));
      return out;
    },
  };
}
