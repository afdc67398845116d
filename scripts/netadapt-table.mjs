// Rows of the README's NetAdapt tables from `dnnergy adapt` report.json files:
// node scripts/netadapt-table.mjs <run dir> [<baseline run dir>] ...
// A run's width-multiplier curve (its own, or that of the run named after it with `=`:
// dir=baselineDir) gives the baseline's accuracy at NetAdapt's cost and its cost at
// NetAdapt's accuracy, by linear interpolation between the α points (test accuracy).
import { readFileSync } from 'node:fs';

const read = (d) => JSON.parse(readFileSync(`${d}/report.json`, 'utf8'));
const interp = (pts, x, xk, yk) => {
  const s = [...pts].sort((a, b) => a[xk] - b[xk]);
  for (let i = 0; i + 1 < s.length; i++) {
    const a = s[i], b = s[i + 1];
    if (x >= a[xk] && x <= b[xk]) return a[yk] + ((x - a[xk]) / (b[xk] - a[xk] || 1)) * (b[yk] - a[yk]);
  }
  return NaN;
};
console.log('| cost | target | seed | iterations | NetAdapt cost (of original) | NetAdapt test acc. | width-mult. acc. at that cost | width-mult. cost at that acc. | cost lower by | channels (conv0, pw1–pw4) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const arg of process.argv.slice(2)) {
  const [dir, base] = arg.split('=');
  const r = read(dir), b = read(base ?? dir);
  const curve = [{ cost: r.original.cost, acc: r.original.test_accuracy }, ...b.baselines.map((x) => ({ cost: x.cost, acc: x.test_accuracy }))];
  const accAt = interp(curve, r.netadapt.cost, 'cost', 'acc');
  // Cost at equal accuracy: the curve's accuracy rises with cost; interpolate cost over accuracy on its monotone part.
  const costAt = interp(curve, r.netadapt.test_accuracy, 'acc', 'cost');
  const ch = Object.values(r.netadapt.channels).join(', ');
  console.log(`| ${r.cost} | ${r.target} | ${r.seed} | ${r.iterations.length} | ${r.netadapt.cost.toExponential(3)} (${r.netadapt.ratio.toFixed(3)}) | ${(r.netadapt.test_accuracy * 100).toFixed(2)}% | ${Number.isNaN(accAt) ? '—' : (accAt * 100).toFixed(2) + '%'} | ${Number.isNaN(costAt) ? '—' : costAt.toExponential(3)} | ${Number.isNaN(costAt) ? '—' : (costAt / r.netadapt.cost).toFixed(2) + '×'} | ${ch} |`);
}
