/** What a mapping search minimises, and how two evaluations compare under it. */

/** The quantity to minimise: energy, cycles, or their product. */
export type Objective = 'energy' | 'delay' | 'edp';

/** Primary score of an evaluation under an objective (lower is better). */
export function score(objective: Objective, energyPJ: number, cycles: number): number {
  return objective === 'energy' ? energyPJ : objective === 'delay' ? cycles : energyPJ * cycles;
}

/** a better than b? Ties on the score are broken by energy, then cycles. */
export function better(objective: Objective, ea: number, ca: number, eb: number, cb: number): boolean {
  const sa = score(objective, ea, ca), sb = score(objective, eb, cb);
  if (sa !== sb) return sa < sb;
  if (ea !== eb) return ea < eb;
  return ca < cb;
}
