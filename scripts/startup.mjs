// Startup figures for the README: median wall time, CPU time and peak RSS of a one-shot
// `dnnergy model` on the example layer, beside a bare `node -e 0`, over N interleaved runs
// (`node scripts/startup.mjs [N] [checkout]`, default 10 runs of this checkout). Linux:
// uses /usr/bin/time for the child's peak RSS. Build first (`npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const n = Number(process.argv[2] ?? 10);
const root = resolve(process.argv[3] ?? fileURLToPath(new URL('..', import.meta.url)));
const out = join(mkdtempSync(join(tmpdir(), 'dnnergy-startup-')), 'time.txt');
const runs = {
  'node -e 0': ['-e', '0'],
  'dnnergy model --json': [join(root, 'bin/dnnergy.mjs'), 'model', join(root, 'examples/eyeriss_like_vgg_conv.yaml'), '--json'],
};
const got = Object.fromEntries(Object.keys(runs).map((k) => [k, { wall: [], cpu: [], rss: [] }]));
for (let i = 0; i < n; i++) {
  for (const [k, args] of Object.entries(runs)) {
    const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', process.execPath, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${k} failed: ${r.stderr}`);
    const [wall, user, sys, rss] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    got[k].wall.push(wall); got[k].cpu.push(user + sys); got[k].rss.push(rss / 1024);
  }
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
for (const [k, v] of Object.entries(got)) {
  console.log(`${k.padEnd(22)} wall ${median(v.wall).toFixed(3)} s  cpu ${median(v.cpu).toFixed(3)} s  peak RSS ${median(v.rss).toFixed(1)} MiB  (median of ${n})`);
}
