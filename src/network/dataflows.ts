/**
 * The ISCA 2016 dataflow comparison: one network on each dataflow of the
 * comparison set (same PEs, same storage area), energy split the way the
 * paper splits it (ALU, RF, array, buffer, DRAM) for CONV and FC layers.
 */
import type { BuiltinArch, EnergyCategory } from '../designs/build.js';
import { isca16, ISCA16_DATAFLOWS, type Isca16Dataflow } from '../designs/isca16.js';
import type { Result } from '../model/result.js';
import { offChipAccesses } from '../model/accesses.js';
import { analyzeNetwork, type AnalyzeOptions, type NetworkReport, type NetworkSearchOptions } from './analyze.js';
import type { Network } from './network.js';

export const CATEGORIES: readonly EnergyCategory[] = ['ALU', 'RF', 'array', 'buffer', 'DRAM'];

export type Breakdown = Record<EnergyCategory, number>;

/** A result's energy by category; the parts add up to `result.energyPJ`. */
export function breakdown(r: Result, b: BuiltinArch): Breakdown {
  const out: Breakdown = { ALU: 0, RF: 0, array: 0, buffer: 0, DRAM: 0 };
  const [compute, ...storage] = r.levels;
  out.ALU += r.computes * b.macEnergy;
  out.array += compute.energyPJ - r.computes * b.macEnergy;
  for (const lv of storage) {
    const cat = b.categories.get(lv.name);
    if (!cat) {
      if (lv.energyPJ > 0) throw new Error(`${b.arch.name}: level ${lv.name} has energy but no category`);
      continue;
    }
    if (cat === 'RF') {
      // PE storage is filled over the array: its fills carry one hop each.
      const hops = lv.dataSpaces.reduce((s, d) => s + d.fills, 0) * lv.utilizedInstances * b.arrayHop;
      out.array += hops;
      out.RF += lv.energyPJ - hops;
    } else out[cat] += lv.energyPJ;
  }
  return out;
}

export interface DataflowSummary {
  readonly dataflow: Isca16Dataflow;
  readonly arch: string;
  readonly description: string;
  readonly report: NetworkReport;
  /** Energy per MAC by category over the CONV layers, and over the FC layers. */
  readonly conv: { macs: number; energy: number; perMac: Breakdown; dramPerMac: number };
  readonly fc: { macs: number; energy: number; perMac: Breakdown; dramPerMac: number };
  /** Per modelled layer: name, kind, energy per MAC by category. */
  readonly layers: readonly { name: string; kind: 'conv' | 'fc'; macs: number; perMac: Breakdown }[];
}

export interface CompareOptions extends NetworkSearchOptions {
  readonly dataflows?: readonly Isca16Dataflow[];
  /** Called after each layer of each dataflow. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Exact search per distinct layer shape for up to this long (ms): see {@link AnalyzeOptions.exactTimeLimitMs}. */
  readonly exactTimeLimitMs?: number;
}

function scale(b: Breakdown, f: number): Breakdown {
  return Object.fromEntries(CATEGORIES.map((c) => [c, b[c] * f])) as Breakdown;
}

export async function compareDataflows(net: Network, o: CompareOptions): Promise<DataflowSummary[]> {
  const flows = o.dataflows ?? ISCA16_DATAFLOWS;
  const out: DataflowSummary[] = [];
  const total = flows.length * net.layers.length;
  for (const [k, d] of flows.entries()) {
    const b = isca16(d);
    const report = await analyzeNetwork(net, b.arch, b.energy, {
      batch: o.batch, objective: o.objective, evaluations: o.evaluations, seed: o.seed, threads: o.threads, pool: o.pool, constraints: b.constraints,
      onLayer: o.onProgress ? (done) => o.onProgress!(k * net.layers.length + done, total) : undefined,
      ...(o.exactTimeLimitMs !== undefined ? { exactTimeLimitMs: o.exactTimeLimitMs } : {}), ...(o.imperfect ? { imperfect: true } : {}),
    });
    const acc = { conv: { macs: 0, energy: 0, sum: zero(), dram: 0 }, fc: { macs: 0, energy: 0, sum: zero(), dram: 0 } };
    const layers: DataflowSummary['layers'][number][] = [];
    for (const l of report.layers) {
      if (!l.result || l.layer.kind === 'other') continue;
      // Matrix products (tokens, heads) are counted with the fully connected layers.
      const kind = l.layer.kind === 'matmul' ? 'fc' : l.layer.kind;
      const br = breakdown(l.result, b);
      const a = acc[kind];
      a.macs += l.macs;
      a.energy += l.result.energyPJ;
      for (const c of CATEGORIES) a.sum[c] += br[c];
      a.dram += offChipAccesses(l.result);
      layers.push({ name: l.layer.name, kind, macs: l.macs, perMac: scale(br, 1 / l.macs) });
    }
    const sum = (a: typeof acc.conv) => ({ macs: a.macs, energy: a.energy, perMac: scale(a.sum, a.macs ? 1 / a.macs : 0), dramPerMac: a.macs ? a.dram / a.macs : 0 });
    out.push({ dataflow: d, arch: b.arch.name, description: b.description, report, conv: sum(acc.conv), fc: sum(acc.fc), layers });
  }
  return out;
}

function zero(): Breakdown {
  return { ALU: 0, RF: 0, array: 0, buffer: 0, DRAM: 0 };
}
