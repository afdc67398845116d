/** Errors the mapper raises for conditions the user's inputs cause. */

/**
 * The constraints or the capacities leave no legal mapping: fixed factors
 * that do not divide a bound, a factor with no loop left to go to, or no
 * mapping within the fanout limits. The message says which; the mapper does
 * not know the file, so the caller turns it into a `SpecError` naming the
 * design or file (exit 2), never an internal error.
 */
export class UnmappableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnmappableError';
  }
}
