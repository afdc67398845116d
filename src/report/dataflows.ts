/** Reports of the ISCA 2016 dataflow comparison: text table, JSON and an HTML plot. */
import { CATEGORIES, type DataflowSummary } from '../network/dataflows.js';

const COLORS: Record<string, string> = { ALU: '#bab0ac', RF: '#4e79a7', array: '#59a14f', buffer: '#f28e2b', DRAM: '#e15759' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Part = 'conv' | 'fc';
const perMac = (s: DataflowSummary, p: Part) => (s[p].macs ? s[p].energy / s[p].macs : 0);

export interface ComparisonMeta { network: string; batch: number; objective: string; evaluations: number; seed: number }

export function comparisonToJSON(all: readonly DataflowSummary[], m: ComparisonMeta): unknown {
  const rs = all.find((s) => s.dataflow === 'RS');
  const ratio = (s: DataflowSummary, p: Part) => (rs && perMac(rs, p) > 0 ? perMac(s, p) / perMac(rs, p) : null);
  return {
    network: m.network, batch: m.batch, objective: m.objective, evaluations_per_shape: m.evaluations, seed: m.seed,
    energy_unit: 'MAC',
    dataflows: all.map((s) => ({
      dataflow: s.dataflow,
      arch: s.arch,
      description: s.description,
      conv: { macs: s.conv.macs, energy: s.conv.energy, energy_per_mac: perMac(s, 'conv'), vs_rs: ratio(s, 'conv'), per_mac_by_category: s.conv.perMac, dram_accesses_per_mac: s.conv.dramPerMac },
      fc: { macs: s.fc.macs, energy: s.fc.energy, energy_per_mac: perMac(s, 'fc'), vs_rs: ratio(s, 'fc'), per_mac_by_category: s.fc.perMac, dram_accesses_per_mac: s.fc.dramPerMac },
      layers: s.layers.map((l) => ({ name: l.name, kind: l.kind, macs: l.macs, energy_per_mac: CATEGORIES.reduce((a, c) => a + l.perMac[c], 0), per_mac_by_category: l.perMac })),
    })),
  };
}

export function formatComparison(all: readonly DataflowSummary[], m: ComparisonMeta): string {
  const rs = all.find((s) => s.dataflow === 'RS');
  const lines: string[] = [`${m.network}, batch ${m.batch}, 256 PEs, same storage area; energy in MAC-equivalents per MAC (normalised: RF 1, array 2, buffer 6, DRAM 200)`, ''];
  for (const p of ['conv', 'fc'] as Part[]) {
    const rows: string[][] = [[p === 'conv' ? 'CONV layers' : 'FC layers', 'energy/MAC', 'vs RS', ...CATEGORIES, 'DRAM acc/MAC']];
    for (const s of all) {
      if (!s[p].macs) continue;
      rows.push([s.dataflow, perMac(s, p).toFixed(2), rs ? `${(perMac(s, p) / perMac(rs, p)).toFixed(2)}×` : '-', ...CATEGORIES.map((c) => s[p].perMac[c].toFixed(2)), s[p].dramPerMac.toFixed(4)]);
    }
    if (rows.length === 1) continue;
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    lines.push(...rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ')), '');
  }
  return lines.join('\n');
}

/** Stacked bars of energy per MAC by category, one per dataflow, CONV and FC side by side. */
export function comparisonHtml(all: readonly DataflowSummary[], m: ComparisonMeta): string {
  const barW = 34, gap = 14, left = 60, top = 20, height = 280, groupGap = 50;
  const parts: Part[] = (['conv', 'fc'] as Part[]).filter((p) => all.some((s) => s[p].macs > 0));
  const max = Math.max(...parts.flatMap((p) => all.map((s) => perMac(s, p))), 1);
  const svg: string[] = [];
  let x = left;
  for (const p of parts) {
    const x0 = x;
    for (const s of all) {
      let y = top + height;
      for (const c of CATEGORIES) {
        const h = (s[p].perMac[c] / max) * height;
        if (h <= 0) continue;
        y -= h;
        svg.push(`<rect x="${x}" y="${y.toFixed(2)}" width="${barW}" height="${h.toFixed(2)}" fill="${COLORS[c]}"><title>${p.toUpperCase()} ${s.dataflow} · ${c}: ${s[p].perMac[c].toFixed(3)} per MAC</title></rect>`);
      }
      svg.push(`<text x="${x + barW / 2}" y="${top + height + 14}" font-size="11" text-anchor="middle">${s.dataflow}</text>`);
      svg.push(`<text x="${x + barW / 2}" y="${(y - 4).toFixed(2)}" font-size="10" text-anchor="middle">${perMac(s, p).toFixed(1)}</text>`);
      x += barW + gap;
    }
    svg.push(`<text x="${(x0 + x - gap) / 2}" y="${top + height + 32}" font-size="12" font-weight="bold" text-anchor="middle">${p === 'conv' ? 'CONV layers' : 'FC layers'}</text>`);
    x += groupGap;
  }
  const width = x;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = top + height - f * height;
    return `<line x1="${left - 4}" x2="${width - groupGap}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 3}" font-size="10" text-anchor="end">${(f * max).toFixed(1)}</text>`;
  });
  const legend = CATEGORIES.map((c) => `<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;width:10px;height:10px;background:${COLORS[c]}"></span> ${c}</span>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dataflow comparison: ${esc(m.network)} — dnnergy</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{font-size:12px}</style></head>
<body>
<h1>Dataflow comparison (ISCA 2016 setup): ${esc(m.network)}, batch ${m.batch}</h1>
<p>256 PEs, same storage area; normalised energy per MAC (MAC 1, RF 1, array 2, buffer 6, DRAM 200). Mapper objective ${esc(m.objective)}, ${m.evaluations} evaluations per layer shape, seed ${m.seed}.</p>
<div>${legend}</div>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 50}" role="img" aria-label="energy per MAC by dataflow">
${ticks.join('\n')}
${svg.join('\n')}
</svg>
<pre>${esc(formatComparison(all, m))}</pre>
</body></html>
`;
}
