/**
 * Spatial skipping on a case small enough to work out by hand from
 * Timeloop's rules (storage-gs-analyzer.cpp, storage-optimization-combiner.cpp
 * at 0fc43fb; docs/model.md, "Spatial skipping"), the relaxed fanout check,
 * and the refusal of the same over-wide mapping without spatial skipping.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../src/io/inputs.js';
import type { Result } from '../../src/model/result.js';
import { evaluateSparse } from '../../src/sparse/evaluate.js';
import { SpecError } from '../../src/spec/errors.js';

/**
 * Dot product Z = Σ_k A[k]·B[k], K = 16, A 2:4-like (fixed-structured 0.5),
 * B and Z dense, in v0.3 inputs (the hyphenated spelling). BackingStorage
 * keeps everything, A in UOP/CP (metadata); PE[0..3].Buffer keeps B; four
 * MACs. The mapping fans BackingStorage out 8-wide over K (X) under a
 * temporal K2: twice the hardware's 4.
 */
const arch = `architecture:
  version: 0.3
  subtree:
    - name: system
      local:
        - name: BackingStorage
          class: DRAM
          attributes: {width: 8, datawidth: 8, metadata_storage_width: 8, metadata_datawidth: 8}
      subtree:
        - name: PE[0..3]
          local:
            - name: Buffer
              class: storage
              subclass: regfile
              attributes: {depth: 16, width: 8, datawidth: 8, meshX: 4}
            - name: mac
              class: compute
              subclass: intmac
              attributes: {datawidth: 8, meshX: 4}
`;
const sparse = (skip: string) => `sparse_optimizations:
  targets:
    - name: BackingStorage
      representation-format:
        data-spaces:
          - name: A
            ranks:
              - format: UOP
              - format: CP
${skip}
`;
const SKIP_B_AND_Z = `      action-optimization:
        - type: skipping-spatial
          target: B
          condition-on: [ A ]
        - type: skipping-spatial
          target: Z
          condition-on: [ A ]`;
const SKIP_B = `      action-optimization:
        - type: skipping-spatial
          target: B
          condition-on: [ A ]`;
const mapping = `mapping:
  - {target: BackingStorage, type: temporal, factors: K2 M1, permutation: KM}
  - {target: BackingStorage, type: spatial, factors: K8 M1, permutation: KM, split: 2}
  - {target: Buffer, type: temporal, factors: K1 M1, permutation: KM}
  - {target: Buffer, type: bypass, keep: [B], bypass: [A, Z]}
`;
const problem = `problem:
  shape:
    name: DotProduct
    dimensions: [ K, M ]
    data-spaces:
    - name: A
      projection:
      - [ [K] ]
    - name: B
      projection:
      - [ [K] ]
    - name: Z
      projection:
      - [ [M] ]
      read-write: True
  instance:
    M: 1
    K: 16
    densities:
      A: {distribution: fixed-structured, density: 0.5}
`;
const ERT = `ERT:
  version: 0.3
  tables:
    - name: system.BackingStorage
      actions:
        - {name: read, arguments: null, energy: 100}
        - {name: write, arguments: null, energy: 100}
        - {name: update, arguments: null, energy: 100}
        - {name: metadata_read, arguments: null, energy: 10}
    - name: system.PE[0..3].Buffer
      actions:
        - {name: read, arguments: null, energy: 2}
        - {name: write, arguments: null, energy: 3}
        - {name: update, arguments: null, energy: 3}
    - name: system.PE[0..3].mac
      actions:
        - {name: compute, arguments: null, energy: 1}
`;

function run(skip: string, spell = (t: string) => t, edit = (files: Record<string, string>) => files): Result {
  const dir = mkdtempSync(join(tmpdir(), 'dnnergy-sskip-'));
  const files = edit({ 'arch.yaml': arch, 'sparse.yaml': spell(sparse(skip)), 'map.yaml': mapping, 'prob.yaml': problem, 'ert.yaml': ERT });
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  const inp = loadInputs(['arch.yaml', 'sparse.yaml', 'map.yaml', 'prob.yaml'].map((n) => join(dir, n)), join(dir, 'ert.yaml'));
  return evaluateSparse(inp.workload, inp.arch, inp.mapping!, inp.energy!, inp.sparse, { convention: 'v3' });
}

function errorOf(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof SpecError) return e.message; throw e; }
  throw new Error('no error');
}

describe('spatial skipping', () => {
  it('halves the instances the 8-wide K fanout needs, and the computes, as worked out by hand', () => {
    // By hand. The mapping needs 8 Buffers and 8 MACs (2 temporal K × 8 spatial K = 16 computes).
    // The spatial K8 loop sits right above the Buffer level, whose nest is all ones: the box before
    // it is one point, so A's condition tile is one point, empty with P = 1 − 0.5 = 0.5 (fixed-
    // structured: 0.5 non-zeros, floor 0 with probability 0.5). Its fiber (K8) is 8 points of A,
    // at most ⌈8 × 0.5⌉ = 4 non-zero, of 8 one-point elements: min(4, 8) = 4 of 8 instances, X ratio 0.5.
    // - A (metadata at BackingStorage, InitializeSpatialInstances): X 8 → 4, share in use 0.5;
    // - B, Z (skipping_spatial conditioned on A): the same, 8 → 4, share 0.5 (B's temporal K2 above
    //   moves B, so it does not grow A's condition tile);
    // so Buffer and compute need 4 X instances, 8 × 0.5 = 4 on average: within the 4 there are.
    // Combiner: B skipped spatially at BackingStorage with p = 0.5 takes floor(2 × 0.5) = 1 of
    // Buffer's 2 B fills and 1 of its 2 reads per instance (they do not exist: not counted as
    // skipped); BackingStorage's own B reads (16) stay. B is read-only and no level below has a SAF
    // of its own, so the share reaches compute: floor(16 × 0.5) = 8 computes go, 8 remain, none
    // gated or skipped (A's density is conditioned on B's share: 0.5 / 0.5 = 1).
    // Cycles: ceil(8 computes / 4 average MACs) = 2.
    const r = run(SKIP_B_AND_Z);
    const level = (n: string) => r.levels.find((l) => l.name === n)!;
    const buf = level('Buffer').dataSpaces.find((d) => d.name === 'B')!;
    expect(r.levels[0].computeCounts).toEqual({ algorithmic: 16, actual: 8, gated: 0, skipped: 0 });
    expect(r.levels[0].utilizedInstances).toBe(4);
    expect(r.cycles).toBe(2);
    expect({ reads: buf.reads, fills: buf.fills, alg: buf.sparse!.algorithmic, skipped: buf.sparse!.skipped, instances: buf.sparse!.averageInstances })
      .toEqual({ reads: 1, fills: 1, alg: { reads: 2, fills: 2, updates: 0 }, skipped: { reads: 0, fills: 0, updates: 0 }, instances: 4 });
    expect(level('Buffer').utilizedInstances).toBe(4);
    const back = level('BackingStorage').dataSpaces.find((d) => d.name === 'B')!;
    expect([back.reads, back.sparse!.skipped.reads]).toEqual([16, 0]);
    // Buffer B energy: 4 instances × (1 read × 2 + 1 fill × 3) pJ.
    expect(buf.energyPJ).toBeCloseTo(20, 10);
    expect(r.warnings.filter((w) => /spatial/.test(w))).toEqual([]);
  });

  it('reads the v4 spelling (skipping_spatial, condition_on) the same', () => {
    const v4 = run(SKIP_B_AND_Z, (t) => t.replace(/skipping-spatial/g, 'skipping_spatial').replace(/condition-on/g, 'condition_on').replace(/action-optimization/g, 'action_optimization'));
    // Warnings name the (temporary) input files: all else is the same to the byte.
    const bare = (r: Result) => JSON.stringify({ ...r, warnings: r.warnings.length });
    expect(bare(v4)).toBe(bare(run(SKIP_B_AND_Z)));
  });

  it('with A dense nothing is skipped: the same result as without spatial skipping, on a mapping that fits', () => {
    // K4 spatial (the hardware's 4) × K4 temporal; A at density 1 never holds an empty tile, so every share is 1.
    const edit = (f: Record<string, string>) => ({ ...f, 'map.yaml': f['map.yaml'].replace('K2 M1', 'K4 M1').replace('K8 M1', 'K4 M1'), 'prob.yaml': f['prob.yaml'].replace('density: 0.5', 'density: 1.0') });
    const bare = (r: Result) => JSON.stringify({ ...r, warnings: r.warnings.length });
    const withSkip = run(SKIP_B_AND_Z, undefined, edit), without = run('', undefined, edit);
    expect(withSkip.levels[0].computeCounts!.actual).toBe(16);
    expect(bare(withSkip)).toBe(bare(without));
  });

  it('without spatial skipping the same mapping is refused: 8 wide over 4', () => {
    expect(errorOf(() => run(''))).toMatch(/mapping\.BackingStorage\.spatial\.X: expected a spatial X fanout of at most 4 under BackingStorage, found 8/);
  });

  it('skipping B alone leaves Z needing all 8: the relaxed check refuses it', () => {
    expect(errorOf(() => run(SKIP_B))).toMatch(/expected a spatial X fanout of at most 4 under BackingStorage after spatial skipping, found 8/);
  });
});
