/**
 * A self-contained HTML report of a network analysis: a stacked bar per
 * layer (energy by level, SVG drawn here, no scripts or external files) and
 * the per-layer table.
 */
import { layerEnergy, type LayerReport, type NetworkReport } from '../network/analyze.js';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function reportHtml(r: NetworkReport, clockHz: number): string {
  const modelled = r.layers.filter((l) => l.result);
  const levels: string[] = [];
  for (const l of modelled) for (const lv of l.result!.levels) if (lv.energyPJ > 0 && !levels.includes(lv.name)) levels.push(lv.name);
  const unit = r.energyUnit === 'MAC' ? 'MAC-equivalents' : 'pJ';
  const max = Math.max(...modelled.map((l) => layerEnergy(l)), 1);
  const levelE = (l: LayerReport, name: string) => {
    const i = l.result!.levels.findIndex((lv) => lv.name === name);
    return i < 0 ? 0 : l.sparse ? l.sparse.levelEnergyPJ[i] : l.result!.levels[i].energyPJ;
  };
  const barW = 18, gap = 6, left = 70, top = 20, height = 260;
  const width = left + modelled.length * (barW + gap) + 20;
  const parts: string[] = [];
  modelled.forEach((l, i) => {
    let y = top + height;
    const x = left + i * (barW + gap);
    levels.forEach((name, k) => {
      const e = levelE(l, name);
      const h = (e / max) * height;
      if (h <= 0) return;
      y -= h;
      parts.push(`<rect x="${x}" y="${y.toFixed(2)}" width="${barW}" height="${h.toFixed(2)}" fill="${COLORS[k % COLORS.length]}"><title>${esc(l.layer.name)} · ${esc(name)}: ${e.toExponential(3)} ${unit}</title></rect>`);
    });
    parts.push(`<text x="${x + barW / 2}" y="${top + height + 8}" font-size="9" transform="rotate(60 ${x + barW / 2} ${top + height + 8})">${esc(l.layer.name)}</text>`);
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = top + height - f * height;
    return `<line x1="${left - 4}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 3}" font-size="10" text-anchor="end">${(f * max).toExponential(1)}</text>`;
  });
  const legend = levels.map((n, k) => `<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;width:10px;height:10px;background:${COLORS[k % COLORS.length]}"></span> ${esc(n)}</span>`).join('');
  const rows = r.layers.map((l) => {
    if (!l.result) return `<tr><td>${esc(l.layer.name)}</td><td colspan="6">not modelled (${esc(l.layer.kind === 'other' ? l.layer.op : l.layer.kind)})</td></tr>`;
    const res = l.result;
    return `<tr><td>${esc(l.layer.name)}</td><td>${l.macs.toLocaleString('en-US')}</td><td>${layerEnergy(l).toExponential(3)}</td><td>${(layerEnergy(l) / l.macs).toFixed(2)}</td><td>${res.cycles.toLocaleString('en-US')}</td><td>${(res.utilization * 100).toFixed(0)}%</td><td>${res.levels[0].utilizedInstances}</td></tr>`;
  }).join('\n');
  const t = r.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.network)} on ${esc(r.arch)} — dnnergy</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child,td[colspan]{text-align:left;color:#666}</style></head>
<body>
<h1>${esc(r.network)} on ${esc(r.arch)}, batch ${r.batch}</h1>
<p>${t.macs.toLocaleString('en-US')} MACs; energy ${t.energy.toExponential(4)} ${unit} (${(t.energy / t.macs).toFixed(3)} per MAC); ${t.cycles.toLocaleString('en-US')} cycles = ${((clockHz / t.cycles) * r.batch).toFixed(1)} frames/s at ${clockHz / 1e6} MHz; ${(t.dramAccesses / t.macs).toFixed(4)} DRAM accesses per MAC.</p>
<h2>Energy per layer by level (${unit})</h2>
<div>${legend}</div>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 90}" role="img" aria-label="energy per layer by level">
${ticks.join('\n')}
${parts.join('\n')}
</svg>
<h2>Layers</h2>
<table><thead><tr><th>layer</th><th>MACs</th><th>energy</th><th>per MAC</th><th>cycles</th><th>util.</th><th>PEs</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
