/** `dnnergy analyze`: a whole network on an accelerator, layer by layer. */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { builtinArch, builtinArchNames } from '../arch/builtin.js';
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Constraints } from '../mapping/constraints.js';
import { constraintsFrom } from '../interop/timeloop/constraints.js';
import type { Workload } from '../workload/workload.js';
import { loadArchitecture } from '../io/inputs.js';
import { threadPool } from '../io/threadPool.js';
import { readBinaryFile, writeFileAtomic } from '../io/files.js';
import { importOnnx } from '../network/onnx/import.js';
import { analyzeNetwork, layerEnergy, type NetworkReport } from '../network/analyze.js';
import { zooNames, zooNetwork } from '../network/zoo.js';
import { reportHtml } from '../report/html.js';
import { fmt } from '../report/table.js';
import { SpecError } from '../spec/errors.js';
import { wholeNumber } from './args.js';

interface AnalyzeOpts { html?: string; ert?: string; clock?: string; inputShape?: string; arch: string; batch: string; evaluations: string; seed: string; threads: string; objective: string; json?: boolean; out?: string }

const whole = wholeNumber;

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('map and evaluate every layer of a network: per-layer energy by level, cycles, utilisation, DRAM accesses')
    .argument('<network>', `an ONNX file (.onnx) or a zoo network (${zooNames.join(', ')})`)
    .option('--input-shape <CxHxW>', 'input size for an ONNX model whose input dimensions are symbolic')
    .requiredOption('--arch <name|file.yaml>', `a built-in architecture (${builtinArchNames.join(', ')}) or Timeloop v0.3/v0.4 architecture YAML (comma-separated files; its constraints apply to every layer)`)
    .option('--ert <file>', 'energy reference table for an architecture file (Accelergy ERT YAML)')
    .option('--clock <MHz>', 'clock for frames/s (default: the built-in chip\'s, 1000 for files)')
    .option('--batch <n>', 'images per batch', '1')
    .option('--objective <energy|delay|edp>', 'what the mapper minimises per layer', 'edp')
    .option('--evaluations <n>', 'mapper budget per distinct layer shape', '20000')
    .option('--seed <n>', 'mapper seed', '1')
    .option('--threads <n>', 'mapper threads', '1')
    .option('--json', 'print JSON (stable keys) instead of a table')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with stacked bars of energy per layer by level')
    .action(async (name: string, opts: AnalyzeOpts) => {
      let inputShape: [number, number, number] | undefined;
      if (opts.inputShape !== undefined) {
        const m = /^(\d+)x(\d+)x(\d+)$/.exec(opts.inputShape);
        if (!m) throw new SpecError('<command line>', '--input-shape', 'CxHxW, e.g. 3x224x224', opts.inputShape);
        inputShape = [Number(m[1]), Number(m[2]), Number(m[3])];
      }
      const net = /\.onnx$/i.test(name) ? importOnnx(readBinaryFile(name), name, { inputShape }) : zooNetwork(name);
      if (!net) throw new SpecError('<command line>', 'network', `an .onnx file or a zoo network (${zooNames.join(', ')})`, name);
      const b = resolveArch(opts.arch, opts.ert);
      const clockHz = opts.clock === undefined ? b.clockHz : positive(opts.clock, '--clock') * 1e6;
      if (!['energy', 'delay', 'edp'].includes(opts.objective)) throw new SpecError('<command line>', '--objective', 'energy, delay or edp', opts.objective);
      const batch = whole(opts.batch, '--batch', 1);
      const showBar = !opts.json && process.stderr.isTTY && !process.env.CI;
      const bar = showBar ? new SingleBar({ format: `${net.name} {bar} {value}/{total} layers`, stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
      bar?.start(net.layers.length, 0);
      const threads = whole(opts.threads, '--threads', 1);
      const report = await analyzeNetwork(net, b.arch, b.energy, {
        batch, objective: opts.objective as 'energy', evaluations: whole(opts.evaluations, '--evaluations', 1),
        seed: whole(opts.seed, '--seed', 0), threads, pool: threads > 1 ? threadPool(threads) : undefined, constraints: b.constraints,
        source: /\.ya?ml$/i.test(opts.arch) ? opts.arch.split(',')[0] : opts.arch,
        onLayer: bar ? (d) => bar.update(d) : undefined,
      });
      bar?.stop();
      const json = JSON.stringify(reportToJSON(report, clockHz), null, 2) + '\n';
      if (opts.out) writeFileAtomic(opts.out, json);
      if (opts.html) writeFileAtomic(opts.html, reportHtml(report, clockHz));
      process.stdout.write(opts.json ? json : formatReport(report, clockHz));
    });
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new SpecError('<command line>', flag, 'a positive number', v);
  return n;
}

/** A built-in architecture by name, or one read from Timeloop YAML files. */
function resolveArch(spec: string, ert: string | undefined): { arch: Arch; energy: EnergyTable; clockHz: number; constraints: (w: Workload) => Constraints } {
  if (/\.ya?ml$/i.test(spec)) {
    const a = loadArchitecture(spec.split(','), ert);
    return { arch: a.arch, energy: a.energy, clockHz: 1e9, constraints: (w) => constraintsFrom(a.sections, w, a.arch) };
  }
  const b = builtinArch(spec);
  if (!b) throw new SpecError('<command line>', '--arch', `a built-in architecture (${builtinArchNames.join(', ')}) or an architecture file (.yaml)`, spec);
  return b;
}

/** Cycles of the convolution layers alone (the figure chip papers quote). */
function convCycles(r: NetworkReport): number {
  return r.layers.reduce((s, l) => s + (l.result && l.layer.kind === 'conv' ? l.result.cycles : 0), 0);
}

function levelNames(r: NetworkReport): string[] {
  for (const l of r.layers) if (l.result) return l.result.levels.filter((x) => x.energyPJ > 0 || x.dataSpaces.length > 0).map((x) => x.name);
  return [];
}

export function reportToJSON(r: NetworkReport, clockHz: number): unknown {
  const top = levelNames(r).slice(-1)[0];
  return {
    network: r.network,
    arch: r.arch,
    batch: r.batch,
    energy_unit: r.energyUnit,
    totals: {
      macs: r.totals.macs,
      energy: r.totals.energy,
      energy_per_mac: r.totals.energy / r.totals.macs,
      cycles: r.totals.cycles,
      frames_per_second: (clockHz / r.totals.cycles) * r.batch,
      conv_cycles: convCycles(r),
      conv_frames_per_second: (clockHz / convCycles(r)) * r.batch,
      dram_accesses_per_mac: r.totals.dramAccesses / r.totals.macs,
      distinct_shapes_mapped: r.totals.mappedShapes,
    },
    layers: r.layers.map((l) => {
      if (!l.result) return { name: l.layer.name, kind: l.layer.kind, op: l.layer.kind === 'other' ? l.layer.op : undefined, modelled: false };
      const res = l.result;
      const d = res.levels.find((x) => x.name === top);
      const dram = d ? d.dataSpaces.reduce((s, x) => s + (x.reads + x.fills + x.updates) * d.utilizedInstances, 0) : 0;
      const byTensor: Record<string, number> = {};
      for (const lv of res.levels) for (const ds of lv.dataSpaces) byTensor[ds.name] = (byTensor[ds.name] ?? 0) + ds.energyPJ;
      return {
        name: l.layer.name,
        kind: l.layer.kind,
        modelled: true,
        macs: l.macs,
        energy: layerEnergy(l),
        ...(l.sparse ? { weight_density: l.layer.kind === 'other' ? 1 : l.layer.weightDensity, dense_energy: res.energyPJ } : {}),
        cycles: res.cycles,
        utilization: res.utilization,
        active_pes: res.levels[0].utilizedInstances,
        dram_accesses_per_mac: dram / l.macs,
        energy_by_level: Object.fromEntries(res.levels.map((x, i) => [x.name, l.sparse ? l.sparse.levelEnergyPJ[i] : x.energyPJ]).filter(([, e]) => (e as number) > 0)),
        energy_by_tensor: byTensor,
        shape_mapped_before: l.cached,
      };
    }),
  };
}

export function formatReport(r: NetworkReport, clockHz: number): string {
  const names = levelNames(r);
  const unit = r.energyUnit === 'MAC' ? 'MAC-eq' : 'pJ';
  const rows: string[][] = [['layer', 'MACs', `energy (${unit})`, `/MAC`, ...names.map((n) => `${n} %`), 'cycles', 'util', 'PEs', 'DRAM/MAC']];
  for (const l of r.layers) {
    if (!l.result) { rows.push([l.layer.name, '-', `not modelled (${l.layer.kind === 'other' ? l.layer.op : ''})`, '', ...names.map(() => ''), '', '', '', '']); continue; }
    const res = l.result;
    const top = res.levels[res.levels.length - 1];
    const dram = top.dataSpaces.reduce((s, x) => s + (x.reads + x.fills + x.updates) * top.utilizedInstances, 0);
    rows.push([
      l.layer.name, fmt(l.macs), layerEnergy(l).toExponential(3), (layerEnergy(l) / l.macs).toFixed(2),
      ...names.map((n) => {
        const i = res.levels.findIndex((x) => x.name === n);
        const e = i < 0 ? 0 : l.sparse ? l.sparse.levelEnergyPJ[i] : res.levels[i].energyPJ;
        return ((e / layerEnergy(l)) * 100).toFixed(1);
      }),
      fmt(res.cycles), `${(res.utilization * 100).toFixed(0)}%`, String(res.levels[0].utilizedInstances), (dram / l.macs).toFixed(4),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((x) => x[c].length)));
  const lines = rows.map((x) => x.map((cell, c) => (c === 0 || cell.startsWith('not') ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  const t = r.totals;
  const fps = (clockHz / t.cycles) * r.batch;
  return [
    `${r.network} on ${r.arch}, batch ${r.batch}: ${fmt(t.macs)} MACs in ${r.layers.filter((l) => l.result).length} layers (${t.mappedShapes} distinct shapes mapped)`,
    `energy ${t.energy.toExponential(4)} ${unit} (${(t.energy / t.macs).toFixed(3)} ${unit}/MAC), ${fmt(t.cycles)} cycles = ${fps.toFixed(1)} frames/s at ${clockHz / 1e6} MHz (convolutions alone: ${((clockHz / convCycles(r)) * r.batch).toFixed(1)}), ${(t.dramAccesses / t.macs).toFixed(4)} DRAM accesses/MAC`,
    '',
    ...lines,
    '',
  ].join('\n');
}
