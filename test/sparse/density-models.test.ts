/**
 * The engine's density-model dispatch against figures worked out by hand
 * from Timeloop's rules (0fc43fb, docs/model.md "Density models"):
 * hypergeometric empty tiles against the closed form, gating and capacity
 * under hypergeometric vs fixed-structured, Timeloop's banded table, and
 * actual data against counting the mask's tiles.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import { ActualTensor, TimeloopBanded } from '../../src/sparse/density.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import { conditionedEmpty, emptyProduct, HypergeometricTensor } from '../../src/sparse/hypergeometric.js';
import type { DensitySpec, SparseSpec } from '../../src/sparse/spec.js';
import { emptyProbability, maxOccupancy, minOccupancy, scalarDensity, tileProbability } from '../../src/sparse/tiles.js';
import type { Result } from '../../src/model/result.js';
import { withDensities } from '../../src/sparse/override.js';
import { tileOf } from '../../src/sparse/tiles.js';
import { loadModelInputs } from '../../src/spec/load.js';
import { parseYamlText } from '../../src/spec/yaml.js';

function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let c = 1n;
  for (let i = 1; i <= k; i++) c = (c * BigInt(n - k + i)) / BigInt(i);
  return c;
}

/** num/den rounded once to the nearest double (a sticky bit below 64 quotient bits). */
function rational(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  let s = 0;
  while ((num << BigInt(s)) / den < 1n << 64n) s++;
  let q = (num << BigInt(s)) / den;
  if ((num << BigInt(s)) % den !== 0n) q |= 1n;
  return Number(q) / 2 ** s;
}

describe('hypergeometric (r = ceil(density × N) non-zeros over N points)', () => {
  it('P(tile empty) is C(N − r, n) / C(N, n), correctly rounded, on small and mid-sized tensors', () => {
    for (const [N, d] of [[16, 0.25], [64, 0.125], [1000, 0.3], [5000, 0.02]] as const) {
      const r = Math.ceil(d * N);
      const m = new HypergeometricTensor(d, N);
      for (const n of [1, 2, 3, 4, 7, 16, 50, 200, N - r, N - r + 1]) {
        if (n > N) continue;
        const exact = rational(choose(N - r, n), choose(N, n));
        expect(emptyProduct(N, r, n)).toBe(exact);
        expect(m.empty(n)).toBe(exact);
        expect(m.probability(n, 0)).toBe(exact);
      }
    }
    // By hand: 16 points, 4 non-zeros, a 4-point tile: C(12,4)/C(16,4) = 495/1820.
    expect(emptyProduct(16, 4, 4)).toBe(495 / 1820);
  });

  it('every value of a tile\'s pmf is the correctly rounded C(r,k)C(N−r,n−k)/C(N,n)', () => {
    for (const [N, r, n] of [[16, 4, 4], [64, 8, 16], [300, 90, 37], [1500, 1, 700], [1500, 1499, 10]] as const) {
      const m = new HypergeometricTensor(r / N, N);
      expect(m.r).toBe(r);
      for (let k = 0; k <= n; k++) expect(m.probability(n, k)).toBe(rational(choose(r, k) * choose(N - r, n - k), choose(N, n)));
    }
  });

  it('conditioned on the parent tile (m points, k non-zeros): C(m − k, n)/C(m, n), in any order of queries', () => {
    for (const [m, n] of [[16, 4], [64, 8], [40, 1]] as const) {
      const ks = [...Array(m + 1).keys()];
      for (const k of [...ks, ...ks.reverse(), 5, 3, 9]) {
        if (k > m) continue;
        expect(conditionedEmpty(m, k, n)).toBe(rational(choose(m - k, n), choose(m, n)));
      }
    }
  });

  it('Timeloop\'s occupancy range: max min(n, r); min 0 up to N − r points; the whole tensor holds exactly r', () => {
    const d: DensitySpec = { distribution: 'hypergeometric', density: 0.25, tensorSize: 64 };
    expect(maxOccupancy(d, 16)).toBe(16);
    expect(maxOccupancy(d, 40)).toBe(16);
    expect(minOccupancy(d, 48)).toBe(0);
    expect(minOccupancy(d, 64)).toBe(16);
    expect(tileProbability(d, 64, 16)).toBe(1);
    // Compute analysis reads the scalar tile: r / N (here exactly the density).
    expect(scalarDensity(d)).toBe(0.25);
    expect(scalarDensity({ distribution: 'hypergeometric', density: 0.3, tensorSize: 7 })).toBe(3 / 7);
    // A tile of more points than zeros but fewer than the tensor: Timeloop's uint64 wrap gives 0 on x86-64 here.
    expect(minOccupancy(d, 50)).toBe(0);
  });

  it('fixed-structured keeps its floor/ceil answers through the same dispatch', () => {
    const d: DensitySpec = { distribution: 'fixed_structured', density: 0.3 };
    expect(tileProbability(d, 5, 1)).toBeCloseTo(0.5, 15);
    expect(emptyProbability(d, 2)).toBeCloseTo(0.4, 15);
    expect(emptyProbability(d, 4, { shape: 8, occupancy: 2 })).toBe(0);
    expect(maxOccupancy(d, 5)).toBe(2);
    expect(minOccupancy(d, 5)).toBe(1);
  });
});

describe('Timeloop\'s banded table', () => {
  it('8×8 tridiagonal (band 1), 2×2 tiles: 4 diagonal blocks of 4, 6 neighbours of 1, 6 empty', () => {
    const b = new TimeloopBanded(8, 1);
    expect(b.density).toBe(22 / 64);
    const t = b.table(2, 2);
    expect(t.keys).toEqual([0, 1, 4]);
    expect(t.probs).toEqual([6 / 16, 6 / 16, 4 / 16]);
    // Timeloop's expected occupancy (table-weighted) equals size × global density here.
    expect(t.keys.reduce((s, k, i) => s + k * t.probs[i], 0)).toBeCloseTo(4 * 22 / 64, 14);
    // A 2×2 sub-tile inside the first 4×4 parent holding 10 non-zeros (the top-left corner): of its four 2×2
    // sub-tiles, Timeloop's offsets (origin 0) find none empty.
    expect(b.conditionedEmpty(2, 2, 4, 4, 10)).toBe(0);
  });
});

describe('actual data', () => {
  it('a mask\'s occupancy table is the count of its aligned tiles', () => {
    const mask = [
      1, 0, 0, 0,
      0, 0, 0, 0,
      0, 1, 1, 0,
      0, 0, 1, 1,
    ];
    const a = new ActualTensor(mask, [4, 4]);
    expect(a.density).toBe(5 / 16);
    // 2×2 tiles: top-left 1, top-right 0, bottom-left 1, bottom-right 3.
    expect(a.table([2, 2])).toEqual({ keys: [0, 1, 3], probs: [0.25, 0.5, 0.25] });
    // Rows of 4: 1, 0, 2, 2.
    expect(a.table([1, 4])).toEqual({ keys: [0, 1, 2], probs: [0.25, 0.25, 0.5] });
    // Sub-tiles of one point within 2×2 parents holding 1 non-zero: 3 of their 4 points are empty.
    expect(a.conditionedEmpty([1, 1], [2, 2], 1)).toBe(0.75);
    expect(a.conditionedEmpty([1, 1], [2, 2], 2)).toBeNull();
  });

  it('through the dispatch: a one-point tile is counted; a size no mold gave falls back to random placement of the same non-zeros', () => {
    const d: DensitySpec = { distribution: 'actual', density: 0.25, values: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], shape: [16] };
    expect(tileProbability(d, 1, 0)).toBe(0.75);
    expect(scalarDensity(d)).toBe(0.25);
    expect(tileProbability(d, 4, 0)).toBe(495 / 1820);
  });
});

// A dot product Z = Σ_k A[k] B[k], K = 16, on one buffer of 4-word blocks whose B and Z accesses are
// gated on A (Sparseloop's SUDU example with a 32-bit wide buffer).
const ERT = `ERT:
  version: '0.4'
  tables:
    - name: PE_top_level.BackingStorage[1..1]
      actions:
        - {name: read, arguments: {}, energy: 100}
        - {name: write, arguments: {}, energy: 100}
        - {name: update, arguments: {}, energy: 100}
        - {name: leak, arguments: {}, energy: 0}
    - name: PE_top_level.Buffer[1..1]
      actions:
        - {name: read, arguments: {}, energy: 1.95808}
        - {name: write, arguments: {}, energy: 1.88608}
        - {name: update, arguments: {}, energy: 1.88608}
        - {name: gated_read, arguments: {}, energy: 0.1}
        - {name: gated_update, arguments: {}, energy: 0.1}
        - {name: metadata_read, arguments: {}, energy: 0.5}
        - {name: metadata_write, arguments: {}, energy: 0.5}
        - {name: leak, arguments: {}, energy: 0}
    - name: PE_top_level.mac[1..1]
      actions:
        - {name: compute, arguments: {}, energy: 0.315}
        - {name: leak, arguments: {}, energy: 0}
`;
const problem = (K: number, a: string) => `problem:
  version: 0.4
  shape:
    name: DotProduct
    dimensions: [ K, M ]
    data_spaces:
    - name: A
      projection:
      - [ [K] ]
    - name: B
      projection:
      - [ [K] ]
    - name: Z
      projection:
      - [ [M] ]
      read_write: True
  instance:
    M: 1
    K: ${K}
    densities:
      A: ${a}
`;
const gatingArch = `architecture:
  version: 0.4
  nodes:
  - !Container
    name: PE
    attributes: {technology: "45nm"}
  - !Component
    name: Buffer
    class: storage
    subclass: regfile
    attributes: {depth: 64, width: 32, datawidth: 8, read_bandwidth: 3, write_bandwidth: 1}
    sparse_optimizations:
      action_optimization:
        - type: gating
          options:
          - {target: B, condition_on: [ A ]}
        - type: gating
          options:
          - {target: Z, condition_on: [ A ]}
  - !Component
    name: mac
    class: intmac
    attributes: {multiplier_width: 8, adder_width: 16}
`;
const gatingMapping = `mapping:
  - {target: Buffer, type: temporal, factors: K=16 M=1, permutation: KM}
`;
const capacityArch = (depth: number) => `architecture:
  version: 0.4
  nodes:
  - !Container
    name: PE
    attributes: {technology: "45nm"}
  - !Component
    name: BackingStorage
    class: DRAM
    attributes: {width: 8, datawidth: 8}
  - !Component
    name: Buffer
    class: storage
    subclass: regfile_metadata
    attributes: {depth: ${depth}, width: 8, datawidth: 8, metadata_storage_depth: 32, metadata_storage_width: 4, metadata_datawidth: 4}
    sparse_optimizations:
      representation_format:
        data_spaces:
          - name: A
            ranks:
              - format: CP
  - !Component
    name: mac
    class: intmac
    attributes: {multiplier_width: 8, adder_width: 16}
`;
const capacityMapping = `mapping:
  - {target: BackingStorage, type: temporal, factors: K=4 M=1, permutation: KM}
  - {target: Buffer, type: temporal, factors: K=16 M=1, permutation: KM}
  - {target: Buffer, type: bypass, keep: [A], bypass: [B, Z]}
`;

function run(files: Record<string, string>, edit?: (s: SparseSpec) => SparseSpec): Result {
  const dir = mkdtempSync(join(tmpdir(), 'dnnergy-density-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  writeFileSync(join(dir, 'ert.yaml'), ERT);
  const inp = loadInputs(Object.keys(files).map((n) => join(dir, n)), join(dir, 'ert.yaml'));
  const spec = edit ? edit(inp.sparse!) : inp.sparse!;
  return evaluateSparse(inp.workload, inp.arch, inp.mapping!, inp.energy!, spec, { convention: 'v4' });
}

function counts(r: Result, level: string, ds: string): { reads: number; gatedReads: number; updates: number; gatedUpdates: number } {
  const d = r.levels.find((l) => l.name === level)!.dataSpaces.find((x) => x.name === ds)!;
  return { reads: d.reads, gatedReads: d.sparse!.gated.reads, updates: d.updates, gatedUpdates: d.sparse!.gated.updates };
}

describe('the engine under each model', () => {
  it('gating on 4-point blocks of A (density 1/4): fixed-structured never finds an empty block, hypergeometric does', () => {
    const fixed = run({ 'arch.yaml': gatingArch, 'map.yaml': gatingMapping, 'prob.yaml': problem(16, '{distribution: fixed_structured, density: 0.25}') });
    const hyper = run({ 'arch.yaml': gatingArch, 'map.yaml': gatingMapping, 'prob.yaml': problem(16, '{distribution: hypergeometric, density: 0.25}') });
    // Fixed-structured: every 4-point block holds exactly 4 × 0.25 = 1 non-zero, P(empty) = 0.
    expect(counts(fixed, 'Buffer', 'B')).toEqual({ reads: 16, gatedReads: 0, updates: 0, gatedUpdates: 0 });
    expect(fixed.levels[0].computeCounts!.actual).toBe(16);
    // Hypergeometric: P(empty) = C(12,4)/C(16,4) = 495/1820 = 0.2720: read-only B rounds the gated share
    // down, floor(16 × 0.272) = 4; read-write Z rounds its reads up, ceil(15 × 0.272) = 5, updates down,
    // floor(16 × 0.272) = 4; B is the innermost read-only operand, so 16 − 4 = 12 computes remain.
    expect(counts(hyper, 'Buffer', 'B')).toEqual({ reads: 12, gatedReads: 4, updates: 0, gatedUpdates: 0 });
    expect(counts(hyper, 'Buffer', 'Z')).toEqual({ reads: 10, gatedReads: 5, updates: 12, gatedUpdates: 4 });
    expect(hyper.levels[0].computeCounts!.actual).toBe(12);
  });

  it('actual data: the gated share is the mask\'s fraction of empty 4-point blocks', () => {
    // Blocks [1 0 0 0] [0 0 0 0] [0 1 1 0] [0 0 0 0]: 2 of 4 empty, p = 1/2 → 8 of 16 B reads gated.
    const mask = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
    const r = run({ 'arch.yaml': gatingArch, 'map.yaml': gatingMapping, 'prob.yaml': problem(16, '0.25') },
      (s) => ({ ...s, densities: [{ distribution: 'actual', density: 3 / 16, values: mask, shape: [16] }, ...s.densities.slice(1)] }));
    expect(counts(r, 'Buffer', 'B')).toEqual({ reads: 8, gatedReads: 8, updates: 0, gatedUpdates: 0 });
    expect(counts(r, 'Buffer', 'Z').gatedReads).toBe(8); // ceil(15 / 2)
    expect(r.levels[0].computeCounts!.actual).toBe(8);
  });

  it('capacity: a compressed 16-point tile of A (K = 64, density 1/8) needs 2 words fixed-structured, min(16, 8) = 8 hypergeometric', () => {
    const files = (depth: number, dist: string) => ({ 'arch.yaml': capacityArch(depth), 'map.yaml': capacityMapping, 'prob.yaml': problem(64, `{distribution: ${dist}, density: 0.125}`) });
    const cap = (r: Result) => r.levels.find((l) => l.name === 'Buffer')!.dataSpaces.find((x) => x.name === 'A')!.utilizedCapacity;
    expect(cap(run(files(12, 'fixed_structured')))).toBe(2);
    expect(cap(run(files(12, 'hypergeometric')))).toBe(8);
    // A 6-word buffer holds the fixed-structured tile, not the hypergeometric worst case.
    expect(cap(run(files(6, 'fixed_structured')))).toBe(2);
    expect(() => run(files(6, 'hypergeometric'))).toThrow(/fit Buffer/);
  });

  it('reads Timeloop\'s spellings: fixed, commonDensity, diagonal (banded, width 0)', () => {
    const base = { 'arch.yaml': gatingArch, 'map.yaml': gatingMapping };
    const a = run({ ...base, 'prob.yaml': problem(16, '{distribution: fixed, density: 0.25}') });
    const b = run({ ...base, 'prob.yaml': problem(16, '{distribution: fixed_structured, density: 0.25}') });
    expect(a.energyPJ).toBe(b.energyPJ);
    const common = run({ ...base, 'prob.yaml': problem(16, '0.25').replace(/    densities:\n      A: 0.25\n/, '    commonDensity: {distribution: hypergeometric, density: 0.25}\n') });
    // B is hypergeometric at 1/4 too now: its own reads are not optimized, A's gating is as above.
    expect(counts(common, 'Buffer', 'B').gatedReads).toBe(4);
    expect(() => run({ ...base, 'prob.yaml': problem(16, '{distribution: diagonal}') })).toThrow(/square matrix/);
  });
});

describe('banded in the engine', () => {
  // Z[m] = Σ_k A[m,k] B[k] with A a 4×4 diagonal matrix (banded, band_width 0) and B's reads gated on A.
  const arch = (width: number) => gatingArch.replace('width: 32', `width: ${width}`).replace(/        - type: gating\n          options:\n          - \{target: Z, condition_on: \[ A \]\}\n/, '');
  const prob = `problem:
  version: 0.4
  shape:
    name: MatVec
    dimensions: [ K, M ]
    data_spaces:
    - {name: A, projection: [ [ [M] ], [ [K] ] ]}
    - {name: B, projection: [ [ [K] ] ]}
    - {name: Z, projection: [ [ [M] ] ], read_write: True}
  instance:
    M: 4
    K: 4
    densities:
      A: {distribution: banded, band_width: 0}
`;
  const mapping = `mapping:
  - {target: Buffer, type: temporal, factors: K=4 M=4, permutation: KM}
`;
  it('one-point condition tiles: Timeloop\'s table gives 12 of 16 empty, so 12 of B\'s 16 reads are gated and 4 MACs remain', () => {
    const r = run({ 'arch.yaml': arch(8), 'map.yaml': mapping, 'prob.yaml': prob });
    expect(counts(r, 'Buffer', 'B')).toEqual({ reads: 4, gatedReads: 12, updates: 0, gatedUpdates: 0 });
    expect(r.levels[0].computeCounts!.actual).toBe(4);
  });
  it('four-point blocks along K: every row block of a diagonal holds its one non-zero, nothing is gated', () => {
    const r = run({ 'arch.yaml': arch(32), 'map.yaml': mapping, 'prob.yaml': prob });
    expect(counts(r, 'Buffer', 'B')).toEqual({ reads: 16, gatedReads: 0, updates: 0, gatedUpdates: 0 });
    expect(r.levels[0].computeCounts!.actual).toBe(16);
  });
});

describe('inputs', () => {
  const FILE = 'examples/eyeriss_like_vgg_conv.yaml';
  const base = parseYamlText(readFileSync(FILE, 'utf8'), FILE) as Record<string, any>;
  const native = (densities: unknown) => {
    const d = structuredClone(base);
    d.workload.densities = densities;
    return loadModelInputs([{ kind: 'yaml', file: 'sparse.yaml', value: d }]);
  };

  it('native YAML workload.densities takes Timeloop\'s models; the tensor size is the whole data space', () => {
    const inp = native({ Inputs: { distribution: 'hypergeometric', density: 0.4 }, Weights: 0.6 });
    const names = inp.workload.dataSpaces.map((d) => d.name);
    const s = names.indexOf('Inputs');
    expect(inp.sparse!.densities[s]).toEqual({ distribution: 'hypergeometric', density: 0.4, tensorSize: tileOf(inp.workload.dataSpaces[s], inp.workload.bounds) });
    expect(inp.sparse!.densities[names.indexOf('Weights')]).toEqual({ distribution: 'fixed_structured', density: 0.6 });
    expect(inp.sparse!.warnings.join()).not.toMatch(/modelled as fixed/);
    expect(() => native({ Inputs: { distribution: 'uniform', density: 0.4 } })).toThrow(/workload\.densities\.Inputs\.distribution/);
    // Weights are 4-D: a banded model needs a square matrix.
    expect(() => native({ Weights: { distribution: 'banded', band_width: 1 } })).toThrow(/square matrix/);
  });

  it('--density replaces the density and keeps a hypergeometric model (and its tensor size)', () => {
    const inp = native({ Inputs: { distribution: 'hypergeometric', density: 0.4 } });
    const s = inp.workload.dataSpaces.findIndex((d) => d.name === 'Inputs');
    const out = withDensities(inp.workload, inp.arch.storage.length, inp.sparse, new Map([['Inputs', 0.25]]));
    expect(out.densities[s]).toEqual({ distribution: 'hypergeometric', density: 0.25, tensorSize: inp.sparse!.densities[s].tensorSize });
  });
});
