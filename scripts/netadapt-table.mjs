// Rows of the README's NetAdapt tables from `dnnergy adapt` report.json files:
// node scripts/netadapt-table.mjs <run dir> [<baseline run dir>] ...
// A run's width-multiplier curve (its own, or that of the run named after it with `=`:
// dir=baselineDir) gives the baseline's accuracy at NetAdapt's cost and its cost at
// NetAdapt's accuracy, by linear interpolation between the α points (test accuracy;
// the cost at equal accuracy between the cheapest α at least as accurate and the α before it).
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
  // The baselines only: all fine-tuned with one budget (the original is not fine-tuned at all).
  const curve = b.baselines.map((x) => ({ cost: x.cost, acc: x.test_accuracy })).sort((p, q) => p.cost - q.cost);
  const accAt = interp(curve, r.netadapt.cost, 'cost', 'acc');
  // Cost at equal accuracy: between the cheapest baseline at least as accurate and the one before it.
  const hi = curve.findIndex((p) => p.acc >= r.netadapt.test_accuracy);
  const costAt = hi <= 0 ? NaN : interp([curve[hi - 1], curve[hi]], r.netadapt.test_accuracy, 'acc', 'cost');
  const ch = Object.values(r.netadapt.channels).join(', ');
  console.log(`| ${r.cost} | ${r.target} | ${r.seed} | ${r.iterations.length} | ${r.netadapt.cost.toExponential(3)} (${r.netadapt.ratio.toFixed(3)}) | ${(r.netadapt.test_accuracy * 100).toFixed(2)}% | ${Number.isNaN(accAt) ? '—' : (accAt * 100).toFixed(2) + '%'} | ${Number.isNaN(costAt) ? '—' : costAt.toExponential(3)} | ${Number.isNaN(costAt) ? '—' : (costAt / r.netadapt.cost).toFixed(2) + '×'} | ${ch} |`);
}
