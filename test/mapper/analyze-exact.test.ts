/**
 * `analyze --exact`: each distinct layer shape is mapped by the exact
 * search and carries a proven bound no higher than its best mapping's
 * objective; without it no layer carries one (the default path).
 */
import { describe, expect, it } from 'vitest';
import { isca16 } from '../../src/designs/isca16.js';
import { analyzeNetwork, budgetSlice, MIN_SHAPE_MS } from '../../src/network/analyze.js';
import { networkReportToJSON } from '../../src/report/network.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { score } from '../../src/model/objective.js';

describe('analyze with the exact search', () => {
  it('gives every mapped layer a proven bound at most its objective, and none without --exact', async () => {
    const net = zooNetwork('alexnet')!;
    const small = { ...net, layers: net.layers.filter((l) => l.name === 'conv3' || l.name === 'fc8') };
    const b = isca16('RS');
    const base = { batch: 2, objective: 'energy' as const, evaluations: 500, seed: 1, threads: 1, constraints: b.constraints };
    const exact = await analyzeNetwork(small, b.arch, b.energy, { ...base, exactTimeLimitMs: 300 });
    const mapped = exact.layers.filter((l) => l.result);
    expect(mapped.length).toBe(2);
    for (const l of mapped) {
      expect(l.proven, l.layer.name).toBeGreaterThan(0);
      expect(l.proven!, l.layer.name).toBeLessThanOrEqual(score('energy', l.result!.energyPJ, l.result!.cycles) * (1 + 1e-12));
    }
    const plain = await analyzeNetwork(small, b.arch, b.energy, base);
    expect(plain.layers.every((l) => l.proven === undefined)).toBe(true);
  });

  it('under a network budget gives every mapped layer a proven bound and its gap, in the JSON too', async () => {
    const net = zooNetwork('alexnet')!;
    const small = { ...net, layers: net.layers.filter((l) => l.name === 'conv3' || l.name === 'conv4' || l.name === 'fc8') };
    const b = isca16('RS');
    const base = { batch: 1, objective: 'energy' as const, evaluations: 500, seed: 1, threads: 1, constraints: b.constraints };
    const r = await analyzeNetwork(small, b.arch, b.energy, { ...base, exactBudgetMs: 900 });
    const mapped = r.layers.filter((l) => l.result);
    expect(mapped.length).toBe(3);
    const json = networkReportToJSON(r, 200e6) as { layers: { name: string; proven_bound?: number; gap?: number }[] };
    for (const l of mapped) {
      const s = score('energy', l.result!.energyPJ, l.result!.cycles);
      expect(l.proven!, l.layer.name).toBeGreaterThan(0);
      expect(l.proven!, l.layer.name).toBeLessThanOrEqual(s * (1 + 1e-12));
      expect(l.gap!, l.layer.name).toBeCloseTo(s / l.proven!, 12);
      const row = json.layers.find((x) => x.name === l.layer.name)!;
      expect(row.proven_bound).toBe(l.proven);
      expect(row.gap).toBe(l.gap);
    }
    const plain = networkReportToJSON(await analyzeNetwork(small, b.arch, b.energy, base), 200e6) as { layers: object[] };
    expect(plain.layers.every((x) => !('proven_bound' in x) && !('gap' in x))).toBe(true);
  });

  it('splits a budget by the MACs still to map, never below the least slice', () => {
    // Three shapes of MACs 1, 2 and 1 with 8 s left: the first gets a quarter of it.
    expect(budgetSlice(8000, 1, 4)).toBe(2000);
    // The last shape gets everything that is left.
    expect(budgetSlice(3000, 1, 1)).toBe(3000);
    // An overrun budget still lets each shape's annealing find a mapping.
    expect(budgetSlice(-500, 2, 3)).toBe(MIN_SHAPE_MS);
    expect(budgetSlice(100, 1, 2)).toBe(MIN_SHAPE_MS);
  });
});
