/**
 * The sparse pass's working state for one evaluation, in flat typed arrays
 * indexed by tile `i = l * S + s` (storage levels innermost first): what
 * Timeloop keeps per tensor and level (tile shape, links, format, expected
 * occupancy, metadata, fine-grained counts). One object is recycled across
 * a search's evaluations: nothing in the pass allocates per evaluation.
 * Per-rank entries hold up to `RM` ranks, innermost first.
 */
import { TileMemo } from './memo.js';
import { FlatNest } from './nest.js';
import type { SparseProgram } from './program.js';

/** Kinds of fine-grained counts and the operations they count. */
export const ACTUAL = 0, GATED = 1, SKIPPED = 2;
export const READ = 0, FILL = 1, UPDATE = 2;

/** Reusable state of the sparse pass (see {@link sparseCounts}). */
export class SparseScratch {
  /** Tiles, ranks per tile, tensors, dimensions the buffers are sized for. */
  N = 0; RM = 0; S = 0; D = 0;
  readonly nest = new FlatNest();
  /** The program of the last evaluation (a search evaluates one spec over and over). */
  program: SparseProgram | null = null;
  /** The pass's recycled result object (owned by analysis.ts). */
  result: object | null = null;
  /** Tiles whose level keeps the tensor, ascending; only these are analysed (a bypassed tile's entries are never read). */
  kept = new Int32Array(0);
  nKept = 0;
  // Tile: dense shape (0 when bypassed), nearest inner/outer keeper (-1: none), format.
  shape = new Float64Array(0);
  child = new Int32Array(0);
  parent = new Int32Array(0);
  hasMetadata = new Uint8Array(0);
  compressed = new Uint8Array(0);
  /** Ranks of the tile's format (0 when bypassed or uncompressed). */
  ranks = new Int32Array(0);
  /** Per tile, RM + 1 entries: the tile size each rank closes (0: a scalar). */
  pointSets = new Float64Array(0);
  /** Per tile, RM entries: each rank's fiber shape. */
  fiberShape = new Float64Array(0);
  fibers = new Int32Array(0);
  expectedOccupancy = new Float64Array(0);
  /** Whether tile i's expected occupancy is computed this evaluation, and the rule it follows. */
  occupancyDone = new Uint8Array(0);
  emptyTilesIdle = true;
  expectedDensity = new Float64Array(0);
  avgReplication = new Float64Array(0);
  /** Per tile and rank, [metadata units, payload units, metadata bits, payload bits]. */
  expectedMetadata = new Float64Array(0);
  /** Ranks with metadata accesses (per-rank arrays of the tile: 0 for a tile without metadata). */
  metadataRanks = new Int32Array(0);
  /** Per tile, op (R/F/U), rank: [metadata, payload] accesses the dense counts imply. */
  formatAccesses = new Float64Array(0);
  /** Per tile, [actual R/F/U, gated R/F/U, skipped R/F/U]. */
  counts = new Float64Array(0);
  temporalReductions = new Float64Array(0);
  decompression = new Float64Array(0);
  compression = new Float64Array(0);
  /** Per tile, kind, op, rank: [metadata, payload] accesses. */
  fmt = new Float64Array(0);
  /** Compressed capacity (words) and metadata capacity (bits; per rank [metadata, payload] units). */
  capacity = new Float64Array(0);
  metadataBits = new Float64Array(0);
  metadataCapacity = new Float64Array(0);
  metadataCapacityRanks = new Int32Array(0);
  // Masks of the action optimizations.
  gate = new Uint8Array(0);
  skip = new Uint8Array(0);
  prob = new Float64Array(0);
  // Propagation.
  maxR = new Float64Array(0);
  maxF = new Float64Array(0);
  maxU = new Float64Array(0);
  done = new Uint8Array(0);
  storageSaf = new Uint8Array(0);
  innermostEmpty = new Float64Array(0);
  /** Per tile, kind × op: metadata bits of its metadata accesses (the cost's view). */
  bits = new Float64Array(0);
  /** Per tensor, the level that kept it last on the pass's walk up the levels (the links' scratch). */
  lastKeeper = new Int32Array(0);
  /** The two read-only operands' scalar densities, for the compute analysis. */
  readonly operandDensity = new Float64Array(2);
  /** The cost's view: energy of the q-th kept tile, and instances that leak per level (0: none). */
  tileEnergy = new Float64Array(0);
  leakInstances = new Float64Array(0);
  /**
   * The occupancy memo (memo.ts): per tile, the key of its last expected
   * occupancy and the results the pass resets every evaluation (expected
   * occupancy, ranks with metadata, the factor on its average instances);
   * its expected metadata stays in `expectedMetadata`, which only that
   * computation writes.
   */
  readonly occupancyMemo = new TileMemo();
  memoOccupancy = new Float64Array(0);
  memoMetadataRanks = new Int32Array(0);
  memoReplication = new Float64Array(0);
  /** The capacity memo: per tile, the key of its last worst-case occupancy, the words and metadata bits (its per-rank capacity stays in `metadataCapacity`). */
  readonly capacityMemo = new TileMemo();
  memoCapacity = new Float64Array(0);
  memoMetadataBits = new Float64Array(0);
  /**
   * The representations of the last evaluation that defined them all
   * (representation.ts defineFormats): its stamp, the nest version it read,
   * and per tile the stamp of the run that defined it, whether it was kept,
   * its shape and its ranks of loops. A tile whose levels up to its own are
   * unchanged keeps its representation.
   */
  formatsStamp = 1;
  formatsVersion = -1;
  formatStamp = new Int32Array(0);
  formatKept = new Uint8Array(0);
  formatShape = new Float64Array(0);
  formatFibers = new Int32Array(0);
  /** One tile's metadata occupancy per rank, [metadata units, payload units, metadata bits, payload bits]. */
  md = new Float64Array(0);

  /** Size the buffers for N tiles of S tensors over D dimensions with at most RM ranks. */
  ensure(N: number, S: number, RM: number, D: number): void {
    this.S = S; this.D = D;
    if (N <= this.N && RM <= this.RM && S <= this.storageSaf.length) return;
    N = Math.max(N, this.N); RM = Math.max(RM, this.RM);
    this.N = N; this.RM = RM;
    const f = (n: number) => new Float64Array(n), i = (n: number) => new Int32Array(n), u = (n: number) => new Uint8Array(n);
    this.kept = i(N); this.bits = f(N * 9); this.tileEnergy = f(N); this.leakInstances = f(N);
    this.shape = f(N); this.child = i(N); this.parent = i(N); this.hasMetadata = u(N); this.compressed = u(N); this.ranks = i(N);
    this.pointSets = f(N * (RM + 1)); this.fiberShape = f(N * RM); this.fibers = i(N);
    this.expectedOccupancy = f(N); this.occupancyDone = u(N); this.expectedDensity = f(N); this.avgReplication = f(N);
    this.expectedMetadata = f(N * RM * 4); this.metadataRanks = i(N); this.formatAccesses = f(N * 3 * RM * 2);
    this.counts = f(N * 9); this.temporalReductions = f(N); this.decompression = f(N); this.compression = f(N);
    this.fmt = f(N * 9 * RM * 2);
    this.capacity = f(N); this.metadataBits = f(N); this.metadataCapacity = f(N * RM * 2); this.metadataCapacityRanks = i(N);
    this.gate = u(N); this.skip = u(N); this.prob = f(N);
    this.maxR = f(N); this.maxF = f(N); this.maxU = f(N); this.done = u(N);
    this.storageSaf = u(Math.max(S, this.storageSaf.length)); this.innermostEmpty = f(Math.max(S, this.storageSaf.length)); this.lastKeeper = i(Math.max(S, this.storageSaf.length));
    this.md = f(RM * 4);
    this.memoOccupancy = f(N); this.memoMetadataRanks = i(N); this.memoReplication = f(N);
    this.memoCapacity = f(N); this.memoMetadataBits = f(N);
    this.formatStamp = i(N); this.formatKept = u(N); this.formatShape = f(N); this.formatFibers = i(N);
    this.resetMemos();
  }

  /** Forget the memos' entries and the kept representations (new buffers, or a new program). */
  resetMemos(): void {
    this.occupancyMemo.reset(this.N, this.RM);
    this.capacityMemo.reset(this.N, this.RM);
    this.formatsVersion = -1;
  }

  /** Index of [metadata, payload] of rank r of (kind, op) of tile i in {@link fmt}. */
  fmtAt(i: number, kind: number, op: number, r: number): number {
    return ((i * 9 + kind * 3 + op) * this.RM + r) * 2;
  }
}
