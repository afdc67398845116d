/** One resolver for every --arch: built-in names, Timeloop files with an ERT, and prune on a file. */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { isArchFile, resolveDesign, type ArchLoader } from '../../src/designs/resolve.js';
import { SpecError } from '../../src/spec/errors.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR } from '../helpers/reference.js';

const REF = `${REFERENCE_DIR}/cases/v4-ex-simple_weight_stationary/ref`;
const ARCH = `${REF}/parsed-processed-input.yaml`;
const ERT = `${REF}/timeloop-mapper.ERT.yaml`;

describe('resolveDesign', () => {
  const eyeriss = builtinArch('eyeriss')!;
  const calls: [readonly string[], string | undefined][] = [];
  const load: ArchLoader = (paths, ert) => {
    calls.push([paths, ert]);
    return { arch: eyeriss.arch, energy: eyeriss.energy, sections: new Map() };
  };

  it('names a built-in, which is a Design', () => {
    const d = resolveDesign('eyeriss', undefined, load);
    expect(d.name).toBe('eyeriss');
    expect(d.clockHz).toBe(200e6);
    expect(d.warnings).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('reads files through the loader: comma-separated YAML, with the ERT', () => {
    const d = resolveDesign('a.yaml, b.yml', 'e.yaml', load);
    expect(calls).toEqual([[['a.yaml', 'b.yml'], 'e.yaml']]);
    expect(d.name).toBe(eyeriss.arch.name);
    expect(d.description).toContain('a.yaml, b.yml');
    expect(isArchFile('arch.YAML')).toBe(true);
    expect(isArchFile('eyeriss')).toBe(false);
  });

  it('rejects an unknown name, and an ERT for a built-in, naming the flag', () => {
    expect(() => resolveDesign('tpu9', undefined, load)).toThrow(SpecError);
    expect(() => resolveDesign('tpu9', undefined, load)).toThrow(/--arch: expected a built-in architecture \(eyeriss, isca16-rs/);
    expect(() => resolveDesign('eyeriss', 'e.yaml', load)).toThrow(/--ert: expected an ERT only with an architecture file/);
  });
});

describe('prune --arch <file.yaml> --ert <ERT>', () => {
  it('prunes the shipped LeNet-5 for one step with the energy of a Timeloop architecture', async () => {
    const r = await runCli(['prune', '--model', 'lenet5', '--arch', ARCH, '--ert', ERT, '--method', 'magnitude', '--first-step', '0.5', '--min-step', '0.5',
      '--step-images', '200', '--validation-images', '100', '--final-images', '0', '--evaluations', '300', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.arch).toBe('system_top_level');
    expect(j.energy_unit).toBe('pJ');
    expect(j.steps).toHaveLength(1);
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
    for (const l of j.layers) {
      expect(l.energy_before).toBeGreaterThan(0);
      expect(l.energy_all_dense).toBeGreaterThanOrEqual(l.energy_before);
    }
    const sum = j.layers.reduce((s: number, l: { energy_before: number }) => s + l.energy_before, 0);
    expect(Math.abs(sum - j.energy.before) / j.energy.before).toBeLessThan(1e-12);
  }, 120_000);

  it('exits 2 with one line on a missing ERT or file', async () => {
    for (const [args, msg] of [
      [['--arch', ARCH], /ERT: expected energies/],
      [['--arch', 'nowhere/arch.yaml', '--ert', ERT], /nowhere\/arch\.yaml/],
      [['--arch', 'eyeriss', '--ert', ERT], /--ert: expected an ERT only with an architecture file/],
    ] as [string[], RegExp][]) {
      const r = await runCli(['prune', '--model', 'lenet5', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });
});
