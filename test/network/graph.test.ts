/** The network graph: edges of every zoo network, producer/consumer queries, and shrink. */
import { describe, expect, it } from 'vitest';
import { concatOffsets, consumers, graphProblems, isDepthwise, producers, shrink, tiedLayers } from '../../src/network/graph.js';
import { layerMacs, NetworkBuilder, type ConvLayer, type FcLayer, type Layer, type Network } from '../../src/network/network.js';
import { zooNames, zooNetwork } from '../../src/network/zoo.js';

const layer = (net: Network, name: string) => net.layers.find((l) => l.name === name)!;
const conv = (net: Network, name: string) => layer(net, name) as ConvLayer;
const names = (ls: Layer[]) => ls.map((l) => l.name);

describe('network graph', () => {
  for (const n of zooNames) {
    it(`${n}: every layer reads what its producers make (shapes agree, topological order)`, () => {
      const net = zooNetwork(n)!;
      expect(net.edges).toHaveLength(net.layers.length);
      expect(graphProblems(net)).toEqual([]);
      // Every layer but the first reads a tensor some earlier layer made.
      net.layers.slice(1).forEach((l) => expect(producers(net, l.name).length).toBeGreaterThan(0));
    });
  }

  it('catches a layer whose input does not match its producer, and a layer read before it is made', () => {
    const net = zooNetwork('resnet18')!;
    const bad = { ...net, layers: net.layers.map((l) => (l.name === 'layer1.0.conv2' ? { ...(l as ConvLayer), inC: 32 } : l)) };
    expect(graphProblems(bad)).toEqual([expect.stringMatching(/^layer1\.0\.conv2: input 64x56x56, expected 32x56x56/)]);
    const swapped = { ...net, layers: [net.layers[1], net.layers[0], ...net.layers.slice(2)], edges: [net.edges[1], net.edges[0], ...net.edges.slice(2)] };
    expect(graphProblems(swapped)).toContain('maxpool: reads conv1 before it is made');
  });

  it('residual adds and concatenations are layers with their edges', () => {
    const r18 = zooNetwork('resnet18')!;
    expect(names(producers(r18, 'layer1.0.add'))).toEqual(['layer1.0.conv2', 'maxpool']);
    expect(names(producers(r18, 'layer2.0.add'))).toEqual(['layer2.0.conv2', 'layer2.0.downsample']);
    expect(names(consumers(r18, 'layer1.1.add'))).toEqual(['layer2.0.conv1', 'layer2.0.downsample']);
    const g = zooNetwork('googlenet')!;
    expect(names(producers(g, 'inception_3a/output'))).toEqual(['inception_3a/1x1', 'inception_3a/3x3', 'inception_3a/5x5', 'inception_3a/pool_proj']);
    expect(names(consumers(g, 'inception_3a/output'))).toEqual(['inception_3b/1x1', 'inception_3b/3x3_reduce', 'inception_3b/5x5_reduce', 'inception_3b/pool']);
    expect(concatOffsets(g, 'inception_3a/output').map((o) => [o.start, o.end])).toEqual([[0, 64], [64, 192], [192, 224], [224, 256]]);
  });
});

describe('shrink', () => {
  // Every convolution that makes its own channels, shrunk to about half (respecting groups).
  const shrinkEvery = (n: string) => {
    const net = zooNetwork(n)!;
    let count = 0;
    for (const l of net.layers) {
      if (l.kind !== 'conv' || isDepthwise(l)) continue;
      const c = Math.max(l.groups, Math.floor(l.outC / 2 / l.groups) * l.groups);
      const s = shrink(net, l.name, c);
      expect(graphProblems(s), `${n}/${l.name}`).toEqual([]);
      expect(conv(s, l.name).outC).toBe(c);
      // The layers tied to it shrank with it; any other output that changed is tied to a
      // concatenation that changed (it reads the shrunk channels), and has its channels.
      const tied = new Set(names(tiedLayers(net, l.name)));
      const channels = (m: Network, i: number) => m.tensors.get(m.edges[i].output)![0];
      const concats = s.layers.flatMap((x, i) => (x.kind === 'other' && x.op === 'concat' && channels(s, i) !== channels(net, i) ? [[x.name, channels(s, i)] as const] : []));
      s.layers.forEach((x, i) => {
        const where = `${n}/${l.name} → ${x.name}`;
        if (tied.has(x.name)) expect(channels(s, i), where).toBe(c);
        else if (channels(s, i) !== channels(net, i)) {
          expect(concats.some(([k, ch]) => ch === channels(s, i) && names(tiedLayers(net, k)).includes(x.name)), where).toBe(true);
        }
      });
      count++;
    }
    return count;
  };
  for (const n of ['resnet18', 'resnet50', 'mobilenet_v1', 'mobilenet_v2', 'googlenet', 'squeezenet', 'alexnet', 'vgg16']) {
    it(`${n}: shrinking any convolution keeps every shape consistent`, () => expect(shrinkEvery(n)).toBeGreaterThan(4));
  }

  it('ResNet-18: through the residual adds, a stage shrinks as one', () => {
    const net = zooNetwork('resnet18')!;
    expect(names(tiedLayers(net, 'layer1.0.conv2'))).toEqual(['conv1', 'maxpool', 'layer1.0.conv2', 'layer1.0.add', 'layer1.1.conv2', 'layer1.1.add']);
    const s = shrink(net, 'layer1.0.conv2', 40);
    expect([conv(s, 'conv1').outC, conv(s, 'layer1.1.conv2').outC, conv(s, 'layer1.0.conv1').inC, conv(s, 'layer1.1.conv1').inC]).toEqual([40, 40, 40, 40]);
    expect([conv(s, 'layer2.0.conv1').inC, conv(s, 'layer2.0.downsample').inC, conv(s, 'layer2.0.downsample').outC]).toEqual([40, 40, 128]);
    expect(layer(s, 'layer1.0.add')).toMatchObject({ inputWords: 2 * 40 * 56 * 56, outputWords: 40 * 56 * 56 });
    // A layer inside a block shrinks alone, with its reader.
    const inner = shrink(net, 'layer3.1.conv1', 100);
    expect(names(tiedLayers(net, 'layer3.1.conv1'))).toEqual(['layer3.1.conv1']);
    expect(conv(inner, 'layer3.1.conv2').inC).toBe(100);
    expect(conv(inner, 'layer3.1.conv2').outC).toBe(256);
  });

  it('MobileNet v1 and v2: depthwise layers follow their producer', () => {
    const v1 = shrink(zooNetwork('mobilenet_v1')!, 'conv1_pw', 48);
    expect(conv(v1, 'conv2_dw')).toMatchObject({ inC: 48, outC: 48, groups: 48 });
    expect(conv(v1, 'conv2_pw')).toMatchObject({ inC: 48, outC: 128 });
    const v2 = shrink(zooNetwork('mobilenet_v2')!, 'block3.expand', 100);
    expect(conv(v2, 'block3.dw')).toMatchObject({ inC: 100, outC: 100, groups: 100 });
    expect(conv(v2, 'block3.project').inC).toBe(100);
    // block3's output joins block2's through the add: both projects shrink, and both readers.
    const p = shrink(zooNetwork('mobilenet_v2')!, 'block3.project', 20);
    expect([conv(p, 'block2.project').outC, conv(p, 'block3.expand').inC, conv(p, 'block4.expand').inC]).toEqual([20, 20, 20]);
    expect(() => shrink(zooNetwork('mobilenet_v1')!, 'conv2_dw', 32)).toThrow(/depthwise/);
  });

  it('GoogLeNet: a branch shrinks the concatenation and every reader of it', () => {
    const net = zooNetwork('googlenet')!;
    const s = shrink(net, 'inception_3a/3x3', 100);
    expect(concatOffsets(s, 'inception_3a/output').map((o) => [o.start, o.end])).toEqual([[0, 64], [64, 164], [164, 196], [196, 228]]);
    expect(['inception_3b/1x1', 'inception_3b/3x3_reduce', 'inception_3b/5x5_reduce', 'inception_3b/pool_proj'].map((n) => conv(s, n).inC)).toEqual([228, 228, 228, 228]);
    expect(layer(s, 'inception_3b/pool')).toMatchObject({ inputWords: 228 * 28 * 28, outputWords: 228 * 28 * 28 });
    // The last inception feeds the classifier through a global pool: 1×1, so one input per channel.
    const last = shrink(net, 'inception_5b/1x1', 300);
    expect((layer(last, 'loss3/classifier') as FcLayer).inFeatures).toBe(1024 - 84);
  });

  it('a fully connected layer after a flatten loses channels × H × W inputs', () => {
    const s = shrink(zooNetwork('vgg16')!, 'conv5_3', 256);
    expect((layer(s, 'fc6') as FcLayer).inFeatures).toBe(256 * 7 * 7);
    const f = shrink(zooNetwork('vgg16')!, 'fc6', 1000);
    expect([(layer(f, 'fc6') as FcLayer).outFeatures, (layer(f, 'fc7') as FcLayer).inFeatures]).toEqual([1000, 1000]);
  });

  it('then layerMacs gives the hand-computed MACs of a small residual network with a depthwise layer', () => {
    const b = new NetworkBuilder('small', [3, 8, 8]);
    const a = b.conv('a', 16, 3, 1, 1).tensor;
    b.conv('b', 16, 3, 1, 1, 16).conv('c', 16, 1);
    b.add('add', [b.tensor, a]).pool('pool', 'maxpool', 2, 2).fc('fc', 10);
    const net = b.build();
    expect(graphProblems(net)).toEqual([]);
    const macs = (n: Network) => Object.fromEntries(n.layers.map((l) => [l.name, layerMacs(l)]));
    // Before: a 16·3·9·64, b (depthwise) 16·9·64, c 16·16·64, fc 16·4·4·10.
    expect(macs(net)).toEqual({ a: 27648, b: 9216, c: 16384, add: 0, pool: 0, fc: 2560 });
    // a → 12 channels: b follows a (depthwise), c's output is tied to a through the add, so c
    // reads 12 and makes 12; the pool passes 12 channels of 4×4 to fc.
    const s = shrink(net, 'a', 12);
    expect(graphProblems(s)).toEqual([]);
    expect(macs(s)).toEqual({ a: 12 * 3 * 9 * 64, b: 12 * 9 * 64, c: 12 * 12 * 64, add: 0, pool: 0, fc: 12 * 16 * 10 });
    expect(macs(s)).toEqual({ a: 20736, b: 6912, c: 9216, add: 0, pool: 0, fc: 1920 });
    expect(names(tiedLayers(net, 'c'))).toEqual(['a', 'b', 'c', 'add', 'pool']);
    // The original is untouched.
    expect(macs(net).a).toBe(27648);
  });

  it('rejects what cannot be made consistent', () => {
    const net = zooNetwork('resnet18')!;
    expect(() => shrink(net, 'layer1.0.add', 32)).toThrow(/convolution or fully connected/);
    expect(() => shrink(net, 'conv1', 0)).toThrow(/a channel count from 1 to 64/);
    expect(() => shrink(net, 'conv1', 65)).toThrow(/a channel count from 1 to 64/);
    expect(() => shrink(net, 'nowhere', 8)).toThrow(/layer: expected a layer of the network, found nowhere/);
    // AlexNet's conv4 has two groups: its input must stay divisible by 2.
    expect(() => shrink(zooNetwork('alexnet')!, 'conv3', 383)).toThrow(/groups divide/);
    // A residual tied to the network input cannot shrink.
    const b = new NetworkBuilder('tied', [8, 4, 4]);
    b.conv('x', 8, 3, 1, 1).add('add', [b.tensor, 'input']);
    expect(() => shrink(b.build(), 'x', 4)).toThrow(/network input/);
  });
});
