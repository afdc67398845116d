#!/usr/bin/env node
// Runs the compiled, bundled CLI in dist/bundle/ (built by `npm run build`, which `npm install`
// runs as prepare: scripts/bundle-cli.mjs says why a bundle).
// In a dev checkout (src/ beside dist/) whose dist/ is missing or older than src/, it runs the
// sources through tsx instead, slower but never stale, and says so on stderr.
import { existsSync, readdirSync, statSync } from 'node:fs';

// A closed pipe (`dnnergy ... | head`) is not an error.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

const root = new URL('..', import.meta.url);
let entry = new URL('dist/bundle/main.js', root);
if (existsSync(new URL('tsconfig.build.json', root)) && !built(root)) {
  process.stderr.write('dnnergy: dist/ is missing or older than src/; running the sources through tsx (slower). `npm run build` refreshes it.\n');
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('src/cli/main.ts', root);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

/** Whether dist/ was built after the last change under src/ (the build writes dist/.stamp last). */
function built(root) {
  const stamp = new URL('dist/.stamp', root);
  if (!existsSync(stamp)) return false;
  const at = statSync(stamp).mtimeMs;
  const src = new URL('src/', root);
  for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs > at) return false;
  }
  return true;
}
