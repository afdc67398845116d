/** Pareto fronts: the points no other point beats on every axis (all minimised). */

/** Whether `a` dominates `b`: no worse on every axis, better on one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

/** Indices of the non-dominated points, in input order (equal points are all kept). */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    if (!points.some((q, j) => j !== i && dominates(q, points[i]))) out.push(i);
  }
  return out;
}
