/**
 * The queue's overhead per job (a script, not a test: tests never time):
 * `npx tsx test/sweep/measure-queue.ts [jobs]` starts redis-server on a
 * random port, puts the first `jobs` jobs of examples/sweep-eyeriss.yaml on
 * the queue, and answers each at once with an answer of the real shape, in
 * one worker (concurrency 1): everything a job costs but the mapping —
 * adding, taking, locking, completing, the completion event, the store.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { consume, produce } from '../../src/io/queue.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { planSweep, type SweepJob } from '../../src/sweep/jobs.js';
import { designSpace } from '../../src/sweep/space.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';
import type { LayerOutcome } from '../../src/sweep/task.js';

const n = Number(process.argv[2] ?? 2000);
const spec = parseSweepSpec(readFileSync('examples/sweep-eyeriss.yaml', 'utf8'), 'examples/sweep-eyeriss.yaml');
const nets = spec.networks.map((r) => { const z = zooNetwork(r.zoo!)!; return { name: z.name, batch: r.batch, layers: z.layers }; });
const jobs = planSweep(designSpace(spec).points, nets, spec).jobs.slice(0, n);
const port = await new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
try {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  for (let i = 0; ; i++) { try { await c.connect(); break; } catch { if (i > 100) throw new Error('no redis'); await new Promise((r) => setTimeout(r, 50)); } }
  c.disconnect();
  const url = `redis://127.0.0.1:${port}`;
  const w = consume<SweepJob, LayerOutcome>(url, async (j) => ({ key: j.key, ok: true, energy: 1.5e9, cycles: 123456, macs: 1e8, dramAccesses: 2e6, utilization: 0.75, evaluated: 2000 }), { concurrency: 1 });
  const bytes = jobs.reduce((s, j) => s + JSON.stringify(j).length, 0) / jobs.length;
  const t0 = process.hrtime.bigint();
  let got = 0;
  await produce<SweepJob, LayerOutcome>(url, jobs.map((j) => ({ key: j.key, data: j })), () => { got++; });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await w.close();
  process.stdout.write(`${got} jobs (${bytes.toFixed(0)} B of job data each) through the queue in ${s.toFixed(2)} s: ${(got / s).toFixed(0)} jobs/s, ${((s / got) * 1e3).toFixed(2)} ms per job; load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}\n`);
} finally {
  redis.kill('SIGTERM');
}
