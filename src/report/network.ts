/** Reports of a network analysis (`dnnergy analyze`): JSON with stable keys, and a text table. */
import { layerEnergy, type LayerReport, type NetworkReport } from '../network/analyze.js';
import { offChipAccesses } from '../model/accesses.js';
import { fmt } from './table.js';

/** Cycles of the convolution layers alone (the figure chip papers quote). */
function convCycles(r: NetworkReport): number {
  return r.layers.reduce((s, l) => s + (l.result && l.layer.kind === 'conv' ? l.result.cycles : 0), 0);
}

function levelNames(r: NetworkReport): string[] {
  for (const l of r.layers) if (l.result) return l.result.levels.filter((x) => x.energyPJ > 0 || x.dataSpaces.length > 0).map((x) => x.name);
  return [];
}

/**
 * `a / b` times `k` when that is a finite number; otherwise undefined, so
 * that the key is left out of the JSON rather than printed as `null`
 * (JSON.stringify turns NaN and Infinity into null).
 */
function ratio(a: number, b: number, k = 1): number | undefined {
  const v = (a / b) * k;
  return Number.isFinite(v) ? v : undefined;
}

/**
 * The JSON of `dnnergy analyze` (stable keys); `clockHz` turns cycles into
 * frames per second. A figure that does not exist is absent, never null:
 * `conv_cycles` and `conv_frames_per_second` without convolution layers,
 * the per-MAC and per-second figures when no layer has MACs or cycles.
 */
export function networkReportToJSON(r: NetworkReport, clockHz: number): unknown {
  const conv = convCycles(r);
  const hasConv = r.layers.some((l) => l.result && l.layer.kind === 'conv');
  return {
    network: r.network,
    ...(r.imperfect ? { imperfect: true } : {}),
    arch: r.arch,
    batch: r.batch,
    energy_unit: r.energyUnit,
    totals: {
      macs: r.totals.macs,
      energy: r.totals.energy,
      energy_per_mac: ratio(r.totals.energy, r.totals.macs),
      cycles: r.totals.cycles,
      frames_per_second: ratio(clockHz, r.totals.cycles, r.batch),
      conv_cycles: hasConv ? conv : undefined,
      conv_frames_per_second: hasConv ? ratio(clockHz, conv, r.batch) : undefined,
      dram_accesses_per_mac: ratio(r.totals.dramAccesses, r.totals.macs),
      distinct_shapes_mapped: r.totals.mappedShapes,
      mac_layers_left_out: r.totals.macLayersLeftOut,
      unknown_ops: r.totals.unknownOps,
    },
    layers: r.layers.map((l) => {
      if (!l.result) return { name: l.layer.name, kind: l.layer.kind, op: l.layer.kind === 'other' ? l.layer.op : undefined, modelled: false };
      // A sparse layer reports the sparse engine's evaluation of the same mapping.
      const res = l.sparse?.result ?? l.result;
      const dram = offChipAccesses(res);
      const byTensor: Record<string, number> = {};
      for (const lv of res.levels) for (const ds of lv.dataSpaces) byTensor[ds.name] = (byTensor[ds.name] ?? 0) + ds.energyPJ;
      return {
        name: l.layer.name,
        kind: l.layer.kind,
        modelled: true,
        macs: l.macs,
        energy: layerEnergy(l),
        ...(l.sparse ? { weight_density: l.sparse.densities.weights ?? 1, input_density: l.sparse.densities.inputs ?? 1, output_density: l.sparse.densities.outputs ?? 1, dense_energy: l.result.energyPJ, dense_cycles: l.result.cycles } : {}),
        cycles: res.cycles,
        utilization: res.utilization,
        active_pes: res.levels[0].utilizedInstances,
        dram_accesses_per_mac: ratio(dram, l.macs),
        energy_by_level: Object.fromEntries(res.levels.map((x, i) => [x.name, l.sparse ? l.sparse.levelEnergyPJ[i] : x.energyPJ]).filter(([, e]) => (e as number) > 0)),
        energy_by_tensor: byTensor,
        ...(res.networks ? { energy_by_network: Object.fromEntries(res.networks.map((n) => [n.name, n.energyPJ])) } : {}),
        shape_mapped_before: l.cached,
        // An --imperfect run: the dimensions the mapping pads (name → the extent its loops span; empty when perfect).
        ...(r.imperfect ? { padded: l.padded ?? {} } : {}),
        ...provenFields(l),
      };
    }),
    // What stood in for user data, or was read but not modelled (only when there is any).
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

/** With the exact search: the layer's proven bound on its objective and its gap (score over bound). */
function provenFields(l: LayerReport): Record<string, unknown> {
  return l.proven !== undefined ? { proven_bound: l.proven, ...(l.gap !== undefined && Number.isFinite(l.gap) ? { gap: l.gap } : {}) } : {};
}

/** Busy PEs: a whole number, or (an imperfect nest's average over unequal passes) one decimal. */
function peText(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A layer's pads as text: `P 197→200`, or `-`. */
function padText(l: LayerReport): string {
  const p = Object.entries(l.padded ?? {});
  if (p.length === 0) return '-';
  return p.map(([d, x]) => `${d} ${x.bound}→${x.span}`).join(', ');
}

/** The text of `dnnergy analyze`: totals, then one row per layer with its energy split by level. */
export function formatNetworkReport(r: NetworkReport, clockHz: number): string {
  const names = levelNames(r);
  const unit = r.energyUnit === 'MAC' ? 'MAC-eq' : 'pJ';
  // An --imperfect run adds the pads of each layer; the exact search, its proven gap.
  const gaps = r.layers.some((l) => l.gap !== undefined);
  const extra = [...(r.imperfect ? ['padded'] : []), ...(gaps ? ['gap'] : [])];
  const rows: string[][] = [['layer', 'MACs', `energy (${unit})`, `/MAC`, ...names.map((n) => `${n} %`), 'cycles', 'util', 'PEs', 'DRAM/MAC', ...extra]];
  for (const l of r.layers) {
    if (!l.result) { rows.push([l.layer.name, '-', `not modelled (${l.layer.kind === 'other' ? l.layer.op : ''})`, '', ...names.map(() => ''), '', '', '', '', ...extra.map(() => '')]); continue; }
    const res = l.sparse?.result ?? l.result;
    const dram = offChipAccesses(res);
    rows.push([
      l.layer.name, fmt(l.macs), layerEnergy(l).toExponential(3), (layerEnergy(l) / l.macs).toFixed(2),
      ...names.map((n) => {
        const i = res.levels.findIndex((x) => x.name === n);
        const e = i < 0 ? 0 : l.sparse ? l.sparse.levelEnergyPJ[i] : res.levels[i].energyPJ;
        return ((e / layerEnergy(l)) * 100).toFixed(1);
      }),
      fmt(res.cycles), `${(res.utilization * 100).toFixed(0)}%`, peText(res.levels[0].utilizedInstances), (dram / l.macs).toFixed(4),
      ...(r.imperfect ? [padText(l)] : []), ...(gaps ? [l.gap === undefined ? '' : `${l.gap.toFixed(3)}×`] : []),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((x) => x[c].length)));
  const lines = rows.map((x) => x.map((cell, c) => (c === 0 || cell.startsWith('not') ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  const t = r.totals;
  const fps = (clockHz / t.cycles) * r.batch;
  return [
    `${r.network} on ${r.arch}, batch ${r.batch}: ${fmt(t.macs)} MACs in ${r.layers.filter((l) => l.result).length} layers (${t.mappedShapes} distinct shapes mapped)`,
    ...(t.macLayersLeftOut + t.unknownOps > 0 ? [`not in the totals: ${t.macLayersLeftOut} layers with MACs dnnergy does not model, ${t.unknownOps} of ops it does not know`] : []),
    `energy ${t.energy.toExponential(4)} ${unit} (${(t.energy / t.macs).toFixed(3)} ${unit}/MAC), ${fmt(t.cycles)} cycles = ${fps.toFixed(1)} frames/s at ${clockHz / 1e6} MHz${r.layers.some((l) => l.result && l.layer.kind === 'conv') ? ` (convolutions alone: ${((clockHz / convCycles(r)) * r.batch).toFixed(1)})` : ''}, ${(t.dramAccesses / t.macs).toFixed(4)} DRAM accesses/MAC`,
    '',
    ...lines,
    '',
  ].join('\n');
}
