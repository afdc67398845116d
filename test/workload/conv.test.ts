/** The one conv builder (Timeloop's CNN_Layer labels) and the role rule every reader applies. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mergeDocuments, readProblem } from '../../src/interop/timeloop/v4.js';
import { readNative } from '../../src/spec/native.js';
import { layerWorkload, type ConvLayer } from '../../src/network/network.js';
import { zooNames, zooNetwork } from '../../src/network/zoo.js';
import { conv2dWorkload, convWorkload } from '../../src/workload/conv.js';
import { assignRoles } from '../../src/workload/roles.js';
import type { Workload } from '../../src/workload/workload.js';
import { REFERENCE_DIR, referenceAvailable } from '../helpers/reference.js';

const shape = (w: Workload) => ({ dims: w.dims, bounds: w.bounds, dataSpaces: w.dataSpaces });

describe('conv builder', () => {
  it('labels width R/P and height S/Q, with strides and dilations on the matching Inputs rank', () => {
    const w = conv2dWorkload('l', { inC: 6, outC: 4, kH: 3, kW: 5, outH: 7, outW: 11, strideH: 1, strideW: 2, dilH: 3, dilW: 1, batch: 2 });
    const b = Object.fromEntries(w.dims.map((d, i) => [d, w.bounds[i]]));
    expect(b).toEqual({ C: 6, M: 4, R: 5, S: 3, N: 2, P: 11, Q: 7 });
    const inputs = w.dataSpaces.find((d) => d.role === 'input')!;
    const term = (rank: number) => inputs.ranks[rank].map((t) => [w.dims[t.dim], t.coef]);
    expect(term(2)).toEqual([['R', 1], ['P', 2]]);
    expect(term(3)).toEqual([['S', 3], ['Q', 1]]);
    expect(w.dataSpaces.map((d) => [d.name, d.role, d.readWrite])).toEqual([['Weights', 'weight', false], ['Inputs', 'input', false], ['Outputs', 'output', true]]);
  });

  it('grouped: C and M per group, a G dimension on every tensor; bad groups are refused', () => {
    const w = conv2dWorkload('dw', { inC: 8, outC: 8, kH: 3, kW: 3, outH: 4, outW: 4, groups: 8 });
    expect(w.dims).toEqual(['C', 'M', 'R', 'S', 'N', 'P', 'Q', 'G']);
    expect(w.bounds).toEqual([1, 1, 3, 3, 1, 4, 4, 8]);
    for (const d of w.dataSpaces) expect(d.ranks.at(-1)).toEqual([{ dim: 7, coef: 1 }]);
    expect(() => conv2dWorkload('bad', { inC: 6, outC: 8, kH: 1, kW: 1, outH: 1, outW: 1, groups: 4 })).toThrow(RangeError);
  });

  it('the Timeloop-labelled form is the same builder', () => {
    const a = convWorkload('a', { C: 3, M: 8, R: 5, S: 3, P: 22, Q: 20, Wstride: 2, Hstride: 1, N: 2 });
    const b = conv2dWorkload('b', { inC: 3, outC: 8, kW: 5, kH: 3, outW: 22, outH: 20, strideW: 2, strideH: 1, batch: 2 });
    expect(shape(a)).toEqual(shape(b));
  });

  it('every zoo layer is square, so swapping height and width gives the same workload (no zoo number changed)', () => {
    let checked = 0;
    for (const name of zooNames) {
      for (const l of zooNetwork(name)!.layers) {
        if (l.kind !== 'conv') continue;
        const swapped: ConvLayer = { ...l, inH: l.inW, inW: l.inH, outH: l.outW, outW: l.outH, kH: l.kW, kW: l.kH, strideH: l.strideW, strideW: l.strideH, padH: l.padW, padW: l.padH, dilH: l.dilW, dilW: l.dilH };
        expect(shape(layerWorkload(swapped, 1)), `${name}/${l.name}`).toEqual(shape(layerWorkload(l, 1)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it.runIf(referenceAvailable())("matches Timeloop's own CNN_Layer problem (v4-ex-eyeriss_like, stride 2)", () => {
    const file = join(REFERENCE_DIR, 'cases/v4-ex-eyeriss_like/ref/parsed-processed-input.yaml');
    const doc = parse(readFileSync(file, 'utf8')) as { problem: { instance: Record<string, number> } };
    const tl = readProblem(mergeDocuments([{ file, value: { problem: doc.problem } }]).get('problem')!);
    const i = doc.problem.instance;
    const ours = conv2dWorkload('x', { inC: i.C, outC: i.M, kW: i.R, kH: i.S, outW: i.P, outH: i.Q, strideW: i.Wstride, strideH: i.Hstride, dilW: i.Wdilation, dilH: i.Hdilation, batch: i.N });
    expect(shape(tl)).toEqual(shape(ours));
  });
});

describe('tensor roles', () => {
  const roles = (...t: [string, boolean][]) => assignRoles(t.map(([name, readWrite]) => ({ name, readWrite })));
  it('read-write is the output; known names win; the rest by position (weight first)', () => {
    expect(roles(['Weights', false], ['Inputs', false], ['Outputs', true])).toEqual(['weight', 'input', 'output']);
    expect(roles(['ifmap', false], ['Filter', false], ['psum', true])).toEqual(['input', 'weight', 'output']);
    expect(roles(['A', false], ['B', false], ['Z', true])).toEqual(['weight', 'input', 'output']);
    expect(roles(['Inputs', false], ['B', false], ['Z', true])).toEqual(['input', 'weight', 'output']);
    expect(roles(['Kernel', false], ['X', false], ['Y', false], ['Weights', true])).toEqual(['weight', 'input', 'input', 'output']);
    expect(assignRoles([{ name: 'A', readWrite: false, role: 'input' }, { name: 'B', readWrite: false }])).toEqual(['input', 'weight']);
  });

  it.runIf(referenceAvailable())('every reference problem (v0.3 and v0.4 readers) gets one weight, one input and one output', () => {
    let read = 0;
    for (const c of readdirSync(join(REFERENCE_DIR, 'cases'))) {
      const file = join(REFERENCE_DIR, 'cases', c, 'ref/parsed-processed-input.yaml');
      if (!existsSync(file)) continue;
      const doc = parse(readFileSync(file, 'utf8')) as { problem?: { shape?: unknown } };
      if (!doc.problem?.shape) continue;
      const w = readProblem(mergeDocuments([{ file, value: { problem: doc.problem } }]).get('problem')!);
      expect(w.dataSpaces.map((d) => d.role).sort(), c).toEqual(['input', 'output', 'weight']);
      read++;
    }
    expect(read).toBeGreaterThan(20);
  });

  const native = (tensors: unknown[]) => readNative([{
    file: 'n.yaml',
    value: {
      dnnergy: 1,
      workload: { dims: { K: 4, N: 2 }, tensors },
      arch: { levels: [{ name: 'DRAM', word_bits: 8 }], compute: { name: 'mac' } },
    },
  }]);
  it('native YAML: a stated role wins; a role that contradicts `output` is a user error naming the field', () => {
    const w = native([{ name: 'x', index: ['K'], role: 'input' }, { name: 'w', index: ['K', 'N'] }, { name: 'y', index: ['N'], output: true }]).workload;
    expect(w.dataSpaces.map((d) => d.role)).toEqual(['input', 'weight', 'output']);
    expect(() => native([{ name: 'x', index: ['K'], role: 'output' }, { name: 'y', index: ['N'], output: true, role: 'weight' }])).toThrow(/tensors\[1\]\.role/);
    const implied = native([{ name: 'x', index: ['K'] }, { name: 'y', index: ['N'], role: 'output' }]).workload;
    expect(implied.dataSpaces[1].readWrite).toBe(true);
  });

  it('native YAML conv2d: groups must divide the channels, and one workload form only (user errors naming the field)', () => {
    const doc = (workload: unknown) => [{ file: 'c.yaml', value: { dnnergy: 1, workload, arch: { levels: [{ name: 'DRAM', word_bits: 8 }], compute: { name: 'mac' } } } }];
    const c2 = { inC: 6, outC: 8, kH: 3, kW: 1, outH: 4, outW: 4 };
    expect(readNative(doc({ conv2d: { ...c2, groups: 2 } })).workload.bounds).toEqual([3, 4, 1, 3, 1, 4, 4, 2]);
    expect(() => readNative(doc({ conv2d: { ...c2, groups: 4 } }))).toThrow(/workload\.conv2d\.groups/);
    expect(() => readNative(doc({ conv2d: c2, conv: { C: 1, M: 1, P: 1, Q: 1, R: 1, S: 1 } }))).toThrow(/one of `conv`, `conv2d`/);
  });

  it('native YAML: DRAM levels are off-chip unless stated otherwise', () => {
    const arch = readNative([{
      file: 'n.yaml',
      value: {
        dnnergy: 1, workload: { conv: { C: 1, M: 1, P: 1, Q: 1, R: 1, S: 1 } },
        arch: { levels: [{ name: 'DRAM', word_bits: 8 }, { name: 'HBM', class: 'SRAM', word_bits: 8, off_chip: true }, { name: 'RF', word_bits: 8, size: 4 }], compute: { name: 'mac' } },
      },
    }]).arch;
    expect(arch.storage.map((l) => [l.name, l.offChip])).toEqual([['RF', false], ['HBM', true], ['DRAM', true]]);
  });
});
