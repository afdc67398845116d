// Runs the benchmarks as plain JavaScript: esbuild bundles bench/run.ts into
// a temporary module first. Code loaded through tsx's on-the-fly loader runs
// about 20% slower in this kind of tight loop, and a search would run
// compiled code, so this measures what a search gets.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Inside the project, so that the bundle's imports resolve from node_modules.
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'node_modules', '.cache', `dnnergy-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const out = join(dir, 'run.js');
await build({
  entryPoints: [fileURLToPath(new URL('./run.ts', import.meta.url)), fileURLToPath(new URL('./lut.ts', import.meta.url)), join(root, 'src/io/worker.ts')],
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outdir: dir,
  entryNames: '[name]',
  logLevel: 'error',
});
// Mapper threads load the bundled worker too.
process.env.DNNERGY_WORKER_URL = pathToFileURL(join(dir, 'worker.js')).href;
try {
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
