/**
 * One layer's mapping on a chip under its sparse spec: the sparse engine's
 * counts and energies (evaluateSparse), with two things the engine does not
 * do put back from the dense model:
 * - networks-on-chip: the engine's result has no network limits (model/
 *   noc.ts runs in the dense model only). Each network's words per mode
 *   are the dense model's (linkWords) scaled by what the engine moves over
 *   it for the tensors it carries (the child's fills and the parent's
 *   updates: actual + gated data words + metadata bits over the word
 *   width, against the dense ones), then limited as noc.ts does;
 * - gating takes time: Sparseloop lowers the compute cycles by the
 *   computes a storage-level gating removes below it, but a chip that
 *   gates (Eyeriss v1: clock gating) still spends the cycle. For a gating
 *   chip the compute time stays the dense one; for a skipping chip
 *   (Eyeriss v2) it is the engine's.
 * With all densities 1 the counts, compute and network cycles are the
 * dense ones; formats still add their metadata (test/chips).
 */
import type { Arch } from '../arch/arch.js';
import type { NocMode } from '../arch/network.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { throttledCycles } from '../model/bandwidth.js';
import { compileMapping, compileProblem } from '../model/compile.js';
import { evaluate } from '../model/model.js';
import { Evaluator } from '../model/nest.js';
import { linkWords } from '../model/noc.js';
import type { DataSpaceResult, NetworkResult, Result } from '../model/result.js';
import { evaluateSparse } from '../sparse/evaluate.js';
import { RepresentationError } from '../sparse/representation.js';
import type { SparseSpec } from '../sparse/spec.js';
import type { Workload } from '../workload/workload.js';

/** How a chip treats the time of a zero: gated (the cycle is spent) or skipped (it is not). */
export type ZeroHandling = 'gate' | 'skip';

function metadataWords(spec: SparseSpec, l: number, s: number, d: DataSpaceResult, op: 'reads' | 'fills' | 'updates', wordBits: number): number {
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

/**
 * Words the sparse run moves over a network for tensor s against the dense
 * run's: what the child level receives (fills: data, gated, metadata — so
 * a tensor stored compressed in the child travels compressed even from an
 * uncompressed parent) for the read port, what the parent receives for the
 * update port.
 */
function moved(arch: Arch, spec: SparseSpec, dense: Result, sparse: Result, parent: number, child: number, name: string, s: number, rd: boolean, up: boolean): [number, number] {
  const at = (r: Result, l: number) => r.levels[l + 1]?.dataSpaces.find((x) => x.name === name);
  let sw = 0, dw = 0;
  const dc = at(dense, child), sc = at(sparse, child);
  if (rd && dc && sc) {
    dw += dc.fills * dense.levels[child + 1].utilizedInstances;
    sw += (sc.fills + (sc.sparse?.gated.fills ?? 0) + metadataWords(spec, child, s, sc, 'fills', arch.storage[child].wordBits)) * sparse.levels[child + 1].utilizedInstances;
  }
  const dp = at(dense, parent), sp = at(sparse, parent);
  if (up && dp && sp) {
    dw += dp.updates;
    sw += sp.updates + (sp.sparse?.gated.updates ?? 0) + metadataWords(spec, parent, s, sp, 'updates', arch.storage[parent].wordBits);
  }
  return [sw, dw];
}

/**
 * The spec with an outer offset rank (`UOP` over every dimension) added to
 * each tensor whose format has fewer ranks than the mapping's loops at that
 * level need (Sparseloop refuses such a format; its users add ranks by
 * hand): the chips' formats give the ranks the data carry (RLE, or CSC's
 * offsets and coordinates), the mapping decides how many tiling levels
 * sit above them. An empty outer rank costs nothing.
 */
export function withEnoughRanks(w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable, spec: SparseSpec): [SparseSpec, Result] {
  let s = spec;
  for (let tries = 0; tries < 8; tries++) {
    try {
      return [s, evaluateSparse(w, arch, mapping, energy, s)];
    } catch (e) {
      const m = e instanceof RepresentationError ? /^(.+) at level (\d+) needs more ranks/.exec(e.message) : null;
      if (!m) throw e;
      const t = w.dataSpaces.findIndex((d) => d.name === m[1]), l = Number(m[2]);
      const levels = [...s.levels];
      const formats = [...levels[l].formats];
      const f = formats[t]!;
      formats[t] = { ...f, ranks: [{ format: 'UOP', flattened: [] }, ...f.ranks] };
      levels[l] = { ...levels[l], formats };
      s = { ...s, levels };
    }
  }
  return [s, evaluateSparse(w, arch, mapping, energy, s)];
}

/** Evaluate a chip's mapping under its spec (see the module comment). `denseEnergy`: the design's table for the dense run. */
export function evaluateChip(w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable, denseEnergy: EnergyTable, given: SparseSpec, zeros: ZeroHandling): Result {

  const dense = evaluate(w, arch, mapping, denseEnergy);
  const [spec, sparse] = withEnoughRanks(w, arch, mapping, energy, given);
  const p = compileProblem(w, arch);
  const counts = new Evaluator(p).run(compileMapping(p, mapping));
  const S = w.dataSpaces.length;
  const compute = zeros === 'gate' ? Math.max(dense.levels[0].cycles, sparse.levels[0].cycles) : sparse.levels[0].cycles;
  let cycles = compute;
  for (const l of sparse.levels.slice(1)) cycles = Math.max(cycles, l.cycles);
  let stalled = 0;
  const networks: NetworkResult[] = [];
  (arch.networks ?? []).forEach((link, k) => {
    const dn = dense.networks?.[k];
    if (!dn) return;
    if (dn.cycles === undefined || (link.mode === undefined && !link.modes?.length)) { networks.push(dn); return; }
    let sw = 0, dw = 0;
    w.dataSpaces.forEach((ds, s) => {
      if (!dn.dataSpaces.some((x) => x.name === ds.name)) return;
      const [a, b] = moved(arch, spec, dense, sparse, link.parent, link.child ?? Math.max(0, link.parent - 1), ds.name, s, link.ports.includes('read'), link.ports.includes('update'));
      sw += a; dw += b;
    });
    const ratio = dw > 0 ? sw / dw : 1;
    const modes = link.modes?.length ? link.modes : [{ mode: link.mode!, bandwidth: link.bandwidth }];
    let best = Infinity, mode: NocMode = modes[0].mode;
    for (const m of modes) {
      const words = linkWords(link, m.mode, counts, S) * ratio;
      const c = m.bandwidth === null ? compute
        : link.stalls === true ? compute + Math.ceil(words / m.bandwidth)
          : throttledCycles(compute, words / compute > m.bandwidth ? m.bandwidth / (words / compute) : 1);
      if (c < best) { best = c; mode = m.mode; }
    }
    if (link.stalls === true) stalled += best - compute; else cycles = Math.max(cycles, best);
    networks.push({ ...dn, cycles: best, ...(dn.mode !== undefined ? { mode } : {}) });
  });
  cycles += stalled;
  const levels = sparse.levels.map((l, i) => (i === 0 ? { ...l, cycles: compute } : l));
  return { ...sparse, cycles, levels, networks, utilization: (sparse.levels[0].utilizedInstances / arch.compute.instances) * (compute / cycles) };
}
