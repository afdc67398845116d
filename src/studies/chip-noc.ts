/**
 * A design's networks-on-chip applied to a sparse run: the sparse engine's
 * result carries no network limits (model/noc.ts reads the nest analysis'
 * dense counts), so the words each network carries are rebuilt from the
 * sparse result as counts of the same form, and noc.ts's own rules
 * (`linkCycles`, `linkMode`: multicast carries the parent's reads once,
 * unicast every copy, neighbour links a child's share, stalling links add)
 * are run on them unchanged.
 *
 * What a tensor moves at a level, per instance: its actual accesses, the
 * gated ones (a gated read still occupies its slot on the wire in
 * Sparseloop's accounting) and its metadata bits over the level's word
 * width. A tensor crosses a read network in its child's representation
 * (Eyeriss v2's mesh carries iacts compressed even though its GLB is
 * modelled uncompressed, docs/chips.md): the parent's reads are its
 * algorithmic reads at the ratio of what the child receives to the
 * child's algorithmic fills. With every density 1 and no format these
 * are the dense counts, so the network cycles are the dense model's.
 */
import type { Arch } from '../arch/arch.js';
import type { NocMode } from '../arch/network.js';
import type { CountBuffers } from '../model/counts.js';
import { linkCycles, linkMode } from '../model/noc.js';
import type { DataSpaceResult, NetworkResult, Result } from '../model/result.js';
import type { SparseSpec } from '../sparse/spec.js';
import type { Workload } from '../workload/workload.js';

type Op = 'reads' | 'fills' | 'updates';

/** Metadata bits a tensor moves at a level for one kind of access, in words of the level. */
function metadataWords(spec: SparseSpec, l: number, s: number, d: DataSpaceResult, op: Op, wordBits: number): number {
  const f = spec.levels[l].formats[s];
  if (!f || !d.sparse) return 0;
  const def = spec.levels[l].metadataWordBits;
  let bits = 0;
  for (const kind of ['actual', 'gated'] as const) {
    d.sparse.metadata[kind][op].forEach((u, r) => {
      const rank = f.ranks[r];
      bits += (u[0] ?? 0) * (rank?.metadataWordBits ?? def) + (u[1] ?? 0) * (rank?.payloadWordBits ?? def);
    });
  }
  return bits / wordBits;
}

/** Words a tensor moves at a level for one kind of access, per instance (see the module comment). */
export function movedWords(arch: Arch, spec: SparseSpec, l: number, s: number, d: DataSpaceResult, op: Op): number {
  return d[op] + (d.sparse?.gated[op] ?? 0) + metadataWords(spec, l, s, d, op, arch.storage[l].wordBits);
}

/**
 * The sparse run's accesses as network counts: `dense` (the nest analysis
 * of the same mapping: which level keeps what, instances) with reads,
 * fills and updates replaced by what the sparse result moves. A new
 * buffer set: `dense` is left as it was.
 */
export function sparseLinkCounts(w: Workload, arch: Arch, spec: SparseSpec, dense: CountBuffers, sparse: Result): CountBuffers {
  const L = arch.storage.length, S = w.dataSpaces.length;
  const reads = new Float64Array(dense.reads), fills = new Float64Array(dense.fills), updates = new Float64Array(dense.updates);
  const at = (l: number, s: number) => sparse.levels[l + 1].dataSpaces.find((d) => d.name === w.dataSpaces[s].name)!;
  for (let s = 0; s < S; s++) {
    let child = -1;
    for (let l = 0; l < L; l++) {
      const i = l * S + s;
      if (!dense.kept[i]) continue;
      const d = at(l, s);
      fills[i] = movedWords(arch, spec, l, s, d, 'fills');
      updates[i] = movedWords(arch, spec, l, s, d, 'updates');
      const c = child >= 0 ? at(child, s) : null;
      const algFills = c?.sparse?.algorithmic.fills ?? 0;
      reads[i] = c && algFills > 0 ? (d.sparse?.algorithmic.reads ?? d.reads) * (fills[child * S + s] / algFills) : movedWords(arch, spec, l, s, d, 'reads');
      child = l;
    }
  }
  return { ...dense, utilizedInstances: new Float64Array(dense.utilizedInstances), kept: new Uint8Array(dense.kept), reads, fills, updates };
}

/** The networks of a sparse run and the cycles they make: the slowest overlapping one and what the stalling ones add. */
export interface SparseNetworks {
  readonly networks: readonly NetworkResult[];
  /** The largest cycles of a non-stalling network with a mode (`compute` when none limits). */
  readonly overlapping: number;
  /** Cycles the stalling networks add beyond `compute`. */
  readonly stalled: number;
}

/**
 * Every network of `arch` limited by noc.ts's rules on the sparse run's
 * words (`sparseLinkCounts`), at `compute` cycles of compute. Networks
 * cost no energy here: the sparse engine does not price them, and the
 * chips charge the array hop on the scratchpad fills.
 */
export function sparseNetworks(w: Workload, arch: Arch, spec: SparseSpec, dense: CountBuffers, sparse: Result, compute: number): SparseNetworks {
  const links = arch.networks ?? [];
  const counts = sparseLinkCounts(w, arch, spec, dense, sparse);
  const S = w.dataSpaces.length;
  let overlapping = compute, stalled = 0;
  const networks = links.map((link): NetworkResult => {
    const l = link.parent;
    const dataSpaces = w.dataSpaces.flatMap((d, s) => {
      const i = l * S + s;
      if (!counts.kept[i]) return [];
      return [{ name: d.name, transfers: (link.ports.includes('read') ? counts.reads[i] : 0) + (link.ports.includes('update') ? counts.updates[i] : 0), energyPJ: 0 }];
    });
    const mode: NocMode | undefined = linkMode(link, counts, S, compute);
    if (mode === undefined) return { name: link.name, parent: arch.storage[l].name, energyPJ: 0, dataSpaces };
    const cycles = linkCycles(link, counts, S, compute);
    if (link.stalls === true) stalled += cycles - compute; else overlapping = Math.max(overlapping, cycles);
    return { name: link.name, parent: arch.storage[l].name, energyPJ: 0, dataSpaces, mode, cycles };
  });
  return { networks, overlapping, stalled };
}
