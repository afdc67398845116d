/**
 * The sweep's one job: map a layer on a design point. Runs wherever the
 * job lands (this process, a queue worker on another machine), its search
 * on any Pool; the answer depends only on the job, so any of them may run it,
 * and twice is harmless. A layer the design cannot map is an answer
 * (`ok: false`), not a failure: that design drops out of the front.
 */
import type { Design } from '../designs/design.js';
import { mapLayer } from '../mapper/map.js';
import { offChipAccesses } from '../model/accesses.js';
import { layerMacs, layerWorkload } from '../network/network.js';
import { SpecError } from '../spec/errors.js';
import type { Pool } from '../util/pool.js';
import { buildDesign, designLabel } from './design.js';
import { canonicalJson } from './key.js';
import type { SweepJob } from './jobs.js';

/** A job's answer: the best mapping's totals, or why the design cannot map the layer. */
export type LayerOutcome =
  | { readonly key: string; readonly ok: true; readonly energy: number; readonly cycles: number; readonly macs: number; readonly dramAccesses: number; readonly utilization: number; readonly evaluated: number }
  | { readonly key: string; readonly ok: false; readonly error: string };

// Designs of recent jobs: consecutive jobs mostly share one (a design's layers are queued together).
const designs = new Map<string, Design>();

function designOf(job: SweepJob): Design {
  const k = canonicalJson(job.design);
  let d = designs.get(k);
  if (!d) {
    d = buildDesign(job.design);
    if (designs.size >= 32) designs.delete(designs.keys().next().value!);
    designs.set(k, d);
  }
  return d;
}

/**
 * Map one job's layer; user errors become `ok: false`. The search runs on
 * `pool` (one search per layer, so the answer is the same on any pool):
 * many layers run at once on a pool of threads while this thread only
 * validates and evaluates the winners.
 */
export async function runSweepJob(job: SweepJob, pool?: Pool): Promise<LayerOutcome> {
  try {
    const d = designOf(job);
    const w = layerWorkload(job.layer, job.batch);
    const m = await mapLayer(w, d.arch, d.energy, d.constraints(w), {
      objective: job.objective, seed: job.seed, evaluations: job.evaluations, source: designLabel(job.design), pool,
    });
    const r = m.result;
    return { key: job.key, ok: true, energy: r.energyPJ, cycles: r.cycles, macs: layerMacs(job.layer) * job.batch, dramAccesses: offChipAccesses(r), utilization: r.utilization, evaluated: m.stats.evaluated };
  } catch (e) {
    if (e instanceof SpecError) return { key: job.key, ok: false, error: e.message };
    throw e;
  }
}

