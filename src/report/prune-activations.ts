/**
 * What pricing activations on their measured tiles changes (`dnnergy prune
 * --activations actual`): each layer's energy three ways on the same probe
 * images — their average non-zero fraction (what `average` prices), the
 * average of the tensor as the workload holds it (a padded convolution's
 * zero border counted), and the actual tiles — so that the padding's share
 * and the tiles' unevenness are told apart.
 */
import type { ActivationDensity, EnergyModel } from '../codesign/energy.js';
import { actualActivations } from '../network/activations.js';
import { layerWorkload, type ConvLayer, type FcLayer, type Network } from '../network/network.js';

/** One layer's energy under the three pricings, at one end of a run. */
export interface ActivationTilesRow {
  readonly name: string;
  /** Measured non-zero fraction of the input (unpadded) and of the workload's Inputs (padding counted). */
  readonly input_density: number;
  readonly input_density_laid_out: number;
  readonly output_density: number;
  readonly energy_average: number;
  readonly energy_laid_out: number;
  readonly energy_actual: number;
}

/** The three pricings of every layer and their totals. */
export interface ActivationTiles {
  readonly layers: readonly ActivationTilesRow[];
  readonly total: { readonly energy_average: number; readonly energy_laid_out: number; readonly energy_actual: number };
}

/** Prices the network at these weight densities and measured activations (with masks) three ways. */
export function activationTiles(em: EnergyModel, net: Network, weights: ReadonlyMap<string, number>, acts: ReadonlyMap<string, ActivationDensity>, batch = 1): ActivationTiles {
  const average = new Map<string, ActivationDensity>(), laidOut = new Map<string, ActivationDensity>();
  const padded = new Map<string, number>();
  for (const [name, a] of acts) {
    average.set(name, { inputs: a.inputs, outputs: a.outputs });
    const layer = net.layers.find((l) => l.name === name);
    const d = a.masks && layer && (layer.kind === 'conv' || layer.kind === 'fc')
      ? actualActivations(layerWorkload(layer as ConvLayer | FcLayer, batch), layer as ConvLayer | FcLayer, 'input', a.masks.inputs)?.density
      : undefined;
    padded.set(name, d ?? a.inputs);
    laidOut.set(name, { inputs: d ?? a.inputs, outputs: a.outputs });
  }
  const [av, lo, ac] = [average, laidOut, acts].map((m) => em.at(weights, m));
  return {
    layers: ac.layers.map((l, i) => ({
      name: l.name, input_density: l.activations.inputs, input_density_laid_out: padded.get(l.name) ?? l.activations.inputs, output_density: l.activations.outputs,
      energy_average: av.layers[i].cost, energy_laid_out: lo.layers[i].cost, energy_actual: l.cost,
    })),
    total: { energy_average: av.total, energy_laid_out: lo.total, energy_actual: ac.total },
  };
}

/** The comparison as text: one row per layer, before and after pruning. */
export function formatActivationTiles(images: number, before: ActivationTiles, after: ActivationTiles): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const e = (x: number) => x.toExponential(4);
  const rows = [['layer', 'input density', 'laid out', 'before: average', 'laid out', 'actual', 'actual/avg', 'after: average', 'laid out', 'actual', 'actual/avg']];
  before.layers.forEach((b, i) => {
    const a = after.layers[i];
    rows.push([b.name, `${pct(b.input_density)}→${pct(a.input_density)}`, `${pct(b.input_density_laid_out)}→${pct(a.input_density_laid_out)}`,
      e(b.energy_average), e(b.energy_laid_out), e(b.energy_actual), (b.energy_actual / b.energy_average).toFixed(4),
      e(a.energy_average), e(a.energy_laid_out), e(a.energy_actual), (a.energy_actual / a.energy_average).toFixed(4)]);
  });
  const bt = before.total, at = after.total;
  rows.push(['total', '', '', e(bt.energy_average), e(bt.energy_laid_out), e(bt.energy_actual), (bt.energy_actual / bt.energy_average).toFixed(4),
    e(at.energy_average), e(at.energy_laid_out), e(at.energy_actual), (at.energy_actual / at.energy_average).toFixed(4)]);
  const w = rows[0].map((_, c) => Math.max(...rows.map((x) => x[c].length)));
  return [
    `activations on the measured tiles of ${images} probe images; energy per layer priced on the same images by their average non-zero fraction, by the average of the workload's tensor (padding zeros counted), and by the actual tiles:`,
    ...rows.map((x) => x.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')),
    '',
  ].join('\n');
}
