/**
 * A sweep as jobs: every (design, network, layer) refers to one job keyed
 * by (design, layer shape, batch, objective, budget, seed); repeated
 * shapes — in a network, across networks — share their job.
 */
import type { Objective } from '../mapper/search.js';
import { shapeKey, type Layer, type MacLayer } from '../network/network.js';
import type { DesignSpec } from './design.js';
import { keyOf } from './key.js';
import type { DesignPoint } from './space.js';

/** A network of a sweep, read and cut to the spec's layers. */
export interface SweepNetwork {
  readonly name: string;
  readonly batch: number;
  readonly layers: readonly Layer[];
}

/** One layer mapping to do: all a worker needs, structured-cloneable and JSON-safe. */
export interface SweepJob {
  readonly key: string;
  readonly design: DesignSpec;
  readonly layer: MacLayer;
  readonly batch: number;
  readonly objective: Objective;
  readonly evaluations: number;
  readonly seed: number;
}

/** A layer of a network on a design, and the job that answers it. */
export interface LayerRef {
  readonly design: number;
  readonly network: number;
  readonly layerIndex: number;
  readonly layerName: string;
  readonly shape: string;
  readonly job: string;
}

/** The jobs of a sweep (distinct keys, in first-use order) and every layer's reference to one. */
export interface SweepPlan {
  readonly jobs: readonly SweepJob[];
  readonly refs: readonly LayerRef[];
}

/** The key of a layer on a design under the sweep's mapper settings. */
export function jobKey(designKey: string, layer: MacLayer, batch: number, objective: Objective, evaluations: number, seed: number): string {
  return keyOf({ design: designKey, shape: shapeKey(layer), batch, objective, evaluations, seed });
}

/** Every job of a sweep: designs × networks × layers with MACs, each distinct key once. */
export function planSweep(points: readonly DesignPoint[], networks: readonly SweepNetwork[], o: { objective: Objective; evaluations: number; seed: number }): SweepPlan {
  const jobs = new Map<string, SweepJob>();
  const refs: LayerRef[] = [];
  for (const p of points) {
    networks.forEach((n, ni) => {
      n.layers.forEach((l, li) => {
        if (l.kind === 'other') return;
        const key = jobKey(p.key, l, n.batch, o.objective, o.evaluations, o.seed);
        if (!jobs.has(key)) jobs.set(key, { key, design: p.spec, layer: l, batch: n.batch, objective: o.objective, evaluations: o.evaluations, seed: o.seed });
        refs.push({ design: p.index, network: ni, layerIndex: li, layerName: l.name, shape: shapeKey(l), job: key });
      });
    });
  }
  return { jobs: [...jobs.values()], refs };
}
