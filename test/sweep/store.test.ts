/** The store: resumable (Ctrl-C keeps what finished; a rerun skips it), plain SQL, same report as one run. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SweepStore } from '../../src/io/sweepStore.js';
import { runCli } from '../helpers/cli.js';

const BIN = resolve(__dirname, '../../bin/dnnergy.mjs');
const dir = mkdtempSync(join(tmpdir(), 'dnnergy-sweep-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Budget large enough that the sweep outlasts the store's first flush (1 s) even on a fast, quiet machine:
// the interrupted run must be interrupted, not finished.
const SPEC = `name: store-test
base: eyeriss
parameters:
  rows: { values: [8, 12, 16] }
  bufferWords: { values: [16384, 65536] }
networks:
  - { zoo: alexnet, layers: [conv2, conv3, conv4, conv5, fc6, fc8] }
  - { zoo: mobilenet_v1, layers: [conv1_pw, conv2_pw, conv13_pw, fc] }
evaluations: 8000
`;

async function jobCount(db: string): Promise<number> {
  if (!existsSync(db)) return 0;
  const s = await SweepStore.open(db);
  const n = Number(s.rows('SELECT count(*) FROM jobs')[0][0]);
  s.close();
  return n;
}

describe('sweep store', () => {
  it('Ctrl-C keeps every finished result; the rerun skips them and ends where one run does', async () => {
    const spec = join(dir, 'sweep.yaml');
    writeFileSync(spec, SPEC);
    const whole = join(dir, 'whole.db');
    const one = await runCli(['sweep', spec, '--out', whole, '--json']);
    expect(one.code).toBe(0);
    const total = await jobCount(whole);
    expect(total).toBe(6 * 10);

    const db = join(dir, 'resumed.db');
    const p = spawn(process.execPath, [BIN, 'sweep', spec, '--out', db], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += String(d); });
    const exit = new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
    const t0 = Date.now();
    while ((await jobCount(db)) < 3 && Date.now() - t0 < 60_000 && p.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    p.kill('SIGINT');
    const code = await exit;
    const kept = await jobCount(db);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('sweep interrupted');
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(total);

    const again = await runCli(['sweep', spec, '--out', db, '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`${kept} already in`);
    expect(again.stdout).toBe(one.stdout);
    // A third run has nothing left to do and reports the same.
    const third = await runCli(['sweep', spec, '--out', db, '--json']);
    expect(third.stderr).toContain(`${total} already in ${db}, 0 to run`);
    expect(third.stdout).toBe(one.stdout);
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
  }, 180_000);

  it('is queryable with plain SQL: one row per (design, network) and per layer', async () => {
    const s = await SweepStore.open(join(dir, 'whole.db'));
    expect(s.rows('SELECT count(*) FROM results')[0][0]).toBe(6 * 2);
    expect(s.rows("SELECT count(*) FROM layer_results WHERE network = 'alexnet'")[0][0]).toBe(6 * 6);
    expect(s.rows('SELECT count(*) FROM layer_results WHERE energy IS NULL')[0][0]).toBe(0);
    // Per-layer energies add up to the (design, network) totals.
    const sums = s.rows('SELECT r.energy, (SELECT sum(energy) FROM layer_results l WHERE l.design = r.design AND l.network = n.name) FROM results r JOIN networks n ON n.network = r.network');
    for (const [a, b] of sums) expect(Number(a)).toBeCloseTo(Number(b), 6);
    expect(Number(s.rows("SELECT json_extract(params, '$.rows') FROM designs WHERE design = 0")[0][0])).toBe(8);
    expect(Number(s.rows('SELECT count(*) FROM results WHERE pareto = 1')[0][0])).toBeGreaterThan(0);
    s.close();
  });

  it('sweep report writes HTML with the plots, hover details and the front table', async () => {
    const html = join(dir, 'front.html'), svg = join(dir, 'front.svg');
    const r = await runCli(['sweep', 'report', join(dir, 'whole.db'), '--html', html, '--svg', svg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('on the front');
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).toContain('<title>design ');
    expect(page).toContain('<table>');
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg /);
    const bad = await runCli(['sweep', 'report', join(dir, 'sweep.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a sweep store');
  });
});
