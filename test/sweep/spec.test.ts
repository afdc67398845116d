/** Sweep specs: validation errors as one line, design points, equal area, keys and fronts. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isca16 } from '../../src/designs/isca16.js';
import { compareDataflows } from '../../src/network/dataflows.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { SpecError } from '../../src/spec/errors.js';
import { aggregate } from '../../src/sweep/aggregate.js';
import { planSweep } from '../../src/sweep/jobs.js';
import { runSweepJob, type LayerOutcome } from '../../src/sweep/task.js';
import { artArea } from '../../src/sweep/area.js';
import { buildDesign, ROWSTATIONARY_DEFAULTS } from '../../src/sweep/design.js';
import { canonicalJson, keyOf } from '../../src/sweep/key.js';
import { paretoFront } from '../../src/sweep/pareto.js';
import { designSpace } from '../../src/sweep/space.js';
import { parseSweepSpec } from '../../src/sweep/spec.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dnnergy-sweep-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specFile(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const errorOf = (text: string): SpecError => {
  try {
    designSpace(parseSweepSpec(text, 's.yaml'));
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('sweep spec errors', () => {
  it('names an unknown parameter with the ones the base has', () => {
    const e = errorOf('base: eyeriss\nparameters:\n  pe_rows: { values: [8] }\nnetworks: [alexnet]\n');
    expect(e.field).toBe('parameters.pe_rows');
    expect(e.message).toContain('rows, cols');
  });
  it('refuses an empty range and an empty list', () => {
    expect(errorOf('base: eyeriss\nparameters:\n  rows: { range: { from: 16, to: 8 } }\nnetworks: [alexnet]\n').field).toBe('parameters.rows.range');
    expect(errorOf('base: eyeriss\nparameters:\n  rows: { values: [] }\nnetworks: [alexnet]\n').field).toBe('parameters.rows.values');
  });
  it('refuses unknown keys, bases and bad values by field path', () => {
    expect(errorOf('base: eyeriss\nnetwork: [alexnet]\nnetworks: [alexnet]\n').field).toBe('network');
    expect(errorOf('base: tpu\nnetworks: [alexnet]\n').field).toBe('base');
    expect(errorOf('base: eyeriss\nparameters:\n  rows: { values: [0] }\nnetworks: [alexnet]\n').field).toBe('parameters.rows');
    expect(errorOf('base: eyeriss\nwhere: ["area <"]\nnetworks: [alexnet]\n').field).toBe('where[0]');
    expect(errorOf('base: eyeriss\nevaluations: 0\nnetworks: [alexnet]\n').field).toBe('evaluations');
  });
  it('prints one line and exits 2 in the CLI', async () => {
    const unknown = specFile('unknown.yaml', 'base: eyeriss\nparameters:\n  glb_kb: { values: [64] }\nnetworks: [alexnet]\n');
    const r = await runCli(['sweep', unknown, '--out', join(dir, 'u.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('parameters.glb_kb');
    const empty = specFile('empty.yaml', 'base: eyeriss\nparameters:\n  rows: { range: { from: 4, to: 2 } }\nnetworks: [alexnet]\n');
    const r2 = await runCli(['sweep', empty, '--out', join(dir, 'e.db')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toContain('parameters.rows.range: expected a non-empty range');
    const layer = specFile('layer.yaml', 'base: eyeriss\nnetworks: [{ zoo: alexnet, layers: [conv9] }]\n');
    const r3 = await runCli(['sweep', layer, '--out', join(dir, 'l.db')]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('networks[0].layers[0]');
  });
  it('an unreachable Redis is one line, exit 2, before any work', async () => {
    // A port that was free a moment ago: nobody listens on it.
    const port = await new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
    const ok = specFile('ok.yaml', 'base: eyeriss\nnetworks: [{ zoo: alexnet, layers: [conv3] }]\nevaluations: 50\n');
    const out = join(dir, 'q.db');
    const r = await runCli(['sweep', ok, '--out', out, '--queue', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--queue: expected a reachable Redis server');
    const w = await runCli(['worker', '--queue', `redis://127.0.0.1:${port}`]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('--queue: expected a reachable Redis server');
    const bad = await runCli(['sweep', ok, '--out', out, '--queue', 'http://x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a Redis URL');
  });
});

describe('design points', () => {
  const grid = 'base: eyeriss\nparameters:\n  rows: { values: [8, 12, 16] }\n  bufferWords: { range: { from: 8192, to: 65536, times: 2 } }\nnetworks: [alexnet]\n';
  it('a grid is the product of the values; keys are distinct and stable', () => {
    const a = designSpace(parseSweepSpec(grid, 's.yaml'));
    expect(a.points).toHaveLength(12);
    expect(new Set(a.points.map((p) => p.key)).size).toBe(12);
    expect(a.points.map((p) => p.key)).toEqual(designSpace(parseSweepSpec(grid, 's.yaml')).points.map((p) => p.key));
    // Area (ART) grows with the buffer and with the PEs.
    const area = (r: number, b: number) => a.points.find((p) => p.spec.params.rows === r && p.spec.params.bufferWords === b)!.area.value;
    expect(area(8, 16384)).toBeGreaterThan(area(8, 8192));
    expect(area(16, 8192)).toBeGreaterThan(area(8, 8192));
    expect(a.areaSource).toBe('art');
    expect(a.warnings.some((w) => w.includes('defaults'))).toBe(true);
  });
  it('random sampling draws distinct grid points, the same for the same seed', () => {
    const s = (seed: number) => designSpace(parseSweepSpec(`${grid}sampling: { random: 5 }\nseed: ${seed}\n`, 's.yaml')).points.map((p) => p.key);
    expect(s(3)).toHaveLength(5);
    expect(new Set(s(3)).size).toBe(5);
    expect(s(3)).toEqual(s(3));
    expect(s(3)).not.toEqual(s(4));
  });
  it('derive and where compute and filter on parameters and area', () => {
    const d = designSpace(parseSweepSpec('base: eyeriss\nparameters:\n  rows: { values: [8, 12, 16] }\nderive:\n  cols: rows\nwhere: ["rows * cols <= 144"]\nnetworks: [alexnet]\n', 's.yaml'));
    expect(d.points.map((p) => [p.spec.params.rows, p.spec.params.cols])).toEqual([[8, 8], [12, 12]]);
    expect(d.filtered).toBe(1);
  });
  it("equal area reproduces the ISCA'16 buffers of the built-in comparison set", () => {
    const d = designSpace(parseSweepSpec('base: isca16\nparameters:\n  dataflow: { values: [RS, WS, OSA, OSB, OSC, NLR] }\nequal_area:\n  reference: { dataflow: RS }\n  solve: bufferWords\nnetworks: [alexnet]\n', 's.yaml'));
    expect(d.areaSource).toBe('isca16');
    for (const p of d.points) {
      const builtin = isca16(p.spec.params.dataflow as 'RS');
      const glb = builtin.arch.storage.find((l) => l.name === 'buffer' || l.name === 'shared_glb')!;
      expect(p.spec.params.bufferWords).toBe(glb.sizeWords);
    }
    expect(new Set(d.points.map((p) => p.area.value)).size).toBe(1);
  });
  it('equal area under ART solves the buffer per point: more PEs, smaller buffer', () => {
    const d = designSpace(parseSweepSpec('base: eyeriss\nparameters:\n  rows: { values: [8, 12, 16] }\nequal_area:\n  reference: { rows: 12 }\n  solve: bufferWords\n  multiple_of: 256\nnetworks: [alexnet]\n', 's.yaml'));
    const buf = d.points.map((p) => p.spec.params.bufferWords as number);
    expect(buf[0]).toBeGreaterThan(buf[1]);
    expect(buf[1]).toBeGreaterThan(buf[2]);
    const ref = artArea(buildDesign({ kind: 'rowstationary', base: 'eyeriss', params: { ...ROWSTATIONARY_DEFAULTS, rows: 12 } }).arch).value;
    for (const p of d.points) {
      expect(p.area.value).toBeLessThanOrEqual(ref * (1 + 1e-9));
      expect(p.area.value).toBeGreaterThan(ref * 0.9);
    }
  });
});

describe('keys and fronts', () => {
  it('canonical JSON ignores key order; keys differ with any field', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [1, { f: 1, e: 2 }] } })).toBe(canonicalJson({ a: { c: [1, { e: 2, f: 1 }], d: 2 }, b: 1 }));
    expect(keyOf({ a: 1, b: 2 })).toBe(keyOf({ b: 2, a: 1 }));
    expect(keyOf({ a: 1 })).not.toBe(keyOf({ a: 2 }));
    expect(keyOf({ a: 1 })).toMatch(/^k[0-9a-f]{28}$/);
  });
  it('the front keeps exactly the non-dominated points', () => {
    const pts = [[1, 5, 1], [2, 2, 2], [5, 1, 1], [3, 3, 3], [2, 2, 2], [1, 5, 2]];
    expect(paretoFront(pts)).toEqual([0, 1, 2, 4]);
  });
});

describe('examples', () => {
  it('the shipped sweep specs parse: the ISCA\'16 set and ≥ 200 Eyeriss-like designs', () => {
    const isca = designSpace(parseSweepSpec(readFileSync('examples/sweep-isca16.yaml', 'utf8'), 'examples/sweep-isca16.yaml'));
    expect(isca.points.map((p) => p.spec.params.dataflow)).toEqual(['RS', 'WS', 'OSA', 'OSB', 'OSC', 'NLR']);
    const ey = designSpace(parseSweepSpec(readFileSync('examples/sweep-eyeriss.yaml', 'utf8'), 'examples/sweep-eyeriss.yaml'));
    expect(ey.points.length).toBeGreaterThanOrEqual(200);
    expect(ey.gridSize).toBeGreaterThan(ey.points.length);
  });

  it("the ISCA'16 sweep gives the energies and cycles of `dnnergy dataflows`", async () => {
    const spec = parseSweepSpec('base: isca16\nparameters:\n  dataflow: { values: [RS, WS, OSC, NLR] }\nequal_area: { reference: { dataflow: RS }, solve: bufferWords }\nnetworks: [{ zoo: alexnet, layers: [conv3, fc8], batch: 4 }]\nevaluations: 300\n', 's.yaml');
    const full = zooNetwork('alexnet')!;
    const net = { ...full, layers: full.layers.filter((l) => l.name === 'conv3' || l.name === 'fc8') };
    const space = designSpace(spec);
    const nets = [{ name: 'alexnet', batch: 4, layers: net.layers }];
    const plan = planSweep(space.points, nets, spec);
    const out = new Map<string, LayerOutcome>();
    for (const j of plan.jobs) out.set(j.key, await runSweepJob(j));
    const totals = aggregate(space.points.map((p) => ({ index: p.index, clockHz: p.design.clockHz })), nets, plan.refs, (k) => out.get(k));
    const flows = await compareDataflows(net, { batch: 4, objective: 'edp', evaluations: 300, seed: 1, dataflows: ['RS', 'WS', 'OSC', 'NLR'] });
    expect(totals.map((t) => [t.energy, t.cycles])).toEqual(flows.map((f) => [f.report.totals.energy, f.report.totals.cycles]));
  });
});

describe.skipIf(!existsSync(`${REFERENCE_DIR}/cases/v4-ex-simple_weight_stationary/ref`))('a files base', () => {
  it('Timeloop files with Jinja2 variables as the parameters; a layer that does not fit is an answer, not a failure', async () => {
    const ref = `${REFERENCE_DIR}/cases/v4-ex-simple_weight_stationary/ref`;
    const arch = specFile('ws.yaml', readFileSync(`${ref}/parsed-processed-input.yaml`, 'utf8').replace('depth: 16384', 'depth: {{ glb_depth }}'));
    const ert = `${ref}/timeloop-mapper.ERT.yaml`;
    const spec = parseSweepSpec(`base: { files: [${arch}], ert: ${ert} }\nparameters:\n  glb_depth: { values: [2048, 16384] }\nnetworks: [{ zoo: alexnet, layers: [conv3] }]\nevaluations: 300\n`, 's.yaml');
    const files = { files: [{ name: arch, text: readFileSync(arch, 'utf8') }], ert: { name: ert, text: readFileSync(ert, 'utf8') } };
    const d = designSpace(spec, files);
    // depth is in rows of the buffer's block (4 words here).
    const words = d.points.map((p) => p.design.arch.storage.find((l) => l.name === 'shared_glb')!);
    expect(words.map((l) => l.sizeWords! / l.blockSize)).toEqual([2048, 16384]);
    expect(d.points[1].area.value).toBeGreaterThan(d.points[0].area.value);
    const net = zooNetwork('alexnet')!;
    const plan = planSweep(d.points, [{ name: 'alexnet', batch: 1, layers: net.layers.filter((l) => l.name === 'conv3') }], spec);
    const [small, big] = await Promise.all(plan.jobs.map((j) => runSweepJob(j)));
    expect(small.ok).toBe(false);
    expect(big.ok).toBe(true);
  });
});
