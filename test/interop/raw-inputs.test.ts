/**
 * The v0.4 reference cases read from their raw published inputs (tagged
 * nodes, Jinja2 templates, includes, variables, expressions) as the
 * exercises run them give the reference's numbers with the reference ERT,
 * and the same architecture as the resolved `parsed-processed-input.yaml`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import { evaluate } from '../../src/model/model.js';
import { isDense, loadRefs, REFERENCE_DIR, referenceAvailable, type RefCase } from '../helpers/reference.js';

/** The raw inputs of a case, as its exercise's instructions run it, and the Jinja2 data they pass. */
function rawInputs(r: RefCase): { inputs: string[]; jinja: Record<string, unknown> } | undefined {
  const dir = join(REFERENCE_DIR, r.local_dir, 'inputs');
  const yamls = (d: string) => readdirSync(join(dir, d)).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, d, f));
  if (r.name.startsWith('v4-tl-')) {
    const subs = readdirSync(dir).filter((d) => ['arch', 'prob', 'map', 'constraints', 'mapper'].includes(d));
    return { inputs: subs.flatMap((d) => (d === 'arch' ? yamls(d) : yamls(d))), jinja: {} };
  }
  // example_designs: top.yaml.jinja2 one folder up, the design's folder as `architecture`.
  if (r.name.startsWith('v4-ex-')) return { inputs: [join(dir, 'up/top.yaml.jinja2')], jinja: { architecture: '..' } };
  // The tutorial's design-space run that made the reference switched the register off.
  if (r.name.startsWith('v4-tut02')) return { inputs: [join(dir, 'top.yaml.jinja')], jinja: { reg_enabled: false } };
  if (r.name.startsWith('v4-ta-')) {
    // run_example.py's from_yaml_files(...) and jinja_parse_data.
    const fp = r.name.endsWith('fpmac');
    return {
      inputs: [join(dir, 'arch/arch.yaml'), ...yamls('arch/components'), ...yamls('prob'), ...yamls('mapper')],
      jinja: { mac_class: fp ? 'fpmac' : 'intmac', input_weight_datawidth: fp ? 32 : 8, psum_datawidth: fp ? 32 : 16 },
    };
  }
  return undefined;
}

function refFile(r: RefCase, test: (f: string) => boolean): string {
  const ref = join(REFERENCE_DIR, r.local_dir, 'ref');
  return join(ref, readdirSync(ref).find(test)!);
}

/** Published inputs that are not the ones the reference was made with (the reference is the oracle). */
const DIFFERENT_INPUTS: Record<string, string> = {
  // The published 3levelspatial.arch.yaml keeps GlobalBuffer outside the PE container; the reference's
  // resolved input has it inside (GlobalBuffer[1..16]).
  'v4-tl-04-conv1d+oc+ic-3levelspatial-cp': 'GlobalBuffer',
  'v4-tl-04-conv1d+oc+ic-3levelspatial-kp': 'GlobalBuffer',
};

const refs = referenceAvailable() ? loadRefs() : [];
const v4 = refs.filter((r) => r.snapshot === 'v4' && isDense(r));

describe.runIf(referenceAvailable())('v0.4 reference cases from their raw published inputs', () => {
  it('every dense v4 case has raw inputs the front end reads', () => {
    expect(v4.length).toBe(20);
    expect(v4.filter((r) => rawInputs(r) === undefined).map((r) => r.name)).toEqual([]);
  });
  for (const r of v4) {
    it(r.name, () => {
      const { inputs, jinja } = rawInputs(r)!;
      if (r.tool === 'mapper') inputs.push(refFile(r, (f) => f.endsWith('.map.yaml')));
      const ert = refFile(r, (f) => /ERT\.yaml$/.test(f) && !/summary/.test(f));
      const raw = loadInputs(inputs, ert, { jinja });
      const resolved = loadInputs([refFile(r, (f) => f === 'parsed-processed-input.yaml'), ...(r.tool === 'mapper' ? [inputs[inputs.length - 1]] : [])], ert);
      expect(raw.version).toBe('0.4');
      expect(raw.convention).toBe('v4');
      expect(raw.workload.bounds).toEqual(resolved.workload.bounds);
      expect(raw.workload.dims).toEqual(resolved.workload.dims);
      const level = (i: typeof raw) => i.arch.storage.map((s) => ({ ...s, className: undefined }));
      const res = evaluate(raw.workload, raw.arch, raw.mapping!, raw.energy!, { convention: 'v4' });
      if (DIFFERENT_INPUTS[r.name]) {
        const name = DIFFERENT_INPUTS[r.name];
        const a = raw.arch.storage.find((s) => s.name === name)!;
        const b = resolved.arch.storage.find((s) => s.name === name)!;
        expect(a.instances).not.toBe(b.instances);
        return;
      }
      // The same levels (class names aside: a `subclass` may stand for the class), compute unit and mapping.
      expect(level(raw)).toEqual(level(resolved));
      expect(raw.arch.compute).toEqual(resolved.arch.compute);
      expect(raw.mapping).toEqual(resolved.mapping);
      expect(res.cycles).toBe(r.metrics.cycles);
      expect(res.computes).toBe(Number(r.metrics.computes));
      const refE = r.metrics.energy_total_pJ_sum_of_detailed_stats!;
      expect(Math.abs(res.energyPJ - refE) / refE).toBeLessThan(1e-4);
    });
  }
});

describe.runIf(referenceAvailable())('v0.4 sparse cases read from their raw inputs: the same sparse spec as the resolved input', () => {
  const sparse = refs.filter((r) => r.snapshot === 'v4' && r.tool !== 'accelergy' && !isDense(r));
  it('all twelve', () => {
    expect(sparse.length).toBe(12);
  });
  for (const r of sparse) {
    it(r.name, () => {
      const dir = join(REFERENCE_DIR, r.local_dir, 'inputs');
      const deep = readdirSync(join(dir, 'up')).includes('up');
      const inp = loadInputs([join(dir, deep ? 'up/up/top.yaml.jinja2' : 'up/top.yaml.jinja2')], undefined, { jinja: { architecture: deep ? '../..' : '..' } });
      const resolved = loadInputs([refFile(r, (f) => f === 'parsed-processed-input.yaml')]);
      expect(inp.arch.storage.map((s) => [s.name, s.instances])).toEqual(resolved.arch.storage.map((s) => [s.name, s.instances]));
      // Per-component sparse optimizations (v4 !Component attributes) give what the dumped input's section gives.
      expect(JSON.stringify(inp.sparse ?? null)).toBe(JSON.stringify(resolved.sparse ?? null));
      if (!r.name.includes('DUDU') && !r.name.includes('tensor_core')) expect(inp.sparse).toBeDefined();
    });
  }
});

describe.runIf(referenceAvailable())('raw inputs named by a relative path', () => {
  it("a template's cwd() includes resolve from a relative path too", async () => {
    const { relative } = await import('node:path');
    const r = refs.find((x) => x.name === 'v4-ex-eyeriss_like')!;
    const top = relative(process.cwd(), join(REFERENCE_DIR, r.local_dir, 'inputs/up/top.yaml.jinja2'));
    expect(top.startsWith('/')).toBe(false);
    const inp = loadInputs([top], refFile(r, (f) => /ERT\.yaml$/.test(f) && !/summary/.test(f)), { jinja: { architecture: '..' } });
    expect(inp.arch.storage.map((l) => l.name)).toContain('shared_glb');
  });
});
