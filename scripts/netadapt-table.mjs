// Rows of the README's NetAdapt tables from `dnnergy adapt` report.json files:
// node scripts/netadapt-table.mjs <run dir> [<run dir>=<baseline run dir>] ...
// A run's width-multiplier curve (its own, or that of the run named after it with `=`:
// dir=baselineDir) gives the baseline's accuracy at NetAdapt's cost and its cost at
// NetAdapt's accuracy, by linear interpolation between the α points (test accuracy;
// the cost at equal accuracy between the cheapest α at least as accurate and the α before it).
// Costs are fractions of each run's own original: a run's mapper seed is its --seed, so two
// seeds price the same network a little differently (4.033e+7 and 3.988e+7 MAC-eq. here).
// One row per NetAdapt network of the run: each checkpoint (the first network at or under an
// intermediate target, long-term fine-tuned) and the end. Then the pruning baselines.
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
const pct = (x) => (x * 100).toFixed(2) + '%';
console.log('| cost | seed | held-out images | NetAdapt network | iterations | fine-tune images | cost (of original) | test acc. | width-mult. acc. at that cost | width-mult. cost at that acc. (of original) | cost lower by | channels (conv0, pw1–pw4) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
const pruned = [];
for (const arg of process.argv.slice(2)) {
  const [dir, base] = arg.split('=');
  const r = read(dir), b = read(base ?? dir);
  // The baselines only: all fine-tuned with one budget (the original is not fine-tuned at all).
  const curve = b.baselines.map((x) => ({ cost: x.ratio, acc: x.test_accuracy })).sort((p, q) => p.cost - q.cost);
  const points = [
    ...(r.checkpoints ?? []).map((c) => ({ name: `at ≤ ${c.target}`, iterations: c.iteration, images: c.fine_tune_images, cost: c.cost, ratio: c.ratio, acc: c.test_accuracy, channels: c.channels })),
    { name: `end (target ${r.target})`, iterations: r.iterations.length, images: r.netadapt.fine_tune_images, cost: r.netadapt.cost, ratio: r.netadapt.ratio, acc: r.netadapt.test_accuracy, channels: r.netadapt.channels },
  ];
  for (const p of points) {
    const accAt = interp(curve, p.ratio, 'cost', 'acc');
    // Cost at equal accuracy: between the cheapest baseline at least as accurate and the one before it.
    const hi = curve.findIndex((q) => q.acc >= p.acc);
    const costAt = hi < 0 ? NaN : hi === 0 ? curve[0].cost : interp([curve[hi - 1], curve[hi]], p.acc, 'acc', 'cost');
    const lower = Number.isNaN(costAt) ? (hi < 0 ? 'no α as accurate' : '—') : (costAt / p.ratio).toFixed(2) + '×' + (hi === 0 ? ' (cheapest α already as accurate)' : '');
    console.log(`| ${r.cost} | ${r.seed} | ${r.settings.holdout_images} | ${p.name} | ${p.iterations} | ${p.images} | ${p.cost.toExponential(3)} (${p.ratio.toFixed(3)}) | ${pct(p.acc)} | ${Number.isNaN(accAt) ? '—' : pct(accAt)} | ${Number.isNaN(costAt) ? '—' : costAt.toFixed(3)} | ${lower} | ${Object.values(p.channels).join(', ')} |`);
  }
  for (const p of r.pruned ?? []) pruned.push({ r, p, curve });
}
if (pruned.length > 0) {
  console.log('');
  console.log('| cost | seed | pruning | weights left | kept steps (tried) | fine-tune images | cost (of original) | test acc. | width-mult. acc. at that cost |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const { r, p, curve } of pruned) {
    const accAt = interp(curve, p.ratio, 'cost', 'acc');
    console.log(`| ${r.cost} | ${r.seed} | ${p.method} | ${pct(p.weight_density)} | ${p.kept_steps} (${p.steps}) | ${p.fine_tune_images} | ${p.cost.toExponential(3)} (${p.ratio.toFixed(3)}) | ${pct(p.test_accuracy)} | ${Number.isNaN(accAt) ? '—' : pct(accAt)} |`);
  }
}
