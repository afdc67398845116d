/**
 * Sweeps through a BullMQ queue on a real Redis (Debian's redis-server, on
 * 127.0.0.1 at a random port, no persistence, stopped after): two worker
 * processes, one killed mid-sweep; Redis killed and restarted empty
 * mid-sweep. Every result must be there exactly once and equal the local
 * run's, and the report JSON byte-identical.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SweepStore } from '../../src/io/sweepStore.js';
import { runCli } from '../helpers/cli.js';

const REDIS = '/usr/bin/redis-server';
const BIN = resolve(__dirname, '../../bin/dnnergy.mjs');
const dir = mkdtempSync(join(tmpdir(), 'dnnergy-sweep-queue-'));
const started: ChildProcess[] = [];

// 3 × 2 × 4 = 24 designs × 3 networks, small layers and budgets.
const SPEC = `name: queue-test
base: eyeriss
parameters:
  rows: { values: [8, 12, 16] }
  cols: { values: [8, 14] }
  bufferWords: { range: { from: 16384, to: 131072, times: 2 } }
networks:
  - { zoo: alexnet, layers: [conv3, fc8] }
  - { zoo: mobilenet_v1, layers: [conv13_dw, conv13_pw] }
  - { zoo: resnet18, layers: [layer4.1.conv1, layer4.1.conv2, fc] }
evaluations: 300
seed: 7
`;
const spec = join(dir, 'sweep.yaml');

function freePort(): Promise<number> {
  return new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}

function startRedis(port: number): ChildProcess {
  const p = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  started.push(p);
  return p;
}

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function redisUp(port: number): Promise<void> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  await until(async () => { try { await c.connect(); return (await c.ping()) === 'PONG'; } catch { return false; } }, 'redis-server');
  c.disconnect();
}

function cli(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  started.push(p);
  return p;
}

function exited(p: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  p.stdout?.on('data', (d) => { stdout += String(d); });
  p.stderr?.on('data', (d) => { stderr += String(d); });
  return new Promise((res) => p.on('exit', (code) => res({ code, stdout, stderr })));
}

function stop(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => { p.once('exit', () => res()); p.kill(signal); });
}

async function jobsOf(db: string): Promise<Map<string, unknown[]>> {
  const s = await SweepStore.open(db);
  const rows = s.rows('SELECT key, ok, energy, cycles, macs, dram_accesses, utilization, evaluated, error FROM jobs ORDER BY key');
  const counts = s.rows('SELECT count(*), count(DISTINCT key) FROM jobs')[0];
  const results = s.rows('SELECT count(*) FROM results')[0][0];
  s.close();
  expect(counts[0]).toBe(counts[1]);
  expect(results).toBe(24 * 3);
  return new Map(rows.map((r) => [String(r[0]), r.slice(1)]));
}

let local: { json: string; jobs: Map<string, unknown[]> };

beforeAll(async () => {
  writeFileSync(spec, SPEC);
  const db = join(dir, 'local.db');
  const r = await runCli(['sweep', spec, '--out', db, '--json']);
  expect(r.code).toBe(0);
  local = { json: r.stdout, jobs: await jobsOf(db) };
}, 120_000);

afterAll(async () => {
  for (const p of started) await stop(p, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(REDIS))('sweep on a BullMQ queue', () => {
  it('the local run has every (design, network) and shares repeated shapes', () => {
    const report = JSON.parse(local.json) as { designs: number; jobs: number; networks: { points: unknown[] }[] };
    expect(report.designs).toBe(24);
    expect(report.networks.map((n) => n.points.length)).toEqual([24, 24, 24]);
    // resnet18's layer4.1.conv1 and conv2 have one shape: 6 distinct shapes per design, not 7.
    expect(report.jobs).toBe(24 * 6);
    expect(local.jobs.size).toBe(24 * 6);
  });

  it('two workers, one killed mid-sweep: every result once, equal to the local run', async () => {
    const port = await freePort();
    startRedis(port);
    await redisUp(port);
    const url = `redis://127.0.0.1:${port}`;
    const w1 = cli(['worker', '--queue', url, '--lock-ms', '2000']);
    const w2 = cli(['worker', '--queue', url, '--lock-ms', '2000']);
    const db = join(dir, 'queue.db');
    const producer = cli(['sweep', spec, '--out', db, '--queue', url, '--json']);
    const done = exited(producer);
    const watch = new Redis({ port, host: '127.0.0.1' });
    // Kill w1 while both workers hold a job and some results are in.
    await until(async () => (await watch.zcard('bull:dnnergy-sweep:completed')) >= 10 && (await watch.llen('bull:dnnergy-sweep:active')) === 2, 'both workers busy');
    await stop(w1, 'SIGKILL');
    const r = await done;
    const completed = await watch.zcard('bull:dnnergy-sweep:completed');
    // The killed worker's job went back to the queue through BullMQ's stalled-job check.
    const events = (await watch.xrange('bull:dnnergy-sweep:events', '-', '+')).map(([, f]) => f[f.indexOf('event') + 1]);
    watch.disconnect();
    expect(r.code, r.stderr).toBe(0);
    expect(completed).toBe(24 * 6);
    expect(events).toContain('stalled');
    expect(r.stdout).toBe(local.json);
    const jobs = await jobsOf(db);
    expect([...jobs.keys()]).toEqual([...local.jobs.keys()]);
    for (const [k, v] of jobs) expect(v, k).toEqual(local.jobs.get(k));
    // The store's report says the same as the sweep printed.
    const rep = await runCli(['sweep', 'report', db, '--json']);
    expect(rep.stdout).toBe(local.json);
    await stop(w2);
  }, 120_000);

  it('Redis killed and restarted empty mid-sweep: workers and sweep wait, resume, lose nothing', async () => {
    const port = await freePort();
    let redis = startRedis(port);
    await redisUp(port);
    const url = `redis://127.0.0.1:${port}`;
    const w = cli(['worker', '--queue', url, '--threads', '2', '--lock-ms', '2000']);
    const db = join(dir, 'outage.db');
    const producer = cli(['sweep', spec, '--out', db, '--queue', url, '--json']);
    const done = exited(producer);
    const watch = new Redis({ port, host: '127.0.0.1', retryStrategy: () => null });
    watch.on('error', () => {});
    await until(async () => (await watch.zcard('bull:dnnergy-sweep:completed')) >= 20, 'some results');
    watch.disconnect();
    await stop(redis, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    expect(producer.exitCode).toBe(null);
    expect(w.exitCode).toBe(null);
    redis = startRedis(port);
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('unreachable');
    expect(r.stdout).toBe(local.json);
    const jobs = await jobsOf(db);
    expect([...jobs.keys()]).toEqual([...local.jobs.keys()]);
    for (const [k, v] of jobs) expect(v, k).toEqual(local.jobs.get(k));
    await stop(w);
    await stop(redis);
  }, 120_000);
  it('the sweep stopped mid-way (Ctrl-C): the workers go on, the rerun collects their answers from Redis', async () => {
    const port = await freePort();
    const redis = startRedis(port);
    await redisUp(port);
    const url = `redis://127.0.0.1:${port}`;
    const w = cli(['worker', '--queue', url, '--lock-ms', '2000']);
    const db = join(dir, 'stopped.db');
    const producer = cli(['sweep', spec, '--out', db, '--queue', url]);
    const first = exited(producer);
    const watch = new Redis({ port, host: '127.0.0.1' });
    await until(async () => (await watch.zcard('bull:dnnergy-sweep:completed')) >= 10, 'some results');
    producer.kill('SIGINT');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    // Nobody collects now; the worker still answers every job.
    await until(async () => (await watch.zcard('bull:dnnergy-sweep:completed')) === 24 * 6, 'every job answered');
    watch.disconnect();
    await stop(w);
    const again = await runCli(['sweep', spec, '--out', db, '--queue', url, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/[1-9]\d* already in/);
    expect(again.stdout).toBe(local.json);
    await stop(redis);
  }, 120_000);
});
