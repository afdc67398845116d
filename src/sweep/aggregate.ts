/**
 * Per (design, network) totals from the layers' job outcomes: energy per
 * inference, latency, the design's area, and whether every layer mapped.
 */
import type { LayerOutcome } from './task.js';
import type { LayerRef, SweepNetwork } from './jobs.js';

/** One design on one network. */
export interface DesignNetworkTotals {
  readonly design: number;
  readonly network: number;
  /** Energy of one batch (the design's energy unit). */
  readonly energy: number;
  readonly energyPerInference: number;
  readonly cycles: number;
  /** Seconds per batch at the design's clock. */
  readonly latencyS: number;
  readonly macs: number;
  readonly dramAccesses: number;
  readonly layers: number;
  /** The first layer the design could not map, if any (then it is not on the front). */
  readonly error?: string;
}

/** Totals of every (design, network) whose layers are all answered; the others are left out. */
export function aggregate(points: readonly { readonly index: number; readonly clockHz: number }[], networks: readonly Pick<SweepNetwork, 'batch'>[], refs: readonly Pick<LayerRef, 'design' | 'network' | 'layerName' | 'job'>[], outcome: (key: string) => LayerOutcome | undefined): DesignNetworkTotals[] {
  const acc = new Map<string, { energy: number; cycles: number; macs: number; dram: number; layers: number; missing: boolean; error?: string }>();
  for (const r of refs) {
    const id = `${r.design}/${r.network}`;
    let a = acc.get(id);
    if (!a) { a = { energy: 0, cycles: 0, macs: 0, dram: 0, layers: 0, missing: false }; acc.set(id, a); }
    const o = outcome(r.job);
    if (!o) { a.missing = true; continue; }
    a.layers++;
    if (!o.ok) { a.error ??= `${r.layerName}: ${o.error}`; continue; }
    a.energy += o.energy; a.cycles += o.cycles; a.macs += o.macs; a.dram += o.dramAccesses;
  }
  const out: DesignNetworkTotals[] = [];
  for (const p of points) {
    networks.forEach((n, ni) => {
      const a = acc.get(`${p.index}/${ni}`);
      if (!a || a.missing) return;
      out.push({
        design: p.index, network: ni, energy: a.energy, energyPerInference: a.energy / n.batch, cycles: a.cycles, latencyS: a.cycles / p.clockHz,
        macs: a.macs, dramAccesses: a.dram, layers: a.layers, ...(a.error !== undefined ? { error: a.error } : {}),
      });
    });
  }
  return out;
}
