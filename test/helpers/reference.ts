/** Access to ../shared/reference/timeloop for tests: the cases and how to load each one. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Beside the project (../shared); from this file, or from the working
// directory when this module runs bundled (the benchmarks).
const CANDIDATES = [
  join(dirname(fileURLToPath(import.meta.url)), '../../../shared/reference/timeloop'),
  join(process.cwd(), '../shared/reference/timeloop'),
];
export const REFERENCE_DIR = resolve(process.env.DNNERGY_REFERENCE ?? CANDIDATES.find((c) => existsSync(join(c, 'refs.json'))) ?? CANDIDATES[0]);

export interface RefCase {
  name: string;
  snapshot: string;
  tool: 'model' | 'mapper' | 'accelergy';
  local_dir: string;
  metrics: {
    cycles?: number;
    computes?: number | string;
    utilization?: number;
    energy_total_pJ_sum_of_detailed_stats?: number;
    levels: {
      name: string;
      instances?: number;
      utilized_instances?: number;
      energy_pJ?: number;
      dataspaces?: Record<string, Record<string, number>>;
    }[];
  };
}

/**
 * Whether the reference set is beside the project. A developer's clone
 * without it skips the parity tests; under CI=true a missing set fails the
 * suite, so that a green run always means the parity checks ran.
 */
export function referenceAvailable(): boolean {
  const ok = existsSync(join(REFERENCE_DIR, 'refs.json'));
  if (!ok && process.env.CI) throw new Error(`the Timeloop reference set is missing (looked in ${REFERENCE_DIR}; set DNNERGY_REFERENCE): CI runs every parity check`);
  return ok;
}

export function loadRefs(): RefCase[] {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, 'refs.json'), 'utf8'));
}

/** Dense cases: no sparse optimisations, no Accelergy-only cases. */
export function isDense(r: RefCase): boolean {
  return r.tool !== 'accelergy' && !/sparse|-sl-|gating|compression|accelergy/.test(r.name);
}

/**
 * The input files `dnnergy model` takes for a case: for v4, the resolved
 * input plus (for mapper cases) the winning mapping, plus the ERT; for older
 * snapshots, the published inputs plus the winner's `.map.txt`.
 */
export function caseInputs(r: RefCase): { inputs: string[]; ert: string } {
  const dir = join(REFERENCE_DIR, r.local_dir);
  const ref = join(dir, 'ref');
  const refFiles = readdirSync(ref);
  const ert = join(ref, refFiles.find((f) => /ERT\.yaml$/.test(f) && !/summary/.test(f))!);
  if (r.snapshot === 'v4') {
    const inputs = [join(ref, 'parsed-processed-input.yaml')];
    if (r.tool === 'mapper') inputs.push(join(ref, refFiles.find((f) => f.endsWith('.map.yaml'))!));
    return { inputs, ert };
  }
  const inputs: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      // Component libraries are Accelergy's; constraints and mapper settings are read too.
      if (f.isDirectory()) { if (f.name !== 'components' && f.name !== 'PIM_estimation_tables') walk(join(d, f.name)); }
      else if (/\.ya?ml$/.test(f.name)) inputs.push(join(d, f.name));
    }
  };
  walk(join(dir, 'inputs'));
  const hasMapping = inputs.some((f) => /\/map\//.test(f));
  if (r.tool === 'mapper' || !hasMapping) inputs.push(join(ref, refFiles.find((f) => f.endsWith('.map.txt') && !f.includes('tenssella'))!));
  return { inputs, ert };
}
