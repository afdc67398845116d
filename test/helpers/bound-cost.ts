/**
 * The bound's cost per call on the views the exact search sees: for each
 * case, the annealer's best mapping's keeps with 0..D of its dimensions'
 * factors fixed (in digit order), each view bounded many times with the
 * capacity cache warm. Run: `npx tsx test/helpers/bound-cost.ts <name filter> [objective]`.
 */
import { boundOf, type SpaceView } from '../../src/mapper/bound.js';
import { mappedCase, mapperCases } from './mapper-case.js';

for (const r of mapperCases(process.argv[2])) {
  const { space, g, ctx, objective } = mappedCase(r, process.argv[3], 5000);
  const { L, D, S } = space;
  const views: SpaceView[] = [];
  const fixed = Float64Array.from(space.fixed), free = [...space.free], primes = [...space.primes];
  for (let d = 0; d <= D; d++) {
    views.push({ L, D, S, fixed: Float64Array.from(fixed), free: [...free], primes: [...primes], keepFixed: Uint8Array.from(g.keep.subarray(0, L * S)), torder: space.torder });
    if (d === D) break;
    for (let i = 0; i < L * 3; i++) fixed[i * D + d] = g.f[i * D + d];
    free[d] = []; primes[d] = [];
  }
  for (const v of views) boundOf(ctx, v);
  const n = 2000;
  const t0 = performance.now();
  for (let k = 0; k < n; k++) boundOf(ctx, views[k % views.length]);
  console.log(`${r.name} ${objective}: ${((performance.now() - t0) * 1000 / n).toFixed(1)} us per bound (${views.length} views, ${ctx.backingStoreLeast.size} capacity results cached)`);
}
