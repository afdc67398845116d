/**
 * What "better" means for a mapping: the objective a search minimises and
 * its tie-break, shared by the mapper, the commands and the bound.
 */

/** The metric to minimise: energy, delay (cycles), or their product (EDP, Timeloop's default). */
export type Objective = 'energy' | 'delay' | 'edp';

/** Primary score of an evaluation under an objective (lower is better). */
export function score(objective: Objective, energyPJ: number, cycles: number): number {
  return objective === 'energy' ? energyPJ : objective === 'delay' ? cycles : energyPJ * cycles;
}

/** Whether evaluation a is better than b. Ties on the score are broken by energy, then cycles. */
export function better(objective: Objective, ea: number, ca: number, eb: number, cb: number): boolean {
  const sa = score(objective, ea, ca), sb = score(objective, eb, cb);
  if (sa !== sb) return sa < sb;
  if (ea !== eb) return ea < eb;
  return ca < cb;
}
