/**
 * Networks-on-chip as a bandwidth limit (dnnergy's addition: Timeloop's
 * network model counts energy only). A network with a mode (arch/network.ts)
 * carries, per instance of its parent level and per tensor it carries:
 * - multicast / broadcast (a bus with IDs or a tree): every word the parent
 *   reads once, however many children take it (the multicast counts of the
 *   nest analysis), plus the updates it receives;
 * - unicast: every word every child receives (child fills × children per
 *   parent instance; at the compute units, one operand per MAC; partial
 *   sums, which go to one child each, as read), plus the updates;
 * - neighbour (PE-to-PE links, one per child): each child's share of what
 *   the parent reads and receives.
 * Its cycles are `ceil(compute / slowdown)` with slowdown = bandwidth /
 * (words / compute cycles), as for a storage port (bandwidth.ts); the run
 * takes the slowest of compute, every level and every link. A link of
 * several modes runs in the fastest. A link that fills a single-buffered
 * level (`stalls`) does not overlap: its words / bandwidth add to the run.
 */
import type { NocLink, NocMode } from '../arch/network.js';
import type { CountBuffers } from './counts.js';
import { throttledCycles } from './bandwidth.js';

/** Whether tensor s crosses link (parent keeps it and its next keeper below is the link's child, if named). */
function carries(link: NocLink, counts: CountBuffers, S: number, s: number): boolean {
  const l = link.parent;
  if (!counts.kept[l * S + s]) return false;
  if (link.child === undefined) return true;
  let below = l - 1;
  while (below >= 0 && !counts.kept[below * S + s]) below--;
  return below === link.child;
}

/** Words per parent instance that cross `link` in `mode` over the run. Allocation-free. */
export function linkWords(link: NocLink, mode: NocMode, counts: CountBuffers, S: number): number {
  const l = link.parent;
  const rd = link.ports.includes('read'), up = link.ports.includes('update');
  const parents = Math.max(1, counts.utilizedInstances[l]);
  let words = 0;
  for (let s = 0; s < S; s++) {
    if (!carries(link, counts, S, s)) continue;
    const i = l * S + s;
    const updates = up ? counts.updates[i] : 0;
    // Partial sums (tensors that receive updates) go to one child each: their reads are already per destination.
    if (mode === 'unicast' && rd && counts.updates[i] === 0) {
      let below = l - 1;
      while (below >= 0 && !counts.kept[below * S + s]) below--;
      const received = below >= 0
        ? counts.fills[below * S + s] * counts.utilizedInstances[below]
        : counts.temporalIterations * counts.utilizedCompute;
      words += received / parents + updates;
    } else if (mode === 'neighbour') {
      const children = Math.max(1, (link.child !== undefined && link.child >= 0 ? counts.utilizedInstances[link.child] : counts.utilizedCompute) / parents);
      words += ((rd ? counts.reads[i] : 0) + updates) / children;
    } else {
      words += (rd ? counts.reads[i] : 0) + updates;
    }
  }
  return words;
}

/** Cycles `link` needs in `mode` at `bandwidth` words per cycle, given the compute cycles. */
function modeCycles(link: NocLink, mode: NocMode, bandwidth: number, counts: CountBuffers, S: number, compute: number): number {
  const demand = linkWords(link, mode, counts, S) / compute;
  return throttledCycles(compute, demand > bandwidth ? bandwidth / demand : 1);
}

/**
 * Cycles network `link` needs (the compute cycles when it does not limit,
 * or has no mode); for a link of several modes, the fastest mode's.
 */
export function linkCycles(link: NocLink, counts: CountBuffers, S: number, compute: number): number {
  if (link.stalls === true) return compute + stallCycles(link, counts, S);
  if (link.modes !== undefined && link.modes.length > 0) {
    let best = Infinity;
    for (let k = 0; k < link.modes.length; k++) best = Math.min(best, modeCycles(link, link.modes[k].mode, link.modes[k].bandwidth, counts, S, compute));
    return best;
  }
  if (link.mode === undefined || link.bandwidth === null) return compute;
  return modeCycles(link, link.mode, link.bandwidth, counts, S, compute);
}

/** The mode a link runs in for these counts (the fastest of its modes; ties: the first). */
export function linkMode(link: NocLink, counts: CountBuffers, S: number, compute: number): NocMode | undefined {
  if (link.modes === undefined || link.modes.length === 0) return link.mode;
  let best = Infinity, mode: NocMode = link.modes[0].mode;
  for (const m of link.modes) {
    const c = modeCycles(link, m.mode, m.bandwidth, counts, S, compute);
    if (c < best) { best = c; mode = m.mode; }
  }
  return mode;
}

/** Cycles a stalling network (`stalls`) adds to the run: its words over its bandwidth, rounded up; 0 otherwise. */
export function stallCycles(link: NocLink, counts: CountBuffers, S: number): number {
  if (link.stalls !== true || link.mode === undefined || link.bandwidth === null) return 0;
  return Math.ceil(linkWords(link, link.mode, counts, S) / link.bandwidth);
}
