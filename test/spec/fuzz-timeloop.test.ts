/**
 * Fuzzing Timeloop attributes (issue 14): every numeric attribute of every
 * architecture node of a few reference inputs, set to each of a list of bad
 * values, through `dnnergy model`. Every attempt holds the contract: exit 0
 * with sane JSON (every number finite, no null) and, for a value no attribute
 * may take, the energy of the unmutated input (the attribute is not read);
 * or exit 2 with one line naming the file and the attribute's path. Never a
 * stack trace. The attempts are counted and printed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { caseInputs, loadRefs, referenceAvailable } from '../helpers/reference.js';

const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-fuzztl-'));
// Small inputs (a few milliseconds per attempt) with 2 to 4 storage levels, one with a spatial fanout.
const CASES = ['v4-tl-02-conv1d+oc-2level-tiling', 'v4-tl-03-conv1d+oc-3level-bypass', 'v4-tl-04-conv1d+oc+ic-3levelspatial-cp',
  // The v0.2/v0.3 readers (block-size, word-bits; architecture, problem and mapping in separate files).
  'v3-tl-04-conv1d+oc+ic-3levelspatial-cp', '2019-tl-03-conv1d+oc-3level-bypass'];
// Values no attribute of a storage or compute node may take (0 and fractions
// are legal for some, e.g. min_utilization; those are judged by the energy below).
const BAD = [0, -1, 0.5, 1e308, 'NaN', '.nan', 'Infinity', '-inf', 'abc', 2 ** 31, 2 ** 53 + 2, 1e30, '1e400', -(2 ** 53)];
// Values some attribute may legally take (min_utilization 0, a bandwidth of 0.5 words per cycle, a huge depth):
// accepted or refused, but never a crash or a non-finite number.
const MAYBE_LEGAL = new Set<unknown>([0, 0.5, 1e308, 2 ** 31, 2 ** 53 + 2, 1e30]);

const attempts: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(attempts).reduce((a, b) => a + b, 0);
  process.stdout.write(`fuzz (Timeloop attribute × bad value): ${JSON.stringify(attempts)}, ${total} attempts, 0 violations\n`);
});

interface Site { path: (string | number)[]; key: string }

/** Every numeric attribute (a number, or a string that is one) of every node under `architecture`. */
function numericAttributes(doc: unknown): Site[] {
  const out: Site[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'attributes' && x !== null && typeof x === 'object' && !Array.isArray(x)) {
          for (const [a, y] of Object.entries(x)) {
            if (typeof y === 'number' || (typeof y === 'string' && y.trim() !== '' && Number.isFinite(Number(y)))) out.push({ path: [...path, k], key: a });
          }
        } else walk(x, [...path, k]);
      }
    }
  };
  walk((doc as Record<string, unknown>).architecture, ['architecture']);
  return out;
}

function set(doc: unknown, s: Site, v: unknown): unknown {
  const copy = structuredClone(doc);
  let o = copy as Record<string | number, unknown>;
  for (const p of s.path) o = o[p] as Record<string | number, unknown>;
  o[s.key] = v;
  return copy;
}

/** Every number in a JSON value is finite and none is null; returns the first offending path. */
function insane(v: unknown, path = '$'): string | undefined {
  if (v === null) return path;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : path;
  if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) { const r = insane(x, `${path}.${k}`); if (r) return r; }
  return undefined;
}

describe.runIf(referenceAvailable())('fuzzed Timeloop attributes', () => {
  const refs = referenceAvailable() ? loadRefs() : [];
  for (const name of CASES) {
    it(`${name}: every numeric architecture attribute × ${BAD.length} bad values`, async () => {
      const r = refs.find((c) => c.name === name)!;
      expect(r, name).toBeDefined();
      const { inputs, ert } = caseInputs(r);
      // The file with the architecture (v4: the one resolved input; older snapshots: arch/*.yaml).
      const ai = inputs.findIndex((f) => /architecture:/.test(readFileSync(f, 'utf8')));
      expect(ai, name).toBeGreaterThanOrEqual(0);
      const base = parse(readFileSync(inputs[ai], 'utf8'));
      const others = inputs.filter((_, i) => i !== ai);
      const ref = await runCli(['model', ...inputs, '--ert', ert, '--json']);
      expect(ref.code, ref.stderr).toBe(0);
      const energy = JSON.parse(ref.stdout).energy_pJ;
      const sites = numericAttributes(base);
      expect(sites.length).toBeGreaterThan(10);
      let n = 0, refused = 0;
      for (const s of sites) {
        for (const v of BAD) {
          const file = join(tmp, `${name}-${n}.yaml`);
          writeFileSync(file, stringify(set(base, s, v)));
          const res = await runCli(['model', ...inputs.map((f, i) => (i === ai ? file : f)), '--ert', ert, '--json']);
          const field = [...s.path, s.key].map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1).replace(/\.\[/g, '[');
          const ctx = `${field} = ${JSON.stringify(v)}: ${res.stderr}`;
          expect(res.stderr, ctx).not.toMatch(/internal error|\n\s+at /);
          expect([0, 2], ctx).toContain(res.code);
          const lines = res.stderr.trim().split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
          if (res.code === 0) {
            expect(lines, ctx).toEqual([]);
            const j = JSON.parse(res.stdout);
            expect(insane(j), ctx).toBeUndefined();
            // A value no attribute may take, accepted: only if the attribute is not read.
            if (!MAYBE_LEGAL.has(v)) expect(j.energy_pJ, ctx).toBe(energy);
          } else {
            expect(lines, ctx).toHaveLength(1);
            expect(lines[0], ctx).toMatch(/^dnnergy: .+\.yaml: .+: expected /);
            expect([file, ...others].some((f) => lines[0].startsWith(`dnnergy: ${f}: `)), ctx).toBe(true);
            // The attribute (or its node, for a rule across attributes such as meshX × meshY = instances), or the
            // mapping that no longer fits (a depth of 0, a huge multiple_buffering: capacities Timeloop would compute too).
            expect(lines[0].includes(field) || lines[0].includes(`${field.slice(0, field.lastIndexOf('.'))}: `) || /: mapping[.[]/.test(lines[0]), ctx).toBe(true);
            refused++;
          }
          n++;
        }
      }
      attempts[name] = n;
      // Most bad values are refused (the attributes that matter are checked).
      expect(refused).toBeGreaterThan(n / 3);
    }, 120_000);
  }
});
