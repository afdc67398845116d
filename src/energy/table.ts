/**
 * Energy per action, per component: what Accelergy's ERT gives Timeloop.
 * Energies are in pJ per action; for storage, an action moves one block
 * (`blockSize` words).
 */
export interface EnergyTable {
  /** Where the numbers came from (a file name, or `built-in ...`). */
  readonly source: string;
  /** Unit of the energies: picojoules, or normalised (1 = one MAC). Default pJ. */
  readonly unit?: 'pJ' | 'MAC';
  /**
   * Timeloop's tolerance: a listed component's missing storage action costs
   * 0 (with a warning). Set for Accelergy ERTs; native tables must be complete.
   */
  readonly missingActionsAreZero?: boolean;
  /** Component name (without path or instance range) → action → energy. */
  readonly components: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

/** Energy of one action of a component, or undefined if the table lacks it. */
export function actionEnergy(t: EnergyTable, component: string, action: string): number | undefined {
  return t.components.get(component)?.[action];
}
