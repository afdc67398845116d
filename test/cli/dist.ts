/**
 * The compiled package for tests that run the bin or import 'dnnergy': built here when a dev
 * checkout's dist/ is missing or stale (CI's `npm ci` has built it already through prepare).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { distIsFresh } from '../../scripts/fresh.mjs';

/** The checkout's root directory (this file is test/cli/dist.ts). */
export const ROOT = new URL('../../', import.meta.url);

/** The TypeScript compiler's entry script, run with this Node. */
export const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Build dist/ (the library and the CLI bundle) unless it is current. */
export function ensureBuilt(): void {
  if (distIsFresh(ROOT)) return;
  const cwd = new URL('.', ROOT);
  execFileSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle-cli.mjs'], { cwd, stdio: 'inherit' });
}
