/**
 * The tasks a worker thread can run, by name: a worker receives a task's
 * name with each job (functions do not cross threads) and looks it up here.
 */
import { mapperSearchTask } from '../mapper/run.js';
import type { PoolTask } from '../util/pool.js';

/** Every pool task the Node worker threads know. */
export const TASKS: ReadonlyMap<string, PoolTask<unknown, unknown>> = new Map<string, PoolTask<unknown, unknown>>([
  [mapperSearchTask.name, mapperSearchTask as PoolTask<unknown, unknown>],
]);
