/** Command-line number parsing shared by the commands. */
import { SpecError } from '../spec/errors.js';

/** A whole number ≥ min, or a one-line error naming the flag. */
export function wholeNumber(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new SpecError('<command line>', flag, `a whole number ≥ ${min}`, v);
  return n;
}
