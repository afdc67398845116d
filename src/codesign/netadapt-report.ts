/**
 * The HTML of a NetAdapt run: accuracy against cost for the original
 * network, every NetAdapt iteration (held-out accuracy after its short-term
 * fine-tune), the adapted network and the width-multiplier baselines (test
 * accuracy after the same fine-tuning budget), as an SVG drawn here (no
 * scripts, no external files), with the tables under it.
 */

/** What the plot needs of a report. */
export interface AdaptPlotInput {
  readonly network: string;
  readonly data: string;
  readonly cost: string;
  readonly unit: string;
  readonly target: number;
  readonly seed: number;
  readonly original: { readonly cost: number; readonly test_accuracy: number; readonly holdout_accuracy: number };
  readonly netadapt: { readonly cost: number; readonly test_accuracy: number; readonly holdout_accuracy: number; readonly channels: Readonly<Record<string, number>> };
  readonly iterations: readonly { readonly iteration: number; readonly cost: number; readonly holdout_accuracy: number; readonly chosen: string; readonly to: number }[];
  readonly baselines: readonly { readonly alpha: number; readonly cost: number; readonly test_accuracy: number; readonly channels: Readonly<Record<string, number>> }[];
  /** NetAdapt's networks at intermediate targets, long-term fine-tuned. */
  readonly checkpoints?: readonly { readonly target: number; readonly cost: number; readonly test_accuracy: number; readonly iteration: number }[];
  /** Pruning baselines: cost as a fraction of the original under their own provider (drawn at that fraction of the table's original). */
  readonly pruned?: readonly { readonly method: string; readonly ratio: number; readonly test_accuracy: number; readonly weight_density: number }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained HTML page for a NetAdapt report. */
export function adaptHtml(r: AdaptPlotInput): string {
  const W = 640, H = 380, L = 70, B = 50, T = 20, R = 20;
  const pts = [
    { x: r.original.cost, y: r.original.test_accuracy, label: 'original', kind: 'orig' },
    ...r.iterations.map((it) => ({ x: it.cost, y: it.holdout_accuracy, label: `iteration ${it.iteration}: ${it.chosen} → ${it.to} (held-out, short-term)`, kind: 'iter' })),
    ...(r.checkpoints ?? []).map((c) => ({ x: c.cost, y: c.test_accuracy, label: `NetAdapt at ≤ ${c.target} (iteration ${c.iteration}, test)`, kind: 'na' })),
    { x: r.netadapt.cost, y: r.netadapt.test_accuracy, label: 'NetAdapt (test)', kind: 'na' },
    ...r.baselines.map((b) => ({ x: b.cost, y: b.test_accuracy, label: `width ${b.alpha} (test)`, kind: 'base' })),
    ...(r.pruned ?? []).map((p) => ({ x: p.ratio * r.original.cost, y: p.test_accuracy, label: `${p.method} pruning, ${(p.weight_density * 100).toFixed(1)}% weights (test)`, kind: p.method === 'magnitude' ? 'mag' : 'ea' })),
  ];
  const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  const x0 = 0, x1 = Math.max(...xs) * 1.05, y0 = Math.max(0, Math.min(...ys) - 0.02), y1 = Math.min(1, Math.max(...ys) + 0.01);
  const X = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R), Y = (v: number) => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
  const colour: Record<string, string> = { orig: '#222', iter: '#9ecae1', na: '#e15759', base: '#4e79a7', mag: '#f28e2b', ea: '#59a14f' };
  const line = (kind: string) => {
    const p = pts.filter((q) => q.kind === kind || (kind === 'iter' && q.kind === 'orig')).sort((a, b) => a.x - b.x);
    return `<polyline fill="none" stroke="${colour[kind]}" stroke-width="1.5" points="${p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`;
  };
  const dots = pts.map((p) => `<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="${p.kind === 'na' ? 6 : 4}" fill="${colour[p.kind]}"><title>${esc(p.label)}: ${p.x.toExponential(3)} ${esc(r.unit)}, ${(p.y * 100).toFixed(2)}%</title></circle>`).join('\n');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const xv = x0 + f * (x1 - x0), yv = y0 + f * (y1 - y0);
    return `<text x="${X(xv)}" y="${H - B + 16}" font-size="10" text-anchor="middle">${xv.toExponential(2)}</text><text x="${L - 6}" y="${Y(yv) + 3}" font-size="10" text-anchor="end">${(yv * 100).toFixed(1)}%</text><line x1="${L}" x2="${W - R}" y1="${Y(yv)}" y2="${Y(yv)}" stroke="#eee"/>`;
  }).join('\n');
  const target = `<line x1="${X(r.original.cost * r.target)}" x2="${X(r.original.cost * r.target)}" y1="${T}" y2="${H - B}" stroke="#e15759" stroke-dasharray="4 3"/>`;
  const layers = Object.keys(r.netadapt.channels);
  const rows = [
    `<tr><td>NetAdapt</td><td>${r.netadapt.cost.toExponential(3)}</td><td>${(r.netadapt.test_accuracy * 100).toFixed(2)}%</td>${layers.map((l) => `<td>${r.netadapt.channels[l]}</td>`).join('')}</tr>`,
    ...r.baselines.map((b) => `<tr><td>width ${b.alpha}</td><td>${b.cost.toExponential(3)}</td><td>${(b.test_accuracy * 100).toFixed(2)}%</td>${layers.map((l) => `<td>${b.channels[l]}</td>`).join('')}</tr>`),
    ...(r.pruned ?? []).map((p) => `<tr><td>${esc(p.method)} pruning (${(p.weight_density * 100).toFixed(1)}% weights)</td><td>${(p.ratio * r.original.cost).toExponential(3)}</td><td>${(p.test_accuracy * 100).toFixed(2)}%</td>${layers.map(() => '<td></td>').join('')}</tr>`),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NetAdapt: ${esc(r.network)} on ${esc(r.cost)} — dnnergy</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body><h1>NetAdapt: ${esc(r.network)} (${esc(r.data)}) on ${esc(r.cost)}</h1>
<p>Target ${r.target} of the original cost (dashed), seed ${r.seed}. Red: NetAdapt after its long-term fine-tune (and at its intermediate targets, each long-term fine-tuned); light blue: its iterations (held-out accuracy after each short-term fine-tune); blue: uniform width multipliers with the same fine-tuning budget${(r.pruned ?? []).length > 0 ? '; orange: magnitude pruning, green: energy-aware pruning (unstructured, same design and budget)' : ''}.</p>
<svg width="${W}" height="${H}" role="img" aria-label="accuracy against cost">
${ticks}
${target}
${line('iter')}
${line('base')}
${line('na')}
${dots}
<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">${esc(r.cost)} (${esc(r.unit)})</text>
<text x="14" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">accuracy</text>
</svg>
<table><tr><th>network</th><th>cost</th><th>test accuracy</th>${layers.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>
${rows}
</table></body></html>
`;
}
