/**
 * The seam for parallel work. The core describes work as named tasks over
 * structured-cloneable jobs and hands them to a `Pool`; where they run is
 * the caller's choice: in this thread (here, browser-safe), on Node worker
 * threads (`io/threadPool.ts`), or in Web Workers. Results come back in job
 * order, so a run's answer never depends on the pool that ran it.
 */

/** A unit of work a worker can find by name: a pure function of its job. */
export interface PoolTask<J, R> {
  /** Registry name; a worker looks the task up by it (`io/tasks.ts`). */
  readonly name: string;
  /** Run one job; `progress` reports the work done so far (task-defined units). */
  run(job: J, progress: (done: number) => void): R;
}

/** Runs jobs of a task, possibly in parallel. */
export interface Pool {
  /** How many jobs may run at once. */
  readonly size: number;
  /**
   * Run every job; resolves to the results in job order. `onProgress`
   * receives a job's index and its latest progress figure.
   */
  run<J, R>(task: PoolTask<J, R>, jobs: readonly J[], onProgress?: (job: number, done: number) => void): Promise<R[]>;
}

/** A pool that runs every job in this thread, one after the other. */
export const inThreadPool: Pool = {
  size: 1,
  async run<J, R>(task: PoolTask<J, R>, jobs: readonly J[], onProgress?: (job: number, done: number) => void): Promise<R[]> {
    return jobs.map((job, i) => task.run(job, (done) => onProgress?.(i, done)));
  },
};
