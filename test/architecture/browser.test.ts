/**
 * The public surface is browser-safe: src/index.ts bundles for the browser
 * with no `node:` module and no tfjs, and the bundle works on its own —
 * from text to a result, a mapped layer and a network report.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import { evaluate } from '../../src/model/model.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'dnnergy-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('browser bundle of src/index.ts', () => {
  it('builds for the browser with no node: module and no tfjs, and runs the engine from text', async () => {
    const out = join(dir, 'index.js');
    // platform=browser: a node: import (or fs, path, worker_threads) fails the build.
    const r = await build({ entryPoints: [join(ROOT, 'src/index.ts')], bundle: true, platform: 'browser', format: 'esm', outfile: out, metafile: true, logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((i) => /^node:|(^|\/)(fs|path|worker_threads|child_process)$/.test(i))).toEqual([]);
    expect(inputs.filter((i) => /@tensorflow|onnxruntime|cli-progress|commander/.test(i))).toEqual([]);
    for (const o of Object.values(r.metafile.outputs)) expect(o.imports.filter((i) => i.external)).toEqual([]);

    const dn = await import(pathToFileURL(out).href);
    const file = join(ROOT, 'examples/eyeriss_like_vgg_conv.yaml');
    const inp = dn.loadModelInputs(dn.documentsFromText([{ name: 'layer.yaml', text: readFileSync(file, 'utf8') }]));
    const res = dn.evaluate(inp.workload, inp.arch, inp.mapping, inp.energy);
    const ref = loadInputs([file]);
    expect(res.energyPJ).toBe(evaluate(ref.workload, ref.arch, ref.mapping!, ref.energy!).energyPJ);

    const eyeriss = dn.builtinArch('eyeriss');
    const net = dn.zooNetwork('alexnet');
    const report = await dn.analyzeNetwork(net, eyeriss.arch, eyeriss.energy, { batch: 1, objective: 'edp', evaluations: 300, seed: 1, constraints: eyeriss.constraints, pool: dn.inThreadPool });
    expect(report.layers.filter((l: { result: unknown }) => l.result).length).toBe(8);
    expect(dn.formatNetworkReport(report, eyeriss.clockHz)).toMatch(/^alexnet on eyeriss/);
    expect(() => dn.documentsFromText([{ name: 'bad.yaml', text: 'a: [' }])).toThrow(dn.SpecError);
  });
});
