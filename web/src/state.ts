/**
 * The view's state and its URL form (the hash), so a link reproduces a
 * view: network, design, edited parameters, seed, budget, batch, objective, searches,
 * the open layer and the compared design. Dropped files are not in a link.
 */
import type { Objective } from '../../src/index.js';
import type { RsParams } from './jobs.js';

export interface ViewState {
  net: string;
  design: string;
  /** Parameters that differ from the built-in's. */
  params: Partial<RsParams>;
  seed: number;
  evaluations: number;
  batch: number;
  objective: Objective;
  /** Independent searches per layer shape (the CLI's --threads). */
  threads: number;
  /** Index of the open layer, or -1. */
  layer: number;
  /** A design to compare with, or ''. */
  compare: string;
}

export const DEFAULTS: ViewState = { net: 'alexnet', design: 'eyeriss', params: {}, seed: 1, evaluations: 20000, batch: 1, objective: 'edp', threads: 1, layer: -1, compare: '' };

const OBJECTIVES: readonly Objective[] = ['energy', 'delay', 'edp'];

function whole(v: string | null, d: number, min: number): number {
  const n = v === null ? NaN : Number(v);
  return Number.isInteger(n) && n >= min ? n : d;
}

/** The state a hash names; anything missing or malformed takes its default. */
export function parseHash(hash: string): ViewState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const params: Partial<RsParams> = {};
  for (const [k, v] of q) if (k.startsWith('p.') && v !== '' && Number.isFinite(Number(v))) (params as Record<string, number>)[k.slice(2)] = Number(v);
  const obj = q.get('objective') as Objective | null;
  return {
    net: q.get('net') ?? DEFAULTS.net,
    design: q.get('design') ?? DEFAULTS.design,
    params,
    seed: whole(q.get('seed'), DEFAULTS.seed, 0),
    evaluations: whole(q.get('evaluations'), DEFAULTS.evaluations, 1),
    batch: whole(q.get('batch'), DEFAULTS.batch, 1),
    objective: obj && OBJECTIVES.includes(obj) ? obj : DEFAULTS.objective,
    threads: Math.min(16, whole(q.get('threads'), DEFAULTS.threads, 1)),
    layer: whole(q.get('layer'), -1, 0),
    compare: q.get('compare') ?? '',
  };
}

/** The hash of a state (keys in a fixed order: one view, one link). */
export function toHash(s: ViewState): string {
  const q = new URLSearchParams();
  q.set('net', s.net);
  q.set('design', s.design);
  for (const k of Object.keys(s.params).sort()) q.set(`p.${k}`, String((s.params as Record<string, number>)[k]));
  q.set('seed', String(s.seed));
  q.set('evaluations', String(s.evaluations));
  q.set('batch', String(s.batch));
  q.set('objective', s.objective);
  if (s.threads > 1) q.set('threads', String(s.threads));
  if (s.layer >= 0) q.set('layer', String(s.layer));
  if (s.compare) q.set('compare', s.compare);
  return '#' + q.toString();
}
