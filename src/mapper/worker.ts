/** One mapper thread: runs its job and posts progress and the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type ThreadJob } from './run.js';

const job = workerData as ThreadJob;
const result = runJob(job, (done) => parentPort!.postMessage({ type: 'progress', done }));
parentPort!.postMessage({ type: 'result', result });
