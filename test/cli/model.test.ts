import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR, referenceAvailable } from '../helpers/reference.js';

const EXAMPLE = 'examples/eyeriss_like_vgg_conv.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-cli-'));

function variant(name: string, edit: (text: string) => string): string {
  const f = join(tmp, name);
  writeFileSync(f, edit(readFileSync(EXAMPLE, 'utf8')));
  return f;
}

describe('dnnergy model', () => {
  it('prints a per-level table for the example', async () => {
    const r = await runCli(['model', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vgg16_conv3_2 on eyeriss_like: 924,844,032 MACs, 5,505,024 cycles/);
    expect(r.stdout).toMatch(/weights_spad\s+Weights\s+5,505,024\s+688,128/);
  });

  it('prints the results schema with --json, byte-identical across runs', async () => {
    const a = await runCli(['model', EXAMPLE, '--json']);
    const b = await runCli(['model', EXAMPLE, '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(Object.keys(j)).toEqual(['computes', 'cycles', 'utilization', 'energy_pJ', 'levels', 'warnings']);
    expect(j.levels[0].name).toBe('mac');
    expect(Object.keys(j.levels[1])).toEqual(['name', 'instances', 'utilized_instances', 'energy_pJ', 'leakage_pJ', 'cycles', 'dataspaces']);
    expect(Object.keys(j.levels[1].dataspaces.Outputs)).toEqual(['reads', 'fills', 'updates', 'temporal_reductions', 'utilized_capacity', 'energy_pJ']);
    const sum = j.levels.reduce((s: number, l: { energy_pJ: number }) => s + l.energy_pJ, 0);
    expect(Math.abs(sum - j.energy_pJ) / j.energy_pJ).toBeLessThan(1e-12);
  });

  it('writes --out atomically and the same JSON', async () => {
    const out = join(tmp, 'res', 'r.json');
    const r = await runCli(['model', EXAMPLE, '--json', '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
  });

  it.runIf(referenceAvailable())('reads Timeloop inputs with --ert', async () => {
    const d = join(REFERENCE_DIR, 'cases/v4-tl-06-mapper-eyeriss-vgg02-layer5/ref');
    const r = await runCli(['model', join(d, 'parsed-processed-input.yaml'), join(d, 'timeloop-mapper.map.yaml'), '--ert', join(d, 'timeloop-mapper.ERT.yaml'), '--json']);
    expect(r.code).toBe(0);
    const native = await runCli(['model', EXAMPLE, '--json']);
    // Same design written natively: same numbers.
    expect(JSON.parse(r.stdout).energy_pJ).toBeCloseTo(JSON.parse(native.stdout).energy_pJ, 3);
  });

  const bad: [string, (t: string) => string, RegExp][] = [
    ['malformed YAML', (t) => t.replace('conv: {', 'conv: {{'), /line \d+, column \d+: expected valid YAML/],
    ['unknown dimension in a loop', (t) => t.replace('[R3, C8]', '[X3, C8]'), /mapping\[5\]\.temporal\[0\]: expected dimensions of the workload/],
    ['factors not multiplying to the bound', (t) => t.replace('[Q4, C4, P7, M4]', '[Q4, C4, P7, M2]'), /mapping\.M: expected factors of M whose product is its bound 256, found 128/],
    ['tile overflowing a level', (t) => t.replace('temporal: [M8]', 'temporal: [M32]').replace('[Q4, C4, P7, M4]', '[Q4, C4, P7]'), /mapping\.psum_spad: expected tiles that fit psum_spad's 16 words, found 32 words \(Outputs 32\)/],
    ['fanout exceeded', (t) => t.replace('Y: [M4, S3]', 'Y: [M8, S3]').replace('[Q4, C4, P7, M4]', '[Q4, C4, P7, M2]'), /mapping\.inter_PE_spatial\.spatial\.Y: expected a spatial Y fanout of at most 12 under inter_PE_spatial, found 24/],
    ['missing energy action', (t) => t.replace('psum_spad: { read: 0.2513, ', 'psum_spad: { '), /psum_spad\.read: expected energy of action "read" for psum_spad/],
    ['unknown level in mapping', (t) => t.replace('level: psum_spad', 'level: psum'), /mapping\[6\]\.level: expected a level of the architecture/],
    ['negative bound', (t) => t.replace('C: 128', 'C: -128'), /workload\.conv\.C: expected/],
    ['unknown key', (t) => t.replace('dnnergy: 1', 'dnnergy: 1\nworklaod: {}'), /worklaod: expected a known key \(see docs\/formats\.md\), not worklaod/],
  ];
  for (const [what, edit, msg] of bad) {
    it(`exits 2 with one clear line on ${what}`, async () => {
      const f = variant(`${what.replace(/\W+/g, '_')}.yaml`, edit);
      const r = await runCli(['model', f]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(f);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('exits 2 on a missing file and writes nothing', async () => {
    const out = join(tmp, 'never.json');
    const r = await runCli(['model', join(tmp, 'nope.yaml'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml: expected a readable file, found no such file/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on a bad flag', async () => {
    const r = await runCli(['model', EXAMPLE, '--convention', 'v9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--convention: expected v4 or v3, found v9/);
  });
});

describe.runIf(referenceAvailable())('short error lines', () => {
  it('name the first input and how many more, never a joined list of paths', async () => {
    const d = join(REFERENCE_DIR, 'cases/v4-tl-06-mapper-eyeriss-vgg02-layer5/ref');
    const r = await runCli(['model', join(d, 'parsed-processed-input.yaml'), join(d, 'timeloop-mapper.ERT.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dnnergy: \S*parsed-processed-input\.yaml \(\+1 more\): mapping: expected a mapping/);
  });
});
