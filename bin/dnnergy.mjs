#!/usr/bin/env node
// Bootstrap: run the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';
register();
// A closed pipe (`dnnergy ... | head`) is not an error.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
