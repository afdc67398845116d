/**
 * Diagnostic: how tight the bound of a partial mapping is at the annealer's
 * best mapping, as the exact search's digits get set (keeps, then each
 * dimension in digit order). Run: `npx tsx test/helpers/bound-at-best.ts <name filter> [objective] [evaluations]`.
 */
import { boundOf, type SpaceView } from '../../src/mapper/bound.js';
import { mappedCase, mapperCases } from './mapper-case.js';

for (const r of mapperCases(process.argv[2])) {
  const { w, space, found, g, ctx, objective } = mappedCase(r, process.argv[3], Number(process.argv[4] ?? 30000));
  const { L, D, S } = space;
  const cost = objective === 'energy' ? found.energyPJ : objective === 'delay' ? found.cycles : found.energyPJ * found.cycles;
  const view: SpaceView = { L, D, S, fixed: Float64Array.from(space.fixed), free: [...space.free], primes: [...space.primes], keepFixed: Uint8Array.from(space.keepFixed) };
  const line = (what: string) => { const b = boundOf(ctx, view); console.log(`${r.name} ${objective} ${what}: cost ${cost.toPrecision(5)} bound ${b.score.toPrecision(5)} gap ${(cost / b.score).toFixed(3)} (E ${b.energyPJ.toPrecision(4)} onChip ${b.parts.onChip.toPrecision(4)} backing ${b.parts.backingStore.toPrecision(4)} cycles ${b.cycles})`); };
  line('space');
  (view as { keepFixed: Uint8Array }).keepFixed = Uint8Array.from(g.keep.subarray(0, L * S));
  line('keeps');
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < L * 3; i++) (view.fixed as Float64Array)[i * D + d] = g.f[i * D + d];
    (view.free as unknown[])[d] = []; (view.primes as unknown[])[d] = [];
    line(`+${w.dims[d]}`);
  }
}
