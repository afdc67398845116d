/**
 * One non-square layer (input 3×20×44, kernel 3×5, stride 1×2, padding 1×2)
 * written three ways — native YAML, an ONNX file, a Timeloop v0.4 CNN_Layer
 * problem — is one workload and gives one result under one mapping; and the
 * built-in row-stationary design unrolls its filter rows (S) and output rows
 * (Q), as the Eyeriss papers do.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { exportSequentialOnnx } from '../../src/network/onnx/export.js';
import { importOnnx } from '../../src/network/onnx/import.js';
import { mergeDocuments, readProblem } from '../../src/interop/timeloop/v4.js';
import { runMapper } from '../../src/mapper/run.js';
import { MapSpace } from '../../src/mapper/space.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { planEnergy } from '../../src/model/cost.js';
import { evaluate } from '../../src/model/model.js';
import { analyse } from '../../src/model/nest.js';
import { layerWorkload, type ConvLayer, type Layer, type Network } from '../../src/network/network.js';
import { readNative } from '../../src/spec/native.js';
import type { Workload } from '../../src/workload/workload.js';

// Input C×H×W = 3×20×44; 8 filters of 3 (high) × 5 (wide); stride 1 down, 2 across; padding 1, 2.
const layer: ConvLayer = {
  kind: 'conv', name: 'wide', inC: 3, inH: 20, inW: 44, outC: 8, outH: 20, outW: 22, kH: 3, kW: 5,
  strideH: 1, strideW: 2, padH: 1, padW: 2, dilH: 1, dilW: 1, groups: 1,
};

const nativeYaml = `
dnnergy: 1
workload:
  name: wide
  conv2d: { inC: 3, outC: 8, kH: 3, kW: 5, outH: 20, outW: 22, strideH: 1, strideW: 2 }
arch:
  levels: [{ name: DRAM, word_bits: 16 }]
  compute: { name: mac }
`;

// Timeloop's CNN_Layer: R and P are widths (with Wstride), S and Q heights (with Hstride).
const timeloopYaml = `
problem:
  version: '0.4'
  instance: { C: 3, M: 8, R: 5, S: 3, N: 1, P: 22, Q: 20, Wstride: 2, Hstride: 1, Wdilation: 1, Hdilation: 1 }
  shape:
    name: CNN_Layer
    dimensions: [C, M, R, S, N, P, Q]
    coefficients:
      - { name: Wstride, default: 1 }
      - { name: Hstride, default: 1 }
      - { name: Wdilation, default: 1 }
      - { name: Hdilation, default: 1 }
    data_spaces:
      - name: Weights
        projection: [[[C]], [[M]], [[R]], [[S]]]
      - name: Inputs
        projection: [[[N]], [[C]], [[R, Wdilation], [P, Wstride]], [[S, Hdilation], [Q, Hstride]]]
      - name: Outputs
        projection: [[[N]], [[M]], [[Q]], [[P]]]
        read_write: true
`;

function fromNative(): Workload {
  return readNative([{ file: 'wide.yaml', value: parse(nativeYaml) }]).workload;
}

function fromOnnx(): Workload {
  const net: Network = {
    name: 'wide', input: [3, 20, 44], layers: [layer], inputTensor: 'input',
    tensors: new Map([['input', [3, 20, 44]], [layer.name, [layer.outC, layer.outH, layer.outW]]]), edges: [{ inputs: ['input'], output: layer.name }],
  };
  const back = importOnnx(exportSequentialOnnx(net), 'wide.onnx');
  const l = back.layers.find((x: Layer) => x.kind === 'conv');
  if (l?.kind !== 'conv') throw new Error('no conv layer came back');
  return layerWorkload(l, 1);
}

function fromTimeloop(): Workload {
  return readProblem(mergeDocuments([{ file: 'wide-problem.yaml', value: parse(timeloopYaml) }]).get('problem')!);
}

const shape = (w: Workload) => ({ dims: w.dims, bounds: w.bounds, dataSpaces: w.dataSpaces });
const eyeriss = builtinArch('eyeriss')!;

/** The best mapping the mapper finds for the Timeloop form on the built-in eyeriss (deterministic). */
async function mapOnEyeriss(w: Workload): Promise<Mapping> {
  const c = eyeriss.constraints(w);
  const run = await runMapper(w, eyeriss.arch, c, planEnergy(eyeriss.arch, eyeriss.energy), { objective: 'edp', seed: 3, threads: 1, evaluations: 3000 });
  expect(run.best).not.toBeNull();
  return new MapSpace(w, eyeriss.arch, c).toMapping(run.best!);
}

describe('a non-square layer from three front ends', () => {
  it('native YAML, ONNX and a Timeloop problem give the same workload', () => {
    const tl = fromTimeloop();
    expect(shape(fromNative())).toEqual(shape(tl));
    expect(shape(fromOnnx())).toEqual(shape(tl));
    // Not trivially so: the layer is not symmetric in height and width.
    const b = Object.fromEntries(tl.dims.map((d, i) => [d, tl.bounds[i]]));
    expect([b.R, b.S, b.P, b.Q]).toEqual([5, 3, 22, 20]);
  });

  it('and the same counts and result under one mapping on eyeriss, which unrolls filter rows (S) and output rows (Q)', async () => {
    const tl = fromTimeloop();
    const mapping = await mapOnEyeriss(tl);
    const results = [tl, fromNative(), fromOnnx()].map((w) => ({ counts: analyse(w, eyeriss.arch, mapping), result: evaluate(w, eyeriss.arch, mapping, eyeriss.energy) }));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0].result.computes).toBe(3 * 8 * 5 * 3 * 22 * 20);

    // Row stationary: PE rows take filter rows (S), columns output rows (Q);
    // filter and output widths (R, P) never unroll.
    const names = eyeriss.arch.storage.map((l) => l.name);
    const unrolled = (level: string) => new Set(mapping.levels[names.indexOf(level)].spatial.filter((l: { factor: number; dim: number }) => l.factor > 1).map((l: { dim: number }) => tl.dims[l.dim]));
    const allSpatial = new Set(mapping.levels.flatMap((lm) => lm.spatial.filter((l) => l.factor > 1).map((l) => tl.dims[l.dim])));
    expect(allSpatial.has('R') || allSpatial.has('P')).toBe(false);
    expect(unrolled('inter_PE_spatial').has('S')).toBe(true);
    expect(unrolled('inter_PE_column_spatial').has('Q')).toBe(true);
    const c = eyeriss.constraints(tl);
    const free = (lc: (typeof c.levels)[number], d: string) => lc.spatialFactors.get(tl.dims.indexOf(d)) !== 1;
    const rows = c.levels[names.indexOf('inter_PE_spatial')], cols = c.levels[names.indexOf('inter_PE_column_spatial')];
    expect([free(rows, 'S'), free(rows, 'R'), free(cols, 'Q'), free(cols, 'P')]).toEqual([true, false, true, false]);
  });
});
