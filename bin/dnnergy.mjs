#!/usr/bin/env node
// Runs the compiled, bundled CLI in dist/bundle/ (built by `npm run build`, which `npm install`
// runs as prepare; scripts/bundle-cli.mjs says why a bundle). In a dev checkout (it has
// tsconfig.build.json, which the package does not ship) whose dist/ is missing or older than
// src/, it runs the sources through tsx instead, slower but never stale, and says so on stderr.
import { existsSync } from 'node:fs';

// A closed pipe (`dnnergy ... | head`) is not an error.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

const root = new URL('..', import.meta.url);
let entry = new URL('dist/bundle/main.js', root);
if (existsSync(new URL('tsconfig.build.json', root)) && !(await import('../scripts/fresh.mjs')).distIsFresh(root)) {
  process.stderr.write('dnnergy: dist/ is missing or older than src/; running the sources through tsx (slower). `npm run build` refreshes it.\n');
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('src/cli/main.ts', root);
}
if (!existsSync(entry)) {
  // A package installed without its build (e.g. --ignore-scripts from git).
  process.stderr.write(`dnnergy: ${entry.pathname} is missing: run \`npm run build\` in ${root.pathname}\n`);
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
