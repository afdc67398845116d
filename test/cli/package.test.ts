/**
 * dnnergy as a package: the bin runs the compiled bundle (same answers as the sources), loads
 * only what `model` needs, finds its mapper worker when compiled, and a script outside the
 * checkout can `import { evaluate } from 'dnnergy'` with types.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ensureBuilt, ROOT, TSC } from './dist.js';

const root = fileURLToPath(ROOT);
const EXAMPLE = 'examples/eyeriss_like_vgg_conv.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-package-'));
const bin = (args: string[], node: string[] = []) => spawnSync(process.execPath, [...node, join(root, 'bin/dnnergy.mjs'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });

describe('the dnnergy package', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('the bin runs the bundle and prints what the sources print', async () => {
    const r = bin(['model', EXAMPLE, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe((await runCli(['model', EXAMPLE, '--json'])).stdout);
    const bad = bin(['model', EXAMPLE, '--convention', 'v9']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['dnnergy: <command line>: --convention: expected v4 or v3, found v9']);
  });

  it('`model` loads no package from node_modules, no worker_threads, no progress bar, ONNX or tfjs', () => {
    // Record every module the ESM loader resolves.
    const log = join(tmp, 'resolved.txt');
    writeFileSync(join(tmp, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
    writeFileSync(join(tmp, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    const run = (script: string[]) => {
      writeFileSync(log, '');
      const r = spawnSync(process.execPath, ['--import', join(tmp, 'register.mjs'), ...script], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(r.status).toBe(0);
      return readFileSync(log, 'utf8').trim().split('\n');
    };
    const bundled = run([join(root, 'bin/dnnergy.mjs'), 'model', EXAMPLE, '--json']);
    expect(bundled.some((u) => u.includes('/dist/bundle/main.js'))).toBe(true);
    expect(bundled.filter((u) => u.includes('node_modules') || u.includes('worker_threads'))).toEqual([]);
    // The same graph unbundled (tsc's dist/), where each module is its own file.
    writeFileSync(join(tmp, 'run.mjs'), `import { main } from ${JSON.stringify(join(root, 'dist/cli/main.js'))};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
    const compiled = run([join(tmp, 'run.mjs'), 'model', EXAMPLE, '--json']);
    expect(compiled.some((u) => u.endsWith('/dist/cli/model.js'))).toBe(true);
    expect(compiled.filter((u) => /cli-progress|onnx-buf|tensorflow|mnist|worker_threads|\/worker\.|\/mapper\/(run|search)\.js|\/cli\/(map|analyze|prune|train|dataflows|progress)\.js/.test(u))).toEqual([]);
  });

  it('mapper threads find their worker in the bundle', async () => {
    const args = ['map', EXAMPLE, '--threads', '2', '--evaluations', '2000', '--json'];
    const r = bin(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.search.threads).toBe(2);
    expect(r.stdout).toBe((await runCli(args)).stdout);
  }, 60_000);

  it('a script outside the checkout imports evaluate from dnnergy, with types', () => {
    const app = join(tmp, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(root, join(app, 'node_modules', 'dnnergy'), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    writeFileSync(join(app, 'use.mjs'), "import { evaluate } from 'dnnergy';\nprocess.stdout.write(typeof evaluate);\n");
    expect(execFileSync(process.execPath, ['use.mjs'], { cwd: app, encoding: 'utf8' })).toBe('function');
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['*.ts'] }));
    writeFileSync(join(app, 'good.ts'), "import { evaluate, type Result } from 'dnnergy';\nexport const run: typeof evaluate = evaluate;\nexport const energy = (r: Result): number => r.energyPJ;\n");
    const ok = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: app, encoding: 'utf8' });
    expect(ok.stdout).toBe('');
    expect(ok.status).toBe(0);
    // Types are real, not `any`: a wrong use is an error.
    writeFileSync(join(app, 'bad.ts'), "import type { Result } from 'dnnergy';\nexport const e = (r: Result): string => r.energyPJ;\n");
    const bad = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: app, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts.*TS2322: Type 'number' is not assignable to type 'string'/);
  }, 60_000);

  it('examples/library.mjs (the README\'s library example) runs against the package', () => {
    const r = spawnSync(process.execPath, [join(root, 'examples/library.mjs')], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^alexnet conv3 on eyeriss: [\d.]+ MAC-eq\/MAC, \d+ cycles; within [\d.]+× of the lower bound; random search with the same budget: [\d.]+× worse\n/);
    expect(r.stdout).toMatch(/\nvgg16_conv3_2 on eyeriss_like: 2764\.377 uJ, 5505024 cycles\n$/);
  }, 60_000);
});
