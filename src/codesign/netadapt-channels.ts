/**
 * Which channels survive a NetAdapt step, on the network graph. `shrink`
 * (network/graph.ts) gives the new shapes; this gives the indices: the
 * filters kept are those with the largest L2 norm, summed over every layer
 * whose output channels are tied to the shrunk one (the producers joined by
 * a residual add shrink together, with one choice of channels), and the same
 * indices hold for every tensor of the tied set (depthwise layers, pooling).
 * A concatenation downstream keeps its inputs' kept channels at their
 * offsets. Tensors not in the result keep every channel.
 */
import { concatOffsets, consumersOf, isDepthwise, shrink, tiedLayers } from '../network/graph.js';
import type { Layer, Network } from '../network/network.js';

/** Tensor → the indices (ascending) of its channels that are kept. */
export type KeptChannels = Map<string, number[]>;

/** Whether a layer makes its own output channels (a convolution other than depthwise, or a fully connected layer). */
export function makesChannels(l: Layer): boolean {
  return (l.kind === 'conv' && !isDepthwise(l)) || l.kind === 'fc';
}

/**
 * The layers NetAdapt may shrink: those that make their own channels,
 * except the ones whose channels reach the network's output (the classes).
 */
export function shrinkableLayers(net: Network): string[] {
  const last = net.edges[net.edges.length - 1]?.output;
  return net.layers.filter((l) => {
    if (!makesChannels(l)) return false;
    return !tiedLayers(net, l.name).some((t) => net.edges[net.layers.indexOf(t)].output === last);
  }).map((l) => l.name);
}

/** The `k` largest entries' indices, ascending; ties keep the lower index (deterministic). */
export function topChannels(score: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: score.length }, (_, i) => i);
  order.sort((a, b) => score[b] - score[a] || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

/**
 * The network after `layer` is shrunk to `channels` output channels, and the
 * channels each changed tensor keeps. `norms(l)` gives the squared L2 norm
 * of each output filter of a layer that makes channels.
 */
export function keepChannels(net: Network, layer: string, channels: number, norms: (layer: string) => ArrayLike<number>): { net: Network; kept: KeptChannels } {
  const next = shrink(net, layer, channels);
  const tied = tiedLayers(net, layer);
  const width = net.tensors.get(net.edges[net.layers.findIndex((l) => l.name === layer)].output)![0];
  const score = new Float64Array(width);
  for (const t of tied) {
    if (!makesChannels(t)) continue;
    const n = norms(t.name);
    for (let c = 0; c < width; c++) score[c] += n[c];
  }
  const kept: KeptChannels = new Map();
  const outputOf = (l: Layer) => net.edges[net.layers.indexOf(l)].output;
  const assign = (members: Layer[], idx: number[]) => {
    for (const m of members) kept.set(outputOf(m), idx);
    // A concatenation of a changed tensor keeps each input's channels at its offset.
    for (const m of members) {
      for (const c of consumersOf(net, outputOf(m))) {
        if (c.kind !== 'other' || c.op !== 'concat' || kept.has(outputOf(c))) continue;
        const idxOut = concatOffsets(net, c.name).flatMap((p) => (kept.get(p.tensor) ?? Array.from({ length: p.end - p.start }, (_, i) => i)).map((i) => i + p.start));
        if (idxOut.length !== next.tensors.get(outputOf(c))![0]) continue;
        assign(tiedLayers(net, c.name), idxOut);
      }
    }
  };
  assign(tied, topChannels(score, channels));
  return { net: next, kept };
}
