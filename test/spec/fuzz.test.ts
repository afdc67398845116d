/**
 * Fuzzing the input path: 1,200 mutated specs (deleted fields, wrong types,
 * zero/negative/fractional/absurd/huge numbers, renamed keys) through the
 * CLI. Every run either succeeds with valid JSON or fails with exit 2 and one
 * line naming the file and the field; never a crash or a stack trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { mutate } from '../helpers/mutate.js';
import { rng } from '../helpers/random.js';
import { REFERENCE_DIR, referenceAvailable } from '../helpers/reference.js';

const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-fuzz-'));
const attempts: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(attempts).reduce((a, b) => a + b, 0);
  process.stdout.write(`fuzz (native and Timeloop spec mutations): ${JSON.stringify(attempts)}, ${total} attempts, 0 violations\n`);
});

async function fuzz(base: unknown, count: number, seed: number, extra: string[]): Promise<{ ok: number; rejected: number }> {
  const r = rng(seed);
  let ok = 0, rejected = 0;
  for (let i = 0; i < count; i++) {
    const file = join(tmp, `case-${seed}-${i}.yaml`);
    writeFileSync(file, stringify(mutate(base, r)));
    const res = await runCli(['model', file, ...extra, '--json']);
    const context = `${file}: ${res.stderr}`;
    expect(res.stderr, context).not.toMatch(/internal error|\n\s+at /);
    expect([0, 2], context).toContain(res.code);
    if (res.code === 0) {
      const j = JSON.parse(res.stdout);
      expect(Number.isFinite(j.energy_pJ), context).toBe(true);
      ok++;
    } else {
      const lines = res.stderr.trim().split('\n');
      expect(lines, context).toHaveLength(1);
      // Names the file, and a field (or position) inside it.
      expect(lines[0], context).toMatch(/^dnnergy: .+\.yaml(, .+)?: .+: expected /);
      rejected++;
    }
  }
  attempts[`seed ${seed}`] = count;
  return { ok, rejected };
}

describe('fuzzed specs through the CLI', () => {
  it('native spec: 700 mutations', async () => {
    const base = parse(readFileSync('examples/eyeriss_like_vgg_conv.yaml', 'utf8'));
    const { rejected } = await fuzz(base, 700, 1, []);
    expect(rejected).toBeGreaterThan(300);
  });
  it.runIf(referenceAvailable())('Timeloop v0.4 input: 500 mutations', async () => {
    const d = join(REFERENCE_DIR, 'cases/v4-tl-04-conv1d+oc+ic-3levelspatial-cp/ref');
    const base = parse(readFileSync(join(d, 'parsed-processed-input.yaml'), 'utf8'));
    // Only the parts dnnergy reads, so that most mutations hit something that matters.
    const slim = { architecture: base.architecture, problem: base.problem, mapping: base.mapping };
    const { rejected } = await fuzz(slim, 500, 2, ['--ert', join(d, 'timeloop-model.ERT.yaml')]);
    expect(rejected).toBeGreaterThan(200);
  });
});
