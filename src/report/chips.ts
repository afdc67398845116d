/** Reports of `dnnergy chips`: chips side by side per layer and in total (text, JSON with stable keys, HTML). */
import type { ChipRun } from '../studies/chips.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** The JSON form: one entry per chip, every layer, the totals and the ratios of each chip to the first. */
export function chipsToJSON(network: string, batch: number, runs: readonly ChipRun[]): unknown {
  const base = runs[0];
  return {
    network, batch,
    chips: runs.map((r) => ({
      chip: r.chip, clock_hz: r.clockHz,
      totals: {
        macs: r.totals.macs, cycles: r.totals.cycles, energy_mac_eq: r.totals.energy, on_chip_energy_mac_eq: r.totals.onChipEnergy,
        inferences_per_second: r.totals.inferencesPerSecond, inferences_per_joule: r.totals.inferencesPerJoule, busy: r.totals.busy,
        ...(r !== base ? { speedup_vs_first: r.totals.inferencesPerSecond / base.totals.inferencesPerSecond, efficiency_vs_first: r.totals.inferencesPerJoule / base.totals.inferencesPerJoule } : {}),
      },
      layers: r.layers.map((l) => ({
        name: l.name, macs: l.macs, cycles: l.cycles, energy_mac_eq: l.energy, on_chip_energy_mac_eq: l.onChipEnergy,
        active_pes: l.activePEs, utilization: l.utilization, power_mW: l.powerMW, busy: l.busy, limit: l.limit,
        dram_accesses: l.dramAccesses, buffer_accesses: l.bufferAccesses, modes: l.modes, mapping_ranked_by: l.rankedBy,
        ...(l.densities ? { densities: l.densities, rlc_ratio: l.rlcRatio, dram_accesses_compressed: l.dramAccessesCompressed } : {}),
        ...(l.fold ? { fold: { width: l.fold.width, segments: l.fold.segments, passes: l.fold.passes, q: l.fold.q, padded_q: l.fold.paddedQ } } : {}),
      })),
    })),
  };
}

/** The text table: per layer, each chip's milliseconds, active PEs, busy fraction and limit; then the totals. */
export function formatChips(network: string, batch: number, runs: readonly ChipRun[]): string {
  const out: string[] = [`${network}, batch ${batch}: ${runs.map((r) => r.chip).join(' vs ')}`];
  const head = ['layer', ...runs.flatMap((r) => [`${r.chip} ms`, 'PEs', 'busy', 'limit'])];
  const rows: string[][] = [head];
  runs[0].layers.forEach((l, i) => {
    rows.push([l.name, ...runs.flatMap((r) => {
      const x = r.layers[i];
      return [f((x.cycles / r.clockHz) * 1e3, 2), String(x.activePEs), pct(x.busy), x.limit];
    })]);
  });
  const w = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) out.push(r.map((c, k) => (k === 0 || head[k] === 'limit' ? c.padEnd(w[k]) : c.padStart(w[k]))).join('  ').trimEnd());
  out.push('');
  const base = runs[0];
  for (const r of runs) {
    const t = r.totals;
    const vs = r === base ? '' : `; ${f(t.inferencesPerSecond / base.totals.inferencesPerSecond, 2)}× faster, ${f(t.inferencesPerJoule / base.totals.inferencesPerJoule, 2)}× more inferences/J than ${base.chip}`;
    out.push(`${r.chip}: ${f(t.inferencesPerSecond)} inferences/s at ${r.clockHz / 1e6} MHz, ${f(t.inferencesPerJoule)} inferences/J on chip, MACs busy ${pct(t.busy)} of the time${vs}`);
  }
  for (const r of runs) {
    if (!r.layers.some((l) => l.fold)) continue;
    const padded = r.layers.filter((l) => l.fold && l.fold.paddedQ !== l.fold.q).map((l) => `${l.name} ${l.fold!.q}→${l.fold!.paddedQ}`);
    out.push(`${r.chip} placed by its compiler's row-stationary fold${padded.length ? `; Q padded to the fold (${padded.join(', ')}): a short pass takes a full pass's time, its work is scaled to the real MACs` : ''}`);
  }
  return out.join('\n') + '\n';
}

/** A self-contained HTML page: per-layer milliseconds of each chip as grouped bars, and the table. */
export function chipsHtml(network: string, batch: number, runs: readonly ChipRun[]): string {
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];
  const n = runs[0].layers.length;
  const ms = (r: ChipRun, i: number) => (r.layers[i].cycles / r.clockHz) * 1e3;
  const max = Math.max(...runs.flatMap((r) => r.layers.map((_, i) => ms(r, i))), 1e-9);
  const barW = 8, group = runs.length * barW + 8, left = 60, top = 20, height = 240;
  const width = left + n * group + 20;
  const bars: string[] = [];
  for (let i = 0; i < n; i++) {
    runs.forEach((r, k) => {
      const h = (ms(r, i) / max) * height, x = left + i * group + k * barW;
      bars.push(`<rect x="${x}" y="${(top + height - h).toFixed(2)}" width="${barW - 1}" height="${h.toFixed(2)}" fill="${colors[k % colors.length]}"><title>${esc(r.layers[i].name)} on ${esc(r.chip)}: ${f(ms(r, i), 3)} ms, ${r.layers[i].activePEs} PEs, limit ${esc(r.layers[i].limit)}</title></rect>`);
    });
    const x = left + i * group + (runs.length * barW) / 2;
    bars.push(`<text x="${x}" y="${top + height + 8}" font-size="9" transform="rotate(60 ${x} ${top + height + 8})">${esc(runs[0].layers[i].name)}</text>`);
  }
  const legend = runs.map((r, k) => `<span style="margin-right:14px"><span style="display:inline-block;width:10px;height:10px;background:${colors[k % colors.length]}"></span> ${esc(r.chip)}</span>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(network)} on ${esc(runs.map((r) => r.chip).join(', '))} — dnnergy</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{font-size:12px}</style></head>
<body>
<h1>${esc(network)}, batch ${batch}</h1>
<h2>Milliseconds per layer</h2>
<div>${legend}</div>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 90}" role="img" aria-label="milliseconds per layer per chip">
<line x1="${left}" x2="${width - 10}" y1="${top + height}" y2="${top + height}" stroke="#999"/>
<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${f(max, 2)} ms</text>
${bars.join('\n')}
</svg>
<h2>Layers and totals</h2>
<pre>${esc(formatChips(network, batch, runs))}</pre>
</body></html>
`;
}
