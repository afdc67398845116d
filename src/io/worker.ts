/**
 * A pool worker thread: runs the jobs it is sent, one at a time, posting
 * progress and each result; exits when told to stop.
 */
import { parentPort } from 'node:worker_threads';
import { TASKS } from './tasks.js';

interface JobMessage { readonly type: 'job'; readonly id: number; readonly task: string; readonly job: unknown }

parentPort!.on('message', (msg: JobMessage | { type: 'stop' }) => {
  if (msg.type === 'stop') { parentPort!.close(); return; }
  const task = TASKS.get(msg.task);
  if (!task) { parentPort!.postMessage({ type: 'error', id: msg.id, message: `unknown pool task ${msg.task}` }); return; }
  try {
    const result = task.run(msg.job, (done) => parentPort!.postMessage({ type: 'progress', id: msg.id, done }));
    parentPort!.postMessage({ type: 'result', id: msg.id, result });
  } catch (e) {
    // The error's name crosses so that the caller can tell user errors (UnmappableError) from bugs.
    parentPort!.postMessage({ type: 'error', id: msg.id, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  }
});
