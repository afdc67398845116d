/**
 * A `Pool` worker (pool.ts): runs one mapper search (`mapper.search`, the
 * task the CLI's worker threads run) per message and posts its result.
 */
import { mapperSearchTask, type ThreadJob } from '../../src/mapper/run.js';

self.onmessage = (ev: MessageEvent<{ id: number; task: string; job: ThreadJob }>) => {
  const { id, task, job } = ev.data;
  const post = (x: unknown) => (self as unknown as Worker).postMessage(x);
  try {
    if (task !== mapperSearchTask.name) throw new Error(`no task ${task} in the search worker`);
    let last = 0;
    const value = mapperSearchTask.run(job, (done) => { if (done - last >= 2000) { last = done; post({ id, progress: done }); } });
    post({ id, value });
  } catch (e) {
    post({ id, error: e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) } });
  }
};
