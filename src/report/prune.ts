/** The report of a pruning run (`dnnergy prune`): JSON with stable keys, and a text table. */
import type { ActivationDensity, EnergyModel, LayerEnergy } from '../codesign/energy.js';
import type { PruneResult } from '../codesign/prune.js';
import type { Design } from '../designs/design.js';

/** Energy and test accuracy of the network at one end of the run. */
export interface PruneEnd {
  readonly energy: { readonly total: number; readonly layers: readonly LayerEnergy[] };
  readonly test: number;
}

/** Everything a pruning report is made of. */
export interface PruneReportInputs {
  /** The `--model` the user gave (shipped name or directory). */
  readonly model: string;
  readonly network: string;
  readonly method: string;
  readonly design: Design;
  readonly seed: number;
  readonly maxAccuracyDrop: number;
  readonly margin: number;
  /** The run's settings, keys as they appear in the JSON. */
  readonly settings: Readonly<Record<string, number>>;
  readonly energyModel: EnergyModel;
  /** Weight densities of the trained network before pruning. */
  readonly start: ReadonlyMap<string, number>;
  readonly result: PruneResult;
  readonly before: PruneEnd;
  readonly after: PruneEnd;
}

/** The JSON of `dnnergy prune` (also written as report.json). */
export type PruneReport = ReturnType<typeof pruneReport>;

/** Build the pruning report: accuracy and energy before and after, per layer, and every step. */
export function pruneReport(p: PruneReportInputs) {
  const { energyModel: em, start, result, before, after } = p;
  const allDense = em.layers.reduce((t, l) => t + l.dense.energyPJ, 0);
  const density = (m: ReadonlyMap<string, number>, name: string) => m.get(name) ?? 1;
  const acts = (e: PruneEnd, i: number): ActivationDensity => e.energy.layers[i].activations;
  return {
    model: p.model, network: p.network, method: p.method, arch: p.design.arch.name, energy_unit: p.design.energy.unit ?? 'pJ', seed: p.seed, max_accuracy_drop: p.maxAccuracyDrop, validation_margin: p.margin,
    settings: p.settings,
    accuracy: {
      test_before: before.test, test_after: after.test, test_drop_points: (before.test - after.test) * 100,
      validation_before: result.validation.before, validation_after: result.validation.after,
    },
    energy: { all_dense: allDense, before: before.energy.total, after: after.energy.total, reduction: before.energy.total / after.energy.total },
    weights: { before: em.layers.reduce((s, l) => s + l.weights * density(start, l.name), 0), after: em.layers.reduce((s, l) => s + l.weights * density(result.densities, l.name), 0) },
    layers: em.layers.map((l, i) => ({
      name: l.name, kind: l.kind, macs: l.macs, weights: l.weights,
      density_before: density(start, l.name), density_after: density(result.densities, l.name),
      input_density_before: acts(before, i).inputs, input_density_after: acts(after, i).inputs,
      output_density_before: acts(before, i).outputs, output_density_after: acts(after, i).outputs,
      energy_all_dense: l.dense.energyPJ, energy_before: before.energy.layers[i].energy, energy_after: after.energy.layers[i].energy,
    })),
    steps: result.steps.map((s) => ({ step: s.step, layer: s.layer, fraction: s.fraction, accepted: s.accepted, validation_accuracy: s.validationAccuracy, energy: s.energy })),
  };
}

/** The text of `dnnergy prune`: the headline, then one row per layer. */
export function formatPrune(r: PruneReport): string {
  const pct = (a: number, b: number) => `${(a * 100).toFixed(1)}% → ${(b * 100).toFixed(1)}%`;
  const rows = [['layer', 'weights', 'weight density', 'input density', 'energy before', 'energy after', 'lower by']];
  for (const l of r.layers) {
    rows.push([l.name, String(l.weights), pct(l.density_before, l.density_after), pct(l.input_density_before, l.input_density_after), l.energy_before.toExponential(3), l.energy_after.toExponential(3), `${(l.energy_before / l.energy_after).toFixed(2)}×`]);
  }
  rows.push(['total', `${Math.round(r.weights.before)} → ${Math.round(r.weights.after)}`, '', '', r.energy.before.toExponential(3), r.energy.after.toExponential(3), `${r.energy.reduction.toFixed(2)}×`]);
  const w = rows[0].map((_, c) => Math.max(...rows.map((x) => x[c].length)));
  const unit = r.energy_unit === 'MAC' ? 'MAC-equivalents' : 'pJ';
  return [
    `${r.network}, ${r.method} pruning on ${r.arch} (${r.steps.length} steps): energy ${r.energy.reduction.toFixed(2)}× lower, test accuracy ${(r.accuracy.test_before * 100).toFixed(2)}% → ${(r.accuracy.test_after * 100).toFixed(2)}% (${r.accuracy.test_drop_points >= 0 ? '−' : '+'}${Math.abs(r.accuracy.test_drop_points).toFixed(2)} points); energy in ${unit} per image`,
    `energy before counts the trained network's own zero activations (gated, RLC-coded off-chip); with nothing sparse it would be ${r.energy.all_dense.toExponential(3)} (${(r.energy.all_dense / r.energy.after).toFixed(2)}× the pruned energy)`,
    '',
    ...rows.map((x) => x.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')),
    '',
  ].join('\n');
}
