/**
 * The explorer's plots (Observable Plot: declarative stacked bars with
 * ordinal axes, legends and tips, 85 kB gzipped; see the commit that added it).
 */
import * as Plot from '@observablehq/plot';
import type { AnalyzeJSON, DataflowOut } from './jobs.js';

type Row = { layer: string; index: number; part: string; value: number };

let WIDTH = 900;

/** The width plots are drawn at (the page passes its panels' width). */
export function setChartWidth(w: number): void {
  WIDTH = Math.max(560, Math.floor(w));
}

function modelled(r: AnalyzeJSON) {
  return r.layers.map((l, index) => ({ l, index })).filter(({ l }) => l.modelled);
}

function rows(r: AnalyzeJSON, pick: 'energy_by_level' | 'energy_by_tensor'): Row[] {
  const out: Row[] = [];
  for (const { l, index } of modelled(r)) for (const [part, value] of Object.entries(l[pick] ?? {})) out.push({ layer: l.name, index, part, value });
  return out;
}

/** Stacked bars of each layer's energy by level or by tensor; clicking a bar calls `open` with the layer's index. */
export function energyChart(r: AnalyzeJSON, pick: 'energy_by_level' | 'energy_by_tensor', open: (layer: number) => void): Element {
  const data = rows(r, pick);
  const names = modelled(r).map(({ l }) => l.name);
  // Levels innermost first, tensors as the report lists them: the legend reads like the chip.
  const parts = [...new Set(modelled(r).flatMap(({ l }) => Object.keys(l[pick] ?? {})))];
  const fig = Plot.plot({
    width: WIDTH, height: 300, marginBottom: 70, marginLeft: 70,
    x: { domain: names, tickRotate: -50, label: null },
    y: { label: `energy (${r.energy_unit})`, grid: true, tickFormat: '~s' },
    color: { legend: true, scheme: 'tableau10', domain: parts },
    marks: [
      Plot.barY(data, { x: 'layer', y: 'value', fill: 'part', order: parts }),
      Plot.tip(data, Plot.pointerX(Plot.stackY({ x: 'layer', y: 'value', fill: 'part', order: parts, channels: { layer: 'layer', part: 'part' } }))),
      Plot.ruleY([0]),
    ],
  });
  clickable(fig, open);
  return fig;
}

/** Cycles per layer, bars coloured by PE utilisation. */
export function cyclesChart(r: AnalyzeJSON, open: (layer: number) => void): Element {
  const data = modelled(r).map(({ l, index }) => ({ layer: l.name, index, cycles: l.cycles ?? 0, utilization: l.utilization ?? 0 }));
  const fig = Plot.plot({
    width: WIDTH, height: 240, marginBottom: 70, marginLeft: 70,
    x: { domain: data.map((d) => d.layer), tickRotate: -50, label: null },
    y: { label: 'cycles', grid: true, tickFormat: '~s' },
    color: { legend: true, label: 'PE utilisation', domain: [0, 1], scheme: 'viridis', type: 'linear' },
    marks: [
      Plot.barY(data, { x: 'layer', y: 'cycles', fill: 'utilization' }),
      Plot.tip(data, Plot.pointerX({ x: 'layer', y: 'cycles', channels: { utilization: 'utilization' } })),
      Plot.ruleY([0]),
    ],
  });
  clickable(fig, open);
  return fig;
}

/** A click on a chart opens the layer under the pointer (Plot's pointer sets the figure's value). */
function clickable(fig: Element, open: (layer: number) => void): void {
  fig.addEventListener('click', () => {
    const v = (fig as Element & { value?: { index?: number; layer?: string } | null }).value;
    if (v && typeof v.index === 'number') open(v.index);
  });
}

/** Energy per MAC of the ISCA 2016 dataflows, stacked by where it is spent, CONV and FC side by side. */
export function dataflowChart(all: readonly DataflowOut[]): Element {
  const data: { dataflow: string; part: string; category: string; value: number }[] = [];
  for (const s of all) for (const part of ['conv', 'fc'] as const) for (const [category, value] of Object.entries(s[part].perMac)) data.push({ dataflow: s.dataflow, part: part.toUpperCase() + ' layers', category, value });
  return Plot.plot({
    width: WIDTH, height: 280, marginLeft: 60,
    fx: { label: null },
    x: { domain: all.map((s) => s.dataflow), label: null },
    y: { label: 'energy / MAC (normalised)', grid: true },
    color: { legend: true, domain: ['ALU', 'RF', 'array', 'buffer', 'DRAM'], scheme: 'tableau10' },
    marks: [Plot.barY(data, { fx: 'part', x: 'dataflow', y: 'value', fill: 'category', tip: true }), Plot.ruleY([0])],
  });
}

/** Each layer's energy on two designs, side by side. */
export function compareChart(a: AnalyzeJSON, b: AnalyzeJSON, labels: readonly [string, string]): Element {
  const data: { layer: string; design: string; energy: number }[] = [];
  for (const [r, label] of [[a, labels[0]], [b, labels[1]]] as const) for (const { l } of modelled(r)) data.push({ layer: l.name, design: label, energy: l.energy ?? 0 });
  const names = modelled(a).map(({ l }) => l.name);
  return Plot.plot({
    width: WIDTH, height: 280, marginBottom: 70, marginLeft: 70,
    fx: { domain: names, tickRotate: -50, label: null, padding: 0.15 },
    x: { domain: [...labels], axis: null },
    y: { label: `energy (${a.energy_unit})`, grid: true, tickFormat: '~s' },
    color: { legend: true, domain: [...labels], range: ['#4e79a7', '#f28e2b'] },
    marks: [Plot.barY(data, { fx: 'layer', x: 'design', y: 'energy', fill: 'design', tip: true }), Plot.ruleY([0])],
  });
}
