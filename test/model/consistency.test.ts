/**
 * The fast paths of the evaluator (O(K) walk, shortcut for bypassed levels)
 * against its exact O(K²) walk, on random conv layers, architectures and
 * mappings: the same counts, always.
 */
import { describe, expect, it } from 'vitest';
import { compileMapping, compileProblem } from '../../src/model/compile.js';
import { Evaluator } from '../../src/model/nest.js';
import { randomCase, rng } from '../helpers/random.js';

describe('evaluator fast paths agree with the exact walk', () => {
  it('on 400 random layers, architectures and mappings', () => {
    const r = rng(42);
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      const { w, arch, m } = randomCase(r);
      const p = compileProblem(w, arch);
      const cm = compileMapping(p, m);
      const fast = new Evaluator(p).run(cm);
      const snap = JSON.stringify([...fast.reads, ...fast.fills, ...fast.updates, ...fast.utilizedCapacity]);
      const exact = new Evaluator(p, { exactWalks: true }).run(cm);
      expect(JSON.stringify([...exact.reads, ...exact.fills, ...exact.updates, ...exact.utilizedCapacity]), `case ${i}`).toBe(snap);
      compared++;
    }
    expect(compared).toBe(400);
  });
});
