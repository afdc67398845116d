/**
 * `analyze --exact`: each distinct layer shape is mapped by the exact
 * search and carries a proven bound no higher than its best mapping's
 * objective; without it no layer carries one (the default path).
 */
import { describe, expect, it } from 'vitest';
import { isca16 } from '../../src/designs/isca16.js';
import { analyzeNetwork } from '../../src/network/analyze.js';
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
});
