/**
 * Jobs on a BullMQ queue in Redis: the sweep puts every job on it under its
 * canonical key as the job id (adding a key twice is one job), and any
 * number of `dnnergy worker` processes, on any machines, take them.
 * Retries with exponential backoff; a worker killed mid-job stops renewing
 * its lock, and BullMQ's stalled-job check gives the job to another worker.
 * When Redis goes away, both sides wait (ioredis reconnects) and resume; the
 * producer then puts back every job still unanswered, so a Redis restarted
 * without its data loses nothing either.
 */
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { SpecError } from '../spec/errors.js';

/** The queue's name in Redis. */
export const QUEUE_NAME = 'dnnergy-sweep';

/** Tries of a job that throws (a user error is an answer, not a throw): exponential backoff from 1 s. */
export const ATTEMPTS = 5;

/** `redis://host:port[/db]` as connection options, or a SpecError naming `flag`. */
export function redisOptions(url: string, flag = '--queue'): RedisOptions & ConnectionOptions {
  let u: URL;
  try { u = new URL(url); } catch { throw new SpecError('<command line>', flag, 'a Redis URL, redis://host:port', url); }
  if (u.protocol !== 'redis:' || !u.hostname) throw new SpecError('<command line>', flag, 'a Redis URL, redis://host:port', url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0) throw new SpecError('<command line>', flag, 'a Redis URL with a database number, redis://host:port/0', url);
  return {
    host: u.hostname, port: u.port ? Number(u.port) : 6379, db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}), ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    // Wait for Redis rather than fail: commands queue up while it is away.
    maxRetriesPerRequest: null,
    retryStrategy: (n: number) => Math.min(100 * n, 2000),
  } as RedisOptions & ConnectionOptions;
}

/** Fail fast, in one line, when nobody answers at `url` (before any work starts). */
export async function checkRedis(url: string, flag = '--queue', timeoutMs = 3000): Promise<void> {
  const c = new Redis({ ...redisOptions(url, flag), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // The socket's error (ECONNREFUSED, ENOTFOUND) says more than connect()'s "Connection is closed".
  let cause: unknown;
  c.on('error', (e) => { cause ??= e; });
  try {
    await c.connect();
    await c.ping();
  } catch (e) {
    const why = cause ?? e;
    const code = (why as { code?: string }).code ?? (why instanceof Error ? why.message : String(why));
    throw new SpecError('<command line>', flag, 'a reachable Redis server', `${url} (${code})`);
  } finally {
    c.disconnect();
  }
}

/** A job to put on the queue. */
export interface QueuedJob<D> { readonly key: string; readonly data: D }

/** Producer options. */
export interface ProduceOptions {
  /** Said once per outage and once on recovery (stderr in the CLI). */
  readonly log?: (line: string) => void;
  /** How often unanswered jobs are checked against Redis when no answer came (ms). */
  readonly reconcileMs?: number;
}

/**
 * Put `jobs` on the queue and wait for every answer; `onResult` gets each
 * key once, as answers arrive. Rejects when a job failed all its attempts.
 */
export async function produce<D, R>(url: string, jobs: readonly QueuedJob<D>[], onResult: (key: string, result: R) => void, o: ProduceOptions = {}): Promise<void> {
  if (jobs.length === 0) return;
  const connection = redisOptions(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const watch = new Redis(connection);
  const pending = new Map(jobs.map((j) => [j.key, j.data]));
  let failed: Error | null = null, down = false, lastAnswer = Date.now();
  let wake: () => void = () => {};
  const take = (key: string, value: unknown) => {
    if (!pending.has(key)) return;
    pending.delete(key);
    lastAnswer = Date.now();
    onResult(key, (typeof value === 'string' ? JSON.parse(value) : value) as R);
    if (pending.size === 0) wake();
  };
  const add = async (keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i += 500) {
      await queue.addBulk(keys.slice(i, i + 500).map((k) => ({
        name: 'layer', data: pending.get(k) as object,
        opts: { jobId: k, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
      })));
    }
  };
  // Answers that came while nobody listened (an earlier run, an outage), and jobs Redis lost.
  const reconcile = async () => {
    const missing: string[] = [];
    for (const key of [...pending.keys()]) {
      const job: Job | undefined = await queue.getJob(key);
      if (!job) missing.push(key);
      else if (job.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null && !job.failedReason) take(key, job.returnvalue);
      else if (job.finishedOn && job.failedReason && (await job.getState()) === 'failed') failed ??= new Error(`queue job ${key} failed ${ATTEMPTS} times: ${job.failedReason}`);
    }
    if (missing.length) await add(missing);
  };
  events.on('completed', ({ jobId, returnvalue }) => take(jobId, returnvalue));
  events.on('failed', ({ jobId, failedReason }) => {
    void queue.getJob(jobId).then(async (j) => {
      if (j && (await j.getState()) === 'failed' && pending.has(jobId)) { failed ??= new Error(`queue job ${jobId} failed ${ATTEMPTS} times: ${failedReason}`); wake(); }
    }).catch(() => { /* Redis away: the next reconcile sees it */ });
  });
  // The watch connection reports outages; these would otherwise be unhandled 'error' events.
  queue.on('error', () => {});
  events.on('error', () => {});
  watch.on('error', () => {
    if (!down) o.log?.(`queue: Redis at ${url} is unreachable; waiting for it (finished results are kept)`);
    down = true;
  });
  watch.on('ready', () => {
    if (!down) return;
    down = false;
    o.log?.('queue: Redis is back; putting back unanswered jobs');
    void reconcile().catch(() => { /* retried on the next tick */ });
  });
  try {
    await events.waitUntilReady();
    await add([...pending.keys()]);
    await reconcile();
    const every = o.reconcileMs ?? 5000;
    while (pending.size > 0 && !failed) {
      await new Promise<void>((res) => { wake = res; setTimeout(res, Math.min(every, 1000)); });
      if (pending.size > 0 && !down && Date.now() - lastAnswer >= every) {
        lastAnswer = Date.now();
        await reconcile().catch(() => { /* Redis away: try again later */ });
      }
    }
    if (failed) throw failed;
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
    watch.disconnect();
  }
}

/** Worker options. */
export interface ConsumeOptions {
  /** Jobs at once (their searches run on the worker's threads). */
  readonly concurrency: number;
  /** Lock a job holds while it runs; a dead worker's job is retried after about this long. */
  readonly lockMs?: number;
  readonly log?: (line: string) => void;
}

/** Take jobs from the queue until `close()`: `process` answers each (same data, same answer). */
export function consume<D, R>(url: string, process: (data: D) => Promise<R>, o: ConsumeOptions): { close(): Promise<void>; done(): number } {
  const connection = redisOptions(url);
  const lockMs = o.lockMs ?? 10_000;
  let done = 0, down = false;
  const worker = new Worker(QUEUE_NAME, async (job: Job) => {
    const r = await process(job.data as D);
    done++;
    return r;
  }, { connection, concurrency: o.concurrency, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: 10 });
  worker.on('error', (e) => {
    if (!down) o.log?.(`worker: Redis at ${url} is unreachable (${e.message}); waiting for it`);
    down = true;
  });
  worker.on('ready', () => { if (down) o.log?.('worker: Redis is back'); down = false; });
  return { close: () => worker.close(), done: () => done };
}
