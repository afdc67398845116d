/** The CPU latency source: the slope fit, the k-copy models (shapes; onnxruntime runs them), entries as slopes, interleaved priming, re-timing. Never times anything. */
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { alone, copiesOnnx, cpuSource, lineFit, type CaseTiming, type OnnxCase } from '../../src/codesign/netadapt-cpu.js';
import { costTable } from '../../src/codesign/netadapt-lut.js';
import { shrink } from '../../src/network/graph.js';
import { NetworkBuilder, type Network } from '../../src/network/network.js';
import { timeInterleaved } from '../../src/io/ort.js';

const mobilenetLike = (): Network => new NetworkBuilder('m', [1, 12, 12])
  .conv('conv0', 8, 3, 1, 1).pool('pool0', 'maxpool', 2, 2)
  .conv('dw1', 8, 3, 1, 1, 8).conv('pw1', 16, 1)
  .globalPool('gap').fc('fc', 10).build();

const decode = (m: Uint8Array) => fromBinary(ModelProtoSchema, m).graph!;
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** Layer nodes of a model (not its activations or flattens): the copies of a layer, or the links of a chain. */
const layerNodes = (m: Uint8Array) => decode(m).node.filter((n) => !['Relu', 'Softmax', 'Flatten'].includes(n.opType)).length;

/**
 * A timer standing in for onnxruntime: a model whose input has n values
 * takes 0.01 ms, n/1e6 per layer node and 2e-6 per graph output;
 * `burst(round)` adds load to one round.
 */
function fakeTimer(burst: (round: number, call: number) => number = () => 0) {
  const calls: OnnxCase[][] = [];
  const timer = async (cases: readonly OnnxCase[]): Promise<CaseTiming[]> => {
    calls.push([...cases]);
    return cases.map((c) => {
      const ms = 0.01 + (layerNodes(c.model) * size(c.dims)) / 1e6 + decode(c.model).output.length * 2e-6;
      return { roundsMs: [0, 1, 2].map((r) => ms + burst(r, calls.length)), noise: 0 };
    });
  };
  return { timer, calls };
}

describe('lineFit', () => {
  it('recovers a line exactly and measures how far noisy points are from it', () => {
    const f = lineFit([1, 2, 3, 4], [0.5 + 0.25, 0.5 + 0.5, 0.5 + 0.75, 0.5 + 1]);
    expect(f.slope).toBeCloseTo(0.25, 12);
    expect(f.intercept).toBeCloseTo(0.5, 12);
    expect(f.rms).toBeCloseTo(0, 12);
    const g = lineFit([1, 2, 3, 4], [1, 2.2, 2.8, 4]);
    expect(g.rms).toBeGreaterThan(0.05);
    expect(() => lineFit([1], [1])).toThrow();
    expect(() => lineFit([2, 2], [1, 3])).toThrow();
  });
});

describe('copies of a layer in one ONNX model', () => {
  const net = mobilenetLike();
  it('has k times the nodes, one shared input, k outputs and distinct weight names', () => {
    for (const l of net.layers) {
      if (l.kind === 'matmul') continue;
      const input = net.tensors.get(net.edges[net.layers.indexOf(l)].inputs[0])!;
      const one = alone(l, input);
      for (const k of [1, 3]) {
        const g = decode(copiesOnnx(one.net, k, (c) => alone(l, input, c + 1).values));
        expect(g.input.map((i) => i.name)).toEqual(['input']);
        expect(g.output.length).toBe(k);
        expect(g.node.length).toBe(k * decode(copiesOnnx(one.net, 1, () => one.values)).node.length);
        expect(new Set(g.initializer.map((t) => t.name)).size).toBe(g.initializer.length);
        expect(g.initializer.length).toBe(k * (one.values.size > 0 ? 2 : 0));
      }
    }
  });

  it('onnxruntime runs them: every copy gives the layer output shape, and the weighted copies differ', async () => {
    const l = net.layers.find((x) => x.name === 'pw1')!;
    if (l.kind !== 'conv') throw new Error('pw1 is a convolution');
    const one = alone(l, []);
    const model = copiesOnnx(one.net, 3, (c) => alone(l, [], c + 1).values);
    // One round, one run: no timing is asserted, only that ORT accepts the model and fills the fetched output.
    const [t] = await timeInterleaved([{ model, dims: [1, ...one.net.input] }], { warmup: 0, runs: 1, rounds: 2, roundWarmup: 0 });
    expect(t.roundsMs.length).toBe(2);
    const { createRequire } = await import('node:module');
    const ort = createRequire(import.meta.url)('onnxruntime-node') as { InferenceSession: { create(m: Uint8Array): Promise<{ run(f: object): Promise<Record<string, { dims: number[]; data: Float32Array }>>; release(): Promise<void> }> }; Tensor: new (t: string, d: Float32Array, dims: number[]) => object };
    const s = await ort.InferenceSession.create(model);
    const out = Object.values(await s.run({ input: new ort.Tensor('float32', Float32Array.from({ length: size(one.net.input) }, (_, i) => (i % 7) / 7), [1, ...one.net.input]) }));
    await s.release();
    expect(out.length).toBe(3);
    for (const o of out) expect(o.dims).toEqual([1, l.outC, l.outH, l.outW]);
    expect(Array.from(out[0].data)).not.toEqual(Array.from(out[1].data));
  });
});

describe('the CPU source', () => {
  it('an entry is the slope against the copy count; the call overhead is added once per network', async () => {
    const { timer } = fakeTimer();
    const src = await cpuSource(timer);
    expect(src.overheadMs).toBeCloseTo(0.01 + 1e-6 + 2e-6, 12);
    expect(src.outputMs).toBeCloseTo(2e-6, 12);
    const net = mobilenetLike();
    const c = await costTable(src).cost(net);
    const inputs = net.layers.map((l, i) => (l.kind === 'fc' ? l.inFeatures : size(net.tensors.get(net.edges[i].inputs[0])!)));
    expect(c.total).toBeCloseTo(0.01 + 1e-6 + 2e-6 + inputs.reduce((a, n) => a + n / 1e6, 0), 12);
    for (const [i, e] of c.layers.entries()) expect(e.cost).toBeCloseTo(inputs[i] / 1e6, 12);
    for (const t of src.timed) expect(t.interceptMs).toBeCloseTo(0.01, 12);
  });

  it('a burst in one round does not reach the entry: each copy count takes its lowest round', async () => {
    const { timer } = fakeTimer((r) => (r === 1 ? 0.05 : 0));
    const src = await cpuSource(timer);
    const net = mobilenetLike();
    expect((await costTable(src).cost(net)).layers[0].cost).toBeCloseTo((1 * 12 * 12) / 1e6, 12);
  });

  it('prime times every entry of all networks in one interleaved call, once each; the table then asks for nothing more', async () => {
    const { timer, calls } = fakeTimer();
    const src = await cpuSource(timer, { copies: [1, 2, 4] });
    const a = mobilenetLike(), b = shrink(a, 'conv0', 4);
    await src.prime([a, b, a]);
    expect(calls.length).toBe(2); // the overhead models, then one call for every entry
    // a: 6 entries; b changes conv0, dw1 and pw1's input, pool0's input: 4 more.
    expect(calls[1].length).toBe(10 * 3);
    const table = costTable(src);
    await table.cost(a);
    await table.cost(b);
    expect(calls.length).toBe(2);
    expect(src.timed.length).toBe(10);
  });

  it('asks the timer to spread a primed batch and whole networks, not one entry asked alone', async () => {
    const spreads: (boolean | undefined)[] = [];
    const { timer } = fakeTimer();
    const src = await cpuSource((cases, o) => { spreads.push(o?.spread); return timer(cases); }, { copies: [1, 2] });
    spreads.length = 0; // the overhead models
    const a = mobilenetLike();
    await costTable(src).cost(shrink(a, 'conv0', 4));
    expect(spreads.length).toBeGreaterThan(0);
    expect(spreads.every((x) => !x)).toBe(true);
    spreads.length = 0;
    await src.prime([a]);
    await src.measureAll([{ net: a }]);
    expect(spreads).toEqual([true, true]);
  });

  it('an entry whose points are not on a line is timed again and the better fit kept', async () => {
    // The second call (the first entry's) is bent by a burst on k = 1's every round; the re-timing is clean.
    let call = 0;
    const bent = async (cases: readonly OnnxCase[]): Promise<CaseTiming[]> => {
      call++;
      return cases.map((c) => {
        const k = layerNodes(c.model);
        const extra = call === 2 && k === 1 ? 0.01 : 0;
        return { roundsMs: [0.01 + k * 1e-3 + extra, 0.01 + k * 1e-3 + extra], noise: 0 };
      });
    };
    const src = await cpuSource(bent);
    const l = mobilenetLike().layers[0];
    if (l.kind !== 'conv') throw new Error('conv0 is a convolution');
    expect(await src.layerCost(l)).toBeCloseTo(1e-3, 12);
    expect(src.timed[0].retimes).toBe(1);
    expect(src.timed[0].fitError).toBeLessThan(1e-9);
  });

  it('rejects copy counts that cannot make a slope', async () => {
    await expect(cpuSource(fakeTimer().timer, { copies: [2] })).rejects.toThrow(/copy counts/);
    await expect(cpuSource(fakeTimer().timer, { copies: [1, 1] })).rejects.toThrow(/copy counts/);
  });
});
