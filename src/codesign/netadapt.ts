/**
 * NetAdapt (Yang, Howard, Chen, Zhang, Go, Sandler, Sze, Adam, ECCV 2018):
 * shape a trained network to a resource budget measured on the platform.
 * Each iteration lowers the budget by a reduction that starts at a fraction
 * of the original network's cost and decays geometrically (the reference
 * code's `init_resource_reduction_ratio` and `resource_reduction_decay`);
 * for every layer that makes channels it proposes the largest filter count
 * (a multiple of the granularity) whose network cost, summed from the
 * look-up table, meets the budget, keeps the filters with the largest L2
 * norm, short-term fine-tunes the proposal and measures its accuracy on
 * held-out images; the most accurate proposal becomes the network, until the
 * cost meets the target. A long-term fine-tune ends the run.
 *
 * The loop works on the network graph (network/graph.ts): removing a layer's
 * filters removes its consumers' input channels, through residual adds and
 * concatenations, and depthwise layers lose the same channels as their
 * producer. What trains the network is behind {@link Adaptable}, so the
 * algorithm is the same for a tfjs model or a test's stand-in. Every seed is
 * derived from the run's seed, the iteration and the layer: the same seed
 * gives the same run.
 */
import { shrink } from '../network/graph.js';
import type { Network } from '../network/network.js';
import { keepChannels, shrinkableLayers, type KeptChannels } from './netadapt-channels.js';

export { shrinkableLayers } from './netadapt-channels.js';
import type { CostTable } from './netadapt-lut.js';

/** A trainable network NetAdapt edits: one immutable value per network, made by {@link Adaptable.remove}. */
export interface Adaptable<M> {
  /** The network graph of `m` (layer and tensor names are the model's). */
  network(m: M): Network;
  /** Squared L2 norm of each output filter of a layer that makes channels. */
  filterNorms(m: M, layer: string): ArrayLike<number>;
  /** A new model: `m` with only the kept channels of each tensor named (weights copied), shaped as `next`. */
  remove(m: M, next: Network, kept: KeptChannels): Promise<M>;
  /** Fine-tune `m` in place on `images` training images. */
  fineTune(m: M, images: number, seed: number, longTerm: boolean): Promise<void>;
  /** Accuracy on the held-out images that decide between proposals. */
  accuracy(m: M): Promise<number>;
  /** Free a model that is no longer needed. */
  dispose(m: M): void;
  /** A copy of `m` (weights copied): needed only for checkpoints. */
  clone?(m: M): Promise<M>;
}

/** The schedule, granularity and fine-tuning sizes of a run. */
export interface NetAdaptOptions<M = unknown> {
  /** Target cost as a fraction of the original network's, in (0, 1]. */
  readonly target: number;
  /** First iteration's reduction, as a fraction of the original cost. */
  readonly initialReduction: number;
  /** Factor the reduction is multiplied by after each iteration. */
  readonly decay: number;
  /** Filter counts are multiples of this (and at least this). */
  readonly granularity: number;
  readonly shortTermImages: number;
  readonly longTermImages: number;
  /** Iterations at most (a budget no proposal meets ends the run earlier). */
  readonly maxIterations: number;
  readonly seed: number;
  /**
   * Intermediate targets (fractions of the original cost, above `target`):
   * the first network of the run at or under each is copied, long-term
   * fine-tuned as if the run ended there and handed to `onCheckpoint` —
   * NetAdapt's accuracy-against-cost curve from one run. The run itself goes
   * on from the copy's source, untouched.
   */
  readonly checkpoints?: readonly number[];
  readonly onCheckpoint?: (c: Checkpoint<M>) => Promise<void>;
  /**
   * Before each iteration's proposals, the table makes at once the entries of
   * this many candidates per layer (the largest counts below its current
   * one, as {@link propose} scans them), and before the run the original
   * network's: a measured table then times an iteration's candidates
   * together, under one load (default 0: entries one by one as proposals
   * ask; counts past the primed ones are made so too).
   */
  readonly primeCandidates?: number;
  /** Called after each proposal is fine-tuned and measured. */
  readonly onProposal?: (p: Proposal) => void;
  readonly onIteration?: (it: Iteration) => void;
}

/** One layer's proposal in an iteration. */
export interface Proposal {
  readonly iteration: number;
  readonly layer: string;
  /** Output channels before and after. */
  readonly from: number;
  readonly to: number;
  readonly cost: number;
  readonly accuracy: number;
}

/** An iteration: the budget, every proposal, and the one kept. */
export interface Iteration {
  readonly iteration: number;
  readonly budget: number;
  readonly proposals: readonly Proposal[];
  readonly chosen: Proposal;
  /** Output channels of every shrinkable layer after the iteration. */
  readonly channels: Readonly<Record<string, number>>;
}

/** A checkpoint: the run's network at an intermediate target, long-term fine-tuned (the model is disposed after the callback). */
export interface Checkpoint<M> {
  readonly target: number;
  readonly iteration: number;
  readonly cost: number;
  readonly network: Network;
  readonly model: M;
  readonly accuracyShortTerm: number;
  readonly accuracyAfter: number;
  readonly fineTuneImages: number;
}

/** What a run gives: the adapted model, its network, and its history. */
export interface NetAdaptResult<M> {
  readonly model: M;
  readonly network: Network;
  readonly originalCost: number;
  readonly targetCost: number;
  readonly cost: number;
  readonly accuracyBefore: number;
  /** Held-out accuracy after the last short-term fine-tune, and after the long-term one. */
  readonly accuracyShortTerm: number;
  readonly accuracyAfter: number;
  readonly iterations: readonly Iteration[];
  /** Why the loop stopped: the target met, no proposal met a budget, or the iteration limit. */
  readonly stopped: 'target' | 'no proposal' | 'iterations';
  /** Images of fine-tuning the kept path used (short-term of each chosen proposal plus long-term). */
  readonly fineTuneImages: number;
}

/** Output channels of a layer in a network. */
export function channelsOf(net: Network, layer: string): number {
  const i = net.layers.findIndex((l) => l.name === layer);
  return net.tensors.get(net.edges[i].output)![0];
}

/** Output channels of every shrinkable layer. */
export function widths(net: Network, layers: readonly string[]): Record<string, number> {
  return Object.fromEntries(layers.map((l) => [l, channelsOf(net, l)]));
}

/** A seed for (run, iteration, layer): different for each, the same every run. */
function derive(seed: number, iteration: number, layer: number): number {
  return ((seed * 1000003) ^ (iteration * 7919 + layer * 104729)) >>> 0;
}

/**
 * The largest multiple of `granularity` below `from` whose network cost
 * meets `budget`, scanning down (a table's costs need not be monotone in the
 * channels); undefined if even `granularity` channels do not meet it.
 */
export async function propose(net: Network, layer: string, budget: number, table: CostTable, granularity: number): Promise<{ channels: number; net: Network; cost: number } | undefined> {
  for (const { channels, net: next } of shrinkScan(net, layer, granularity)) {
    const cost = (await table.cost(next)).total;
    if (cost <= budget) return { channels, net: next, cost };
  }
  return undefined;
}

/** The networks with `layer` at each multiple of `granularity` below its count, largest first; counts the layer's groups or consumers refuse are skipped. */
function* shrinkScan(net: Network, layer: string, granularity: number): Generator<{ channels: number; net: Network }> {
  for (let k = Math.floor((channelsOf(net, layer) - 1) / granularity) * granularity; k >= granularity; k -= granularity) {
    let next: Network;
    try {
      next = shrink(net, layer, k);
    } catch {
      continue;
    }
    yield { channels: k, net: next };
  }
}

/**
 * The first `n` networks {@link propose} would try for `layer`, in its order
 * (counts the layer's groups or consumers refuse are skipped, as there).
 */
export function candidates(net: Network, layer: string, granularity: number, n: number): Network[] {
  const out: Network[] = [];
  for (const c of shrinkScan(net, layer, granularity)) {
    if (out.length >= n) break;
    out.push(c.net);
  }
  return out;
}

/** Run NetAdapt on `model` against the cost in `table`. */
export async function netAdapt<M>(a: Adaptable<M>, model: M, table: CostTable, o: NetAdaptOptions<M>): Promise<NetAdaptResult<M>> {
  let net = a.network(model);
  const layers = shrinkableLayers(net);
  const prime = table.source.prime ? o.primeCandidates ?? 0 : 0;
  if (prime > 0) await table.prime([net]);
  const originalCost = (await table.cost(net)).total;
  const targetCost = originalCost * o.target;
  const accuracyBefore = await a.accuracy(model);
  let cost = originalCost, current = model, accuracy = accuracyBefore;
  const iterations: Iteration[] = [];
  let reduction = o.initialReduction * originalCost;
  let stopped: NetAdaptResult<M>['stopped'] = 'iterations';
  let images = 0;
  const pending = [...(o.checkpoints ?? [])].filter((t) => t > o.target && t < 1).sort((x, y) => y - x);
  for (let it = 1; it <= o.maxIterations; it++) {
    if (cost <= targetCost) { stopped = 'target'; break; }
    const budget = Math.max(cost - reduction, targetCost);
    const proposals: Proposal[] = [];
    let best: { p: Proposal; m: M; net: Network } | undefined;
    if (prime > 0) await table.prime(layers.flatMap((layer) => candidates(net, layer, o.granularity, prime)));
    for (const [li, layer] of layers.entries()) {
      const found = await propose(net, layer, budget, table, o.granularity);
      if (!found) continue;
      const { kept } = keepChannels(net, layer, found.channels, (l) => a.filterNorms(current, l));
      const m = await a.remove(current, found.net, kept);
      await a.fineTune(m, o.shortTermImages, derive(o.seed, it, li), false);
      const acc = await a.accuracy(m);
      const p: Proposal = { iteration: it, layer, from: channelsOf(net, layer), to: found.channels, cost: found.cost, accuracy: acc };
      proposals.push(p);
      o.onProposal?.(p);
      // Most accurate wins; on a tie the cheaper, then the earlier layer (deterministic).
      if (!best || acc > best.p.accuracy || (acc === best.p.accuracy && found.cost < best.p.cost)) {
        if (best) a.dispose(best.m);
        best = { p, m, net: found.net };
      } else a.dispose(m);
    }
    if (!best) { stopped = 'no proposal'; break; }
    if (current !== model) a.dispose(current);
    current = best.m;
    net = best.net;
    cost = best.p.cost;
    accuracy = best.p.accuracy;
    images += o.shortTermImages;
    const step: Iteration = { iteration: it, budget, proposals, chosen: best.p, channels: widths(net, layers) };
    iterations.push(step);
    o.onIteration?.(step);
    reduction *= o.decay;
    for (const c of pending.filter((t) => cost <= t * originalCost)) {
      pending.splice(pending.indexOf(c), 1);
      if (!a.clone || !o.onCheckpoint) continue;
      const copy = await a.clone(current);
      // The same long-term fine-tune the run's end gets: as if the run had stopped here.
      if (o.longTermImages > 0) await a.fineTune(copy, o.longTermImages, derive(o.seed, 0, layers.length + 1), true);
      await o.onCheckpoint({ target: c, iteration: it, cost, network: net, model: copy, accuracyShortTerm: accuracy, accuracyAfter: await a.accuracy(copy), fineTuneImages: images + o.longTermImages });
      a.dispose(copy);
    }
    if (cost <= targetCost) { stopped = 'target'; break; }
  }
  const accuracyShortTerm = accuracy;
  if (o.longTermImages > 0) {
    await a.fineTune(current, o.longTermImages, derive(o.seed, 0, layers.length + 1), true);
    images += o.longTermImages;
  }
  const accuracyAfter = await a.accuracy(current);
  return { model: current, network: net, originalCost, targetCost, cost, accuracyBefore, accuracyShortTerm, accuracyAfter, iterations, stopped, fineTuneImages: images };
}
