import { describe, expect, it } from 'vitest';
import { fullMemoSearch, memoSearch, SearchMemo } from '../../src/codesign/netadapt-search.js';
import { refitStarts, warmStartStrategy } from '../../src/codesign/netadapt-mapping.js';
import { builtinArch } from '../../src/designs/builtin.js';
import { annealStrategy } from '../../src/mapper/anneal.js';
import { exhaustiveStrategy } from '../../src/mapper/exhaustive.js';
import { modelSource } from '../../src/codesign/netadapt-lut.js';
import { runMapper } from '../../src/mapper/run.js';
import { searchWith } from '../../src/mapper/search.js';
import { MapSpace, type Genome } from '../../src/mapper/space.js';
import { CompiledBuffer } from '../../src/model/compile.js';
import { planEnergy } from '../../src/model/cost.js';
import { layerWorkload, type ConvLayer } from '../../src/network/network.js';
import { Rng } from '../../src/util/rng.js';

const eyeriss = builtinArch('eyeriss')!;
const pw: ConvLayer = { kind: 'conv', name: 'pw', inC: 64, inH: 7, inW: 7, outC: 128, outH: 7, outW: 7, kH: 1, kW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilH: 1, dilW: 1, groups: 1 };
const dw: ConvLayer = { ...pw, name: 'dw', inC: 64, outC: 64, kH: 3, kW: 3, padH: 1, padW: 1, groups: 64 };
const conv: ConvLayer = { ...pw, name: 'conv', inC: 3, inH: 28, inW: 28, outC: 16, outH: 14, outW: 14, kH: 3, kW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
const tiny: ConvLayer = { ...pw, name: 'tiny', inC: 4, inH: 1, inW: 1, outC: 4, outH: 1, outW: 1 };

function setup(l: ConvLayer) {
  const w = layerWorkload(l, 1);
  const plan = planEnergy(eyeriss.arch, eyeriss.energy, 'v4', w.dataSpaces.map((d) => d.name));
  const space = new MapSpace(w, eyeriss.arch, eyeriss.constraints(w));
  return { w, plan, space };
}
const genomeOf = (g: Genome | null) => g && { f: [...g.f], perm: [...g.perm], sperm: [...g.sperm], keep: [...g.keep] };

describe('the look-up table search with a memo of evaluated loop nests', () => {
  const memo = new SearchMemo();

  it('finds the same mapping and cost as the mapper, in fewer evaluations (annealing, both objectives)', () => {
    let saved = 0;
    for (const l of [pw, dw, conv]) {
      for (const objective of ['energy', 'delay'] as const) {
        const { w, plan, space } = setup(l);
        const o = { objective, seed: 5, evaluations: 400 };
        const ref = searchWith(w, eyeriss.arch, space, plan, o, (ctx) => annealStrategy(ctx));
        const got = memoSearch(w, eyeriss.arch, space, plan, o, (ctx) => annealStrategy(ctx), memo);
        expect(genomeOf(got.best), `${l.name} ${objective}`).toEqual(genomeOf(ref.best));
        expect([got.energyPJ, got.cycles]).toEqual([ref.energyPJ, ref.cycles]);
        expect(got.candidates).toBe(ref.stats.evaluated);
        expect(got.evaluated).toBeLessThanOrEqual(got.candidates);
        saved += got.candidates - got.evaluated;
      }
    }
    // The memo answers some repeats (else it would be no use).
    expect(saved).toBeGreaterThan(0);
  });

  it('a full search equals runMapper on one thread, annealed or (a space within the budget) enumerated', async () => {
    for (const [l, evaluations] of [[pw, 300], [tiny, 1000]] as const) {
      const { w, plan, space } = setup(l);
      const ref = await runMapper(w, eyeriss.arch, eyeriss.constraints(w), plan, { objective: 'energy', seed: 3, evaluations, threads: 1 });
      const got = fullMemoSearch(w, eyeriss.arch, space, plan, { objective: 'energy', seed: 3, evaluations }, memo);
      expect(genomeOf(got.best), l.name).toEqual(genomeOf(ref.best));
      expect([got.energyPJ, got.cycles]).toEqual([ref.energyPJ, ref.cycles]);
      expect(got.candidates).toBe(ref.stats.evaluated);
    }
    // The enumerated space is smaller than the budget: it was enumerated.
    expect(setup(tiny).space.size()).toBeLessThan(1000);
  });

  it("a variant's warm-started search equals searchWith with the same starts", async () => {
    const a = await runMapper(layerWorkload(pw, 1), eyeriss.arch, eyeriss.constraints(layerWorkload(pw, 1)), setup(pw).plan, { objective: 'energy', seed: 3, evaluations: 300, threads: 1 });
    for (const v of [{ ...pw, outC: 92 }, { ...pw, inC: 40, outC: 124 }]) {
      const { w, plan, space } = setup(v);
      const starts = refitStarts(space, a.best!, eyeriss.arch);
      const ref = searchWith(w, eyeriss.arch, space, plan, { objective: 'energy', seed: 3, evaluations: 32 }, warmStartStrategy(starts));
      const got = memoSearch(w, eyeriss.arch, space, plan, { objective: 'energy', seed: 3, evaluations: 32 }, warmStartStrategy(starts), memo);
      expect(genomeOf(got.best)).toEqual(genomeOf(ref.best));
      expect(got.energyPJ).toBe(ref.energyPJ);
    }
  });

  it('never answers a nest with another nest\'s cost', () => {
    const { space } = setup(conv);
    const rng = new Rng(11);
    const m = new SearchMemo();
    const n = 3000;
    m.reset(16); // grows past its first size
    const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
    const g = space.newGenome();
    const keys: string[] = [];
    const key = (b: CompiledBuffer) => `${b.n}|${[...b.level.slice(0, b.n)]}|${[...b.spatial.slice(0, b.n)]}|${[...b.axisY.slice(0, b.n)]}|${[...b.dim.slice(0, b.n)]}|${[...b.factor.slice(0, b.n)]}|${[...b.keep]}`;
    const first = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      space.random(rng, g);
      space.compile(g, cm);
      const k = key(cm);
      keys.push(k);
      m.find(cm);
      if (first.has(k)) {
        expect(m.hit).toBeGreaterThanOrEqual(0);
        expect(m.energyOf(m.hit)).toBe(first.get(k));
      } else {
        expect(m.hit).toBe(-1);
        first.set(k, i);
        m.add(cm, i % 3 !== 0, i, -i);
      }
    }
    expect(first.size).toBeGreaterThan(n / 2);
  });
});

describe('the model table over the memo search', () => {
  it('prices a tiny layer at its exhaustive optimum, and the same seed gives the same entries', async () => {
    const small: ConvLayer[] = [tiny, { ...tiny, outC: 2 }, { ...tiny, inC: 2, outC: 3 }];
    for (const l of small) {
      const { w, plan, space } = setup(l);
      expect(space.size()).toBeLessThan(1000);
      const opt = searchWith(w, eyeriss.arch, space, plan, { objective: 'energy', seed: 1, evaluations: 1000 }, (ctx) => exhaustiveStrategy(ctx));
      const src = modelSource(eyeriss, { metric: 'energy', evaluations: 1000, seed: 9, platform: 'eyeriss' });
      expect(await src.layerCost(l), l.name).toBe(opt.energyPJ);
    }
    const variants: ConvLayer[] = [{ ...pw, outC: 100 }, { ...pw, inC: 48, outC: 64 }, { ...dw, inC: 40, outC: 40, groups: 40 }];
    const entries = async () => {
      const src = modelSource(eyeriss, { metric: 'latency', evaluations: 300, seed: 4, platform: 'eyeriss', anchors: [pw, dw] });
      const out: number[] = [];
      for (const l of variants) out.push(await src.layerCost(l));
      return { out, stats: src.searches() };
    };
    const a = await entries(), b = await entries();
    expect(b.out).toEqual(a.out);
    expect(b.stats).toEqual(a.stats);
    expect(a.stats.evaluations).toBeLessThan(a.stats.candidates);
  });
});
