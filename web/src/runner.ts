/**
 * Runs jobs in a Web Worker, with progress and cancellation (the worker is
 * ended and a fresh one started). Where no module worker can start — a page
 * opened from file://, where Chromium refuses them — jobs run in the page's
 * thread instead and `inThread` says so (the page shows a notice).
 */
import { runJob, type Job, type Progress } from './jobs.js';
import { errorMessage, type PageError } from './errors.js';

type Out = { id: number; progress?: [number, number]; value?: unknown; error?: PageError };

/** A rejected job: the page shows `message`; `cancelled` when the user pressed cancel. */
export class JobError extends Error {
  constructor(readonly page: PageError, readonly cancelled = false) { super(page.message); }
}

export class Runner {
  private worker: Worker | null = null;
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; progress: Progress }>();
  /** True when jobs run in the page's own thread (no worker could start). */
  inThread = false;

  constructor() { this.start(); }

  private start(): void {
    if (location.protocol === 'file:') { this.inThread = true; return; }
    try {
      const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (ev: MessageEvent<Out>) => this.receive(ev.data);
      w.onerror = (ev) => {
        ev.preventDefault();
        for (const [id, p] of this.pending) { this.pending.delete(id); p.reject(new JobError({ message: `dnnergy: internal error (please report): worker: ${ev.message}`, user: false })); }
      };
      this.worker = w;
    } catch {
      this.inThread = true;
    }
  }

  private receive(m: Out): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.progress) { p.progress(m.progress[0], m.progress[1]); return; }
    this.pending.delete(m.id);
    if (m.error) p.reject(new JobError(m.error));
    else p.resolve(m.value);
  }

  /** Run a job; resolves to its value, rejects with a JobError. */
  async run<T>(job: Job, progress: Progress): Promise<T> {
    if (!this.worker) {
      try { return (await runJob(job, progress)) as T; } catch (e) { throw new JobError(errorMessage(e)); }
    }
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.worker!.postMessage({ id, job });
    });
  }

  /** Cancel every running job (in-thread jobs cannot be cancelled). */
  cancel(): void {
    if (!this.worker) return;
    this.worker.terminate();
    for (const [id, p] of this.pending) { this.pending.delete(id); p.reject(new JobError({ message: 'cancelled', user: true }, true)); }
    this.start();
  }
}
