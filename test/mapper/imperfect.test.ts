/**
 * The mapspace with imperfect factors (`constraints.imperfect`): awkward
 * bounds get padded bounds whose residuals cover the real one; moves keep
 * genomes legal; the search ranks by the exact partial-tile cost and uses
 * more of the PE array than perfect factors can on a prime bound.
 */
import { describe, expect, it } from 'vitest';
import { pe16, pe16Energy } from '../helpers/pe16.js';
import { emptyConstraints } from '../../src/mapping/constraints.js';
import { validateMapping } from '../../src/mapping/validate.js';
import { CompiledBuffer, compileMapping, compileProblem } from '../../src/model/compile.js';
import { planEnergy } from '../../src/model/cost.js';
import { Evaluator } from '../../src/model/nest.js';
import { movesOf } from '../../src/mapper/moves.js';
import { search } from '../../src/mapper/search.js';
import { MapSpace } from '../../src/mapper/space.js';
import { Rng } from '../../src/util/rng.js';
import { convWorkload } from '../../src/workload/conv.js';

const arch = pe16;
const energy = pe16Energy;
// A 1x1 conv over 37 tokens (37 is prime), 2 in, 1 out channel.
const w = convWorkload('t', { N: 1, C: 2, M: 1, P: 37, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1 });

describe('imperfect mapspace', () => {
  const c = { ...emptyConstraints(arch), imperfect: true };
  const space = new MapSpace(w, arch, c);

  it('pads bounds of 8 or more with the 7-smooth numbers within 15% above them', () => {
    expect(space.pads[5]).toEqual([37, 40, 42]);
    for (let d = 0; d < w.dims.length; d++) if (d !== 5) expect(space.pads[d]).toEqual([w.bounds[d]]);
    expect(new MapSpace(w, arch, emptyConstraints(arch)).imperfect).toBe(false);
  });

  it('every random genome and every move gives a mapping whose residuals cover the bounds', () => {
    const r = new Rng(3);
    const g = space.newGenome();
    const moves = movesOf(space);
    const p = compileProblem(w, arch);
    const ev = new Evaluator(p, { partialTiles: 'exact' });
    const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
    let padded = 0, pads = 0;
    for (let i = 0; i < 300; i++) {
      if (i % 20 === 0) space.random(r, g);
      else if (moves[i % moves.length].apply(r, g) && moves[i % moves.length].name === 'change-pad') pads++;
      const m = space.toMapping(g);
      validateMapping(w, arch, m, `genome ${i}`, { capacity: false });
      if (g.pad[5] !== 0) padded++;
      // The compiled genome and the compiled mapping count the same.
      space.compile(g, cm);
      const a = JSON.stringify(Array.from(ev.run(cm).reads));
      expect(JSON.stringify(Array.from(ev.run(compileMapping(p, m)).reads)), `genome ${i}`).toBe(a);
    }
    expect(padded).toBeGreaterThan(50);
    expect(pads).toBeGreaterThan(5);
  });

  it('the search finds a legal imperfect mapping that keeps more PEs busy than any perfect one can', () => {
    const plan = planEnergy(arch, energy, 'v4', w.dataSpaces.map((d) => d.name));
    const opts = { objective: 'delay' as const, seed: 1, evaluations: 1500, analysis: { partialTiles: 'exact' as const } };
    const imp = search(w, arch, space, plan, opts);
    const perfect = search(w, arch, new MapSpace(w, arch, emptyConstraints(arch)), plan, { ...opts, analysis: {} });
    expect(imp.best).not.toBeNull();
    const m = space.toMapping(imp.best!);
    validateMapping(w, arch, m, 'best');
    // 37 is prime: perfect factors split it 1 or 37 ways (37 > 16 PEs): 2 PEs (C) for 37 cycles.
    // A ceil split of 37 over the PEs does better.
    expect(perfect.cycles).toBe(37);
    expect(imp.cycles).toBeLessThan(10);
    expect(imp.best!.pad[5]).not.toBe(0);
  });
});
