/**
 * The sweep's report: per network, every finished design and the Pareto
 * front of energy per inference, latency and area; as JSON (stable keys and
 * order, no timings: the same sweep and seed give the same bytes wherever
 * it ran) and as a self-contained HTML page with inline SVG plots (hover a
 * point for its parameters) and the table of front points.
 */
import type { ParamValue } from './spec.js';
import type { DesignNetworkTotals } from './aggregate.js';
import { paretoFront } from './pareto.js';

/** What a report is made from: the store's contents. */
export interface SweepData {
  readonly meta: {
    readonly name: string; readonly base: string; readonly objective: string; readonly evaluations: number; readonly seed: number;
    readonly energyUnit: string; readonly areaUnit: string; readonly areaSource: string; readonly jobs: number; readonly jobsDone: number;
    /** The parameters the sweep varies (swept, derived, solved), shown in tables. */
    readonly parameters: readonly string[];
  };
  readonly designs: readonly { readonly index: number; readonly key: string; readonly label: string; readonly params: Readonly<Record<string, ParamValue>>; readonly area: number }[];
  readonly networks: readonly { readonly index: number; readonly name: string; readonly batch: number }[];
  readonly totals: readonly DesignNetworkTotals[];
}

/** A design on a network, as reported. */
export interface ReportPoint {
  readonly design: number;
  readonly label: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly energy_per_inference: number;
  readonly latency_s: number;
  readonly area: number;
  readonly pareto: boolean;
}

/** The report JSON. */
export interface SweepReport {
  readonly sweep: string;
  readonly base: string;
  readonly objective: string;
  readonly evaluations: number;
  readonly seed: number;
  readonly energy_unit: string;
  readonly area_unit: string;
  readonly area_source: string;
  readonly designs: number;
  readonly parameters: readonly string[];
  readonly jobs: number;
  readonly jobs_done: number;
  readonly networks: readonly {
    readonly network: string;
    readonly batch: number;
    readonly designs_done: number;
    /** Designs with a layer they cannot map (first reason each). */
    readonly unmappable: readonly { readonly design: number; readonly error: string }[];
    readonly front: readonly number[];
    readonly points: readonly ReportPoint[];
  }[];
}

/** Build the report from the store's contents. */
export function sweepReport(d: SweepData): SweepReport {
  const byIndex = new Map(d.designs.map((x) => [x.index, x]));
  const networks = [...d.networks].sort((a, b) => a.index - b.index).map((n) => {
    const rows = d.totals.filter((t) => t.network === n.index).sort((a, b) => a.design - b.design);
    const ok = rows.filter((r) => r.error === undefined);
    const axes = ok.map((r) => [r.energyPerInference, r.latencyS, byIndex.get(r.design)!.area]);
    const front = new Set(paretoFront(axes).map((i) => ok[i].design));
    const points: ReportPoint[] = ok.map((r) => {
      const x = byIndex.get(r.design)!;
      return { design: r.design, label: x.label, params: sorted(x.params), energy_per_inference: r.energyPerInference, latency_s: r.latencyS, area: x.area, pareto: front.has(r.design) };
    });
    const frontOrder = points.filter((p) => p.pareto).sort((a, b) => a.energy_per_inference - b.energy_per_inference || a.latency_s - b.latency_s || a.area - b.area || a.design - b.design).map((p) => p.design);
    return {
      network: n.name, batch: n.batch, designs_done: rows.length,
      unmappable: rows.filter((r) => r.error !== undefined).map((r) => ({ design: r.design, error: r.error! })),
      front: frontOrder, points,
    };
  });
  const m = d.meta;
  return {
    sweep: m.name, base: m.base, objective: m.objective, evaluations: m.evaluations, seed: m.seed, energy_unit: m.energyUnit, area_unit: m.areaUnit,
    area_source: m.areaSource, designs: d.designs.length, parameters: m.parameters, jobs: m.jobs, jobs_done: m.jobsDone, networks,
  };
}

function sorted(p: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  return Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]]));
}

/** The report as text: the front of each network. */
export function formatSweepReport(r: SweepReport): string {
  const lines = [`sweep ${r.sweep} (base ${r.base}): ${r.designs} designs, ${r.jobs_done}/${r.jobs} layer jobs done; objective ${r.objective}, ${r.evaluations} evaluations per layer, seed ${r.seed}`];
  lines.push(`area: ${r.area_source === 'art' ? "the energy module's estimation (ART, 45 nm defaults)" : "the ISCA'16 equal-area rule"} in ${r.area_unit}; energy in ${r.energy_unit}`);
  for (const n of r.networks) {
    lines.push('', `${n.network} (batch ${n.batch}): ${n.designs_done} designs done, ${n.unmappable.length} cannot map a layer, ${n.front.length} on the front`);
    lines.push(`  ${'design'.padEnd(6)} ${'energy/inf'.padStart(12)} ${'latency ms'.padStart(11)} ${'area'.padStart(10)}  parameters`);
    const pts = new Map(n.points.map((p) => [p.design, p]));
    for (const i of n.front) {
      const p = pts.get(i)!;
      lines.push(`  ${String(i).padEnd(6)} ${fmt(p.energy_per_inference).padStart(12)} ${fmt(p.latency_s * 1e3).padStart(11)} ${fmt(p.area).padStart(10)}  ${paramText(p.params, r.parameters)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function fmt(x: number): string {
  return x >= 1e5 || (x !== 0 && x < 1e-2) ? x.toExponential(3) : x.toFixed(x >= 100 ? 1 : 3);
}

function paramText(p: Readonly<Record<string, ParamValue>>, names: readonly string[]): string {
  return names.map((k) => `${k}=${String(p[k])}`).join(' ');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const W = 640, H = 420, PAD = { l: 80, r: 20, t: 44, b: 50 };

function tickText(x: number): string {
  return x >= 1e4 || x < 1e-2 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/** Tick positions (log10) over [lo, hi]: round values m × 10^e, coarser while too many, evenly spaced when too few. */
function logTicks(lo: number, hi: number): number[] {
  for (const ms of [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5], [1]]) {
    const out: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) for (const m of ms) { const v = Math.log10(m) + e; if (v >= lo && v <= hi) out.push(v); }
    if (out.length >= 3 && out.length <= 8) return out;
    if (out.length < 3) break;
  }
  return [0.1, 0.3, 0.5, 0.7, 0.9].map((f) => lo + f * (hi - lo));
}

/**
 * One network's plot: latency (x, log) against energy per inference (y,
 * log); a circle's area and colour show the design's area; front points
 * are ringed and joined. Each point's <title> shows its figures on hover.
 */
export function frontSvg(r: SweepReport, ni: number): string {
  const n = r.networks[ni];
  const pts = n.points;
  if (pts.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="60"><text x="10" y="30">${esc(n.network)}: no finished designs</text></svg>`;
  const lx = pts.map((p) => Math.log10(p.latency_s)), ly = pts.map((p) => Math.log10(p.energy_per_inference));
  const span = (v: number[]) => { const lo = Math.min(...v), hi = Math.max(...v); const pad = (hi - lo || 1) * 0.05; return [lo - pad, hi + pad] as const; };
  const [x0, x1] = span(lx), [y0, y1] = span(ly);
  const areas = pts.map((p) => p.area), a0 = Math.min(...areas), a1 = Math.max(...areas);
  const X = (v: number) => PAD.l + ((v - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const Y = (v: number) => H - PAD.b - ((v - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
  const t = (p: number) => (a1 > a0 ? (p - a0) / (a1 - a0) : 0.5);
  const colour = (p: number) => `hsl(${Math.round(220 - 200 * t(p))},70%,45%)`;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${PAD.l}" y="18" font-size="13" font-weight="bold">${esc(`${n.network}: ${pts.length} designs, ${n.front.length} on the Pareto front (energy, latency, area)`)}</text>`);
  for (const e of logTicks(x0, x1)) parts.push(`<line x1="${X(e).toFixed(1)}" x2="${X(e).toFixed(1)}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="#eee"/><text x="${X(e).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${esc(tickText(10 ** e * 1e3))}</text>`);
  for (const e of logTicks(y0, y1)) parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${Y(e).toFixed(1)}" y2="${Y(e).toFixed(1)}" stroke="#eee"/><text x="${PAD.l - 4}" y="${(Y(e) + 4).toFixed(1)}" text-anchor="end">${esc(tickText(10 ** e))}</text>`);
  parts.push(`<text x="${(W + PAD.l) / 2}" y="${H - 12}" text-anchor="middle">latency per batch (ms, log)</text>`);
  parts.push(`<text transform="translate(12,${(H - PAD.b + PAD.t) / 2}) rotate(-90)" text-anchor="middle">energy per inference (${esc(r.energy_unit)}, log)</text>`);
  // The dashed staircase: the energy–latency front (area aside), which a 2-D plot can show as a line.
  const two = paretoFront(pts.map((p) => [p.energy_per_inference, p.latency_s])).map((i) => pts[i]).sort((a, b) => a.latency_s - b.latency_s || a.energy_per_inference - b.energy_per_inference);
  for (const p of pts) {
    const i = pts.indexOf(p);
    const rad = 3 + 5 * t(p.area);
    const tip = `design ${p.design}: ${paramText(p.params, r.parameters) || p.label}\nenergy/inference ${fmt(p.energy_per_inference)} ${r.energy_unit}\nlatency ${fmt(p.latency_s * 1e3)} ms\narea ${fmt(p.area)} ${r.area_unit}${p.pareto ? '\non the Pareto front' : ''}`;
    parts.push(`<circle cx="${X(lx[i]).toFixed(1)}" cy="${Y(ly[i]).toFixed(1)}" r="${rad.toFixed(1)}" fill="${colour(p.area)}" fill-opacity="${p.pareto ? 0.95 : 0.35}"${p.pareto ? ' stroke="black" stroke-width="1.5"' : ''}><title>${esc(tip)}</title></circle>`);
  }
  if (two.length > 1) {
    const xy: string[] = [];
    two.forEach((p, k) => {
      const x = X(Math.log10(p.latency_s)).toFixed(1), y = Y(Math.log10(p.energy_per_inference)).toFixed(1);
      if (k > 0) xy.push(`${x},${Y(Math.log10(two[k - 1].energy_per_inference)).toFixed(1)}`);
      xy.push(`${x},${y}`);
    });
    parts.push(`<polyline fill="none" stroke="black" stroke-dasharray="3,3" points="${xy.join(' ')}"/>`);
  }
  parts.push(`<text x="${PAD.l}" y="34" font-size="10">${esc(`ringed: front in energy, latency, area · dashed: energy–latency front · size, colour: area ${fmt(a0)}–${fmt(a1)} ${r.area_unit}`)}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Every network's plot in one SVG, stacked (for a README picture). */
export function sweepSvg(r: SweepReport): string {
  const plots = r.networks.map((_, i) => frontSvg(r, i));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * plots.length}" font-family="sans-serif" font-size="11">\n${plots.map((p, i) => `<g transform="translate(0,${i * H})">${p.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '')}</g>`).join('\n')}\n</svg>\n`;
}

/** A self-contained HTML page: plots with hover details and the table of front points per network. */
export function sweepHtml(r: SweepReport): string {
  const body: string[] = [];
  body.push(`<h1>Sweep ${esc(r.sweep)}</h1><p>base ${esc(r.base)}; ${r.designs} designs; ${r.jobs_done}/${r.jobs} layer jobs done; objective ${esc(r.objective)}, ${r.evaluations} evaluations per layer, seed ${r.seed}; area by ${r.area_source === 'art' ? 'ART (45 nm defaults)' : "the ISCA'16 equal-area rule"} in ${esc(r.area_unit)}; energy in ${esc(r.energy_unit)}. Hover a point for its parameters; ringed points are on the Pareto front.</p>`);
  r.networks.forEach((n, i) => {
    body.push(`<h2>${esc(n.network)} (batch ${n.batch})</h2>`, frontSvg(r, i));
    const pts = new Map(n.points.map((p) => [p.design, p]));
    const keys = r.parameters;
    body.push(`<table><tr><th>design</th><th>energy/inference (${esc(r.energy_unit)})</th><th>latency (ms)</th><th>area (${esc(r.area_unit)})</th>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>`);
    for (const d of n.front) {
      const p = pts.get(d)!;
      body.push(`<tr><td>${d}</td><td>${fmt(p.energy_per_inference)}</td><td>${fmt(p.latency_s * 1e3)}</td><td>${fmt(p.area)}</td>${keys.map((k) => `<td>${esc(String(p.params[k] ?? ''))}</td>`).join('')}</tr>`);
    }
    body.push('</table>');
    if (n.unmappable.length) body.push(`<p>${n.unmappable.length} designs cannot map a layer (not on the front), e.g. design ${n.unmappable[0].design}: ${esc(n.unmappable[0].error)}</p>`);
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>dnnergy sweep ${esc(r.sweep)}</title><style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}
