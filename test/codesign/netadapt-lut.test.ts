/** NetAdapt's fast model table: re-fitting a full-width mapping to a variant, the variant entries, CPU timing, checkpoints. */
import { describe, expect, it } from 'vitest';
import { netAdapt, type Adaptable, type Checkpoint } from '../../src/codesign/netadapt.js';
import { costTable, modelSource, type LayerCostSource } from '../../src/codesign/netadapt-lut.js';
import { familyKey, fillSpatial, refit, refitStarts } from '../../src/codesign/netadapt-mapping.js';
import { fanout } from '../../src/arch/arch.js';
import { builtinArch } from '../../src/designs/builtin.js';
import { lowerBound } from '../../src/mapper/bound.js';
import { runMapper } from '../../src/mapper/run.js';
import { MapSpace, SX, SY, T } from '../../src/mapper/space.js';
import { planEnergy } from '../../src/model/cost.js';
import { layerMacs, layerWorkload, NetworkBuilder, shapeKey, type ConvLayer, type FcLayer, type Network } from '../../src/network/network.js';
import { shrink as shrinkNet } from '../../src/network/graph.js';

const eyeriss = builtinArch('eyeriss')!;
const pw: ConvLayer = { kind: 'conv', name: 'pw', inC: 64, inH: 7, inW: 7, outC: 128, outH: 7, outW: 7, kH: 1, kW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilH: 1, dilW: 1, groups: 1 };
const dw: ConvLayer = { ...pw, name: 'dw', inC: 64, outC: 64, kH: 3, kW: 3, padH: 1, padW: 1, groups: 64 };

async function best(l: ConvLayer) {
  const w = layerWorkload(l, 1);
  const plan = planEnergy(eyeriss.arch, eyeriss.energy, 'v4', w.dataSpaces.map((d) => d.name));
  const r = await runMapper(w, eyeriss.arch, eyeriss.constraints(w), plan, { objective: 'energy', seed: 3, evaluations: 300, threads: 1 });
  return { w, plan, genome: r.best!, energy: r.energyPJ };
}

describe('re-fitting a full-width mapping to a variant', () => {
  it('every bound is met, unchanged dimensions keep their factors, and with the rest outermost no factor grows but the rest', async () => {
    for (const [anchor, variant] of [[pw, { ...pw, inC: 40, outC: 92 }], [dw, { ...dw, inC: 36, outC: 36, groups: 36 }]] as const) {
      expect(familyKey(variant)).toBe(familyKey(anchor));
      const a = await best(anchor);
      const w = layerWorkload(variant, 1);
      const space = new MapSpace(w, eyeriss.arch, eyeriss.constraints(w));
      const { L, D } = space;
      for (const order of ['inner-first', 'spatial-first'] as const) {
        for (let rest = 0; rest < L; rest++) {
          const g = space.newGenome();
          if (!refit(space, a.genome, order, g, rest)) continue;
          for (let d = 0; d < D; d++) {
            let p = 1;
            for (let s = 0; s < L * 3; s++) p *= g.f[s * D + d];
            expect(p, `${variant.name} dim ${w.dims[d]}`).toBe(w.bounds[d]);
            const same = w.bounds[d] === layerWorkload(anchor, 1).bounds[d];
            // The slot that takes the rest: at level `rest` if free there, else the outermost free temporal slot.
            const free = space.free[d];
            const restSlot = free.includes(rest * 3 + T) ? rest * 3 + T : [...free].reverse().find((s) => s % 3 === T);
            for (let s = 0; s < L * 3; s++) {
              if (same) expect(g.f[s * D + d]).toBe(a.genome.f[s * D + d]);
              else if (rest === L - 1 && s !== restSlot) expect(g.f[s * D + d]).toBeLessThanOrEqual(a.genome.f[s * D + d]);
            }
          }
        }
      }
      // At least the outermost re-fit is legal for the fanouts; the starts are distinct.
      const starts = refitStarts(space, a.genome, eyeriss.arch);
      expect(starts.length).toBeGreaterThan(0);
      for (let i = 0; i < starts.length; i++) for (let j = 0; j < i; j++) expect(Array.from(starts[i].f)).not.toEqual(Array.from(starts[j].f));
    }
  });
});

describe('filling the PEs a re-fit left idle', () => {
  it('moves primes from temporal to spatial slots: bounds kept, fanouts respected, more of the array used', async () => {
    const a = await best(pw);
    const w = layerWorkload({ ...pw, outC: 92 }, 1);
    const space = new MapSpace(w, eyeriss.arch, eyeriss.constraints(w));
    const { L, D } = space;
    const g = space.newGenome();
    expect(refit(space, a.genome, 'inner-first', g)).toBe(true);
    const h = space.newGenome();
    space.copy(g, h);
    const spatial = (x: typeof g) => { let p = 1; for (let l = 0; l < L; l++) for (const s of [SX, SY]) for (let d = 0; d < D; d++) p *= x.f[(l * 3 + s) * D + d]; return p; };
    // 92 = 4 · 23: the re-fit's 2s go to inner temporal loops first, and M's spatial factors are lost.
    expect(fillSpatial(space, eyeriss.arch, h)).toBe(true);
    expect(spatial(h)).toBeGreaterThan(spatial(g));
    for (let d = 0; d < D; d++) {
      let p = 1;
      for (let s = 0; s < L * 3; s++) p *= h.f[s * D + d];
      expect(p).toBe(w.bounds[d]);
    }
    for (let l = 0; l < L; l++) {
      const f = fanout(eyeriss.arch, l);
      let x = 1, y = 1;
      for (let d = 0; d < D; d++) { x *= h.f[(l * 3 + SX) * D + d]; y *= h.f[(l * 3 + SY) * D + d]; }
      expect(x).toBeLessThanOrEqual(f.x);
      expect(y).toBeLessThanOrEqual(f.y);
    }
  });
});

describe('the model table with anchors', () => {
  const variants: ConvLayer[] = [{ ...pw, outC: 92 }, { ...pw, inC: 40, outC: 124 }, { ...pw, inC: 16, outC: 12 }, { ...dw, inC: 44, outC: 44, groups: 44 }];
  const source = () => modelSource(eyeriss, { metric: 'energy', evaluations: 300, seed: 3, platform: 'eyeriss', anchors: [pw, dw] });

  it('a variant is priced by a legal mapping (at or above the proven bound), the same whatever the order asked, with full searches only for anchors', async () => {
    const a = source(), b = source();
    const ea: number[] = [];
    for (const l of variants) ea.push(await a.layerCost(l));
    const eb: number[] = [];
    for (const l of [...variants].reverse()) eb.unshift(await b.layerCost(l));
    expect(eb).toEqual(ea);
    expect(a.searches()).toMatchObject({ fullSearches: 2, variantSearches: variants.length, fallbacks: 0 });
    variants.forEach((l, i) => {
      const w = layerWorkload(l, 1);
      const plan = planEnergy(eyeriss.arch, eyeriss.energy, 'v4', w.dataSpaces.map((d) => d.name));
      expect(ea[i]).toBeGreaterThanOrEqual(lowerBound(w, eyeriss.arch, plan, 'energy', eyeriss.constraints(w)).energyPJ);
    });
    // An anchor's own entry is its full search.
    expect(await a.layerCost(pw)).toBe((await best(pw)).energy);
    // Without anchors every shape gets a full search.
    const plain = modelSource(eyeriss, { metric: 'energy', evaluations: 300, seed: 3, platform: 'eyeriss' });
    await plain.layerCost(variants[0]);
    expect(plain.searches().fullSearches).toBe(1);
  });

  it('times entries on the clocks it is given', async () => {
    let wall = 0, cpu = 0;
    const src: LayerCostSource = { metric: 'macs', unit: 'MAC', platform: 'count', layerCost: async (l) => { wall += 2; cpu += 1; return layerMacs(l); } };
    const t = costTable(src, { wall: () => wall, cpu: () => cpu });
    const b = new NetworkBuilder('n', [3, 8, 8]);
    b.conv('c1', 8, 3, 1, 1).conv('c2', 8, 3, 1, 1).conv('c3', 8, 3, 1, 1);
    await t.cost(b.build());
    // c2 and c3 share a shape: two entries, three look-ups.
    expect(t.stats()).toEqual({ entries: 2, lookups: 3, msTotal: 4, msPerEntry: 2, cpuMsTotal: 2, cpuMsPerEntry: 1 });
  });
});

/** A stand-in model: a network, the seeds it was fine-tuned with, accuracy a deterministic function of its widths. */
interface Toy { readonly net: Network; readonly tuned: number[] }
const toy: Adaptable<Toy> = {
  network: (m) => m.net,
  filterNorms: (m, layer) => {
    const i = m.net.layers.findIndex((l) => l.name === layer);
    return Float64Array.from({ length: m.net.tensors.get(m.net.edges[i].output)![0] }, (_, c) => 100 - c);
  },
  remove: async (m, next) => ({ net: next, tuned: [...m.tuned] }),
  fineTune: async (m, _images, seed) => { m.tuned.push(seed); },
  accuracy: async (m) => m.net.layers.reduce((a, l) => a + (l.kind === 'conv' ? Math.log(l.outC) * (l.name === 'c2' ? 2 : 1) : 0), 0) + m.tuned.length * 1e-3,
  dispose: () => undefined,
  clone: async (m) => ({ net: m.net, tuned: [...m.tuned] }),
};

describe('NetAdapt checkpoints', () => {
  it('report the first network at or under each intermediate target, long-term fine-tuned, and leave the run as it was', async () => {
    const b = new NetworkBuilder('toy', [3, 16, 16]);
    b.conv('c1', 32, 3, 1, 1).conv('c2', 32, 3, 1, 1).conv('c3', 32, 3, 1, 1).globalPool('gap').fc('fc', 10);
    const model: Toy = { net: b.build(), tuned: [] };
    const macs: LayerCostSource = { metric: 'macs', unit: 'MAC', platform: 'count', layerCost: async (l) => layerMacs(l) };
    const o = { target: 0.4, initialReduction: 0.1, decay: 0.95, granularity: 4, shortTermImages: 8, longTermImages: 16, maxIterations: 30, seed: 5 };
    const plain = await netAdapt(toy, model, costTable(macs), o);
    const seen: Checkpoint<Toy>[] = [];
    const withCk = await netAdapt(toy, model, costTable(macs), { ...o, checkpoints: [0.6, 0.8, 0.3, 1.2], onCheckpoint: async (c) => { seen.push(c); } });
    expect(JSON.stringify(withCk.iterations)).toBe(JSON.stringify(plain.iterations));
    expect(withCk.model.tuned).toEqual(plain.model.tuned);
    // Targets outside (target, 1) are ignored; the others come in falling order.
    expect(seen.map((c) => c.target)).toEqual([0.8, 0.6]);
    for (const c of seen) {
      expect(c.cost).toBeLessThanOrEqual(c.target * plain.originalCost);
      const before = c.iteration === 1 ? plain.originalCost : plain.iterations[c.iteration - 2].chosen.cost;
      expect(before).toBeGreaterThan(c.target * plain.originalCost);
      expect(c.cost).toBe(plain.iterations[c.iteration - 1].chosen.cost);
      // The copy got the run's long-term fine-tune on top of the kept path's short-term ones.
      expect(c.model.tuned.length).toBe(c.iteration + 1);
      expect(c.model.tuned[c.model.tuned.length - 1]).toBe(plain.model.tuned[plain.model.tuned.length - 1]);
      expect(c.fineTuneImages).toBe(c.iteration * 8 + 16);
    }
    // The checkpoint network is the run's network after that iteration.
    for (const c of seen) expect(Object.fromEntries(c.network.layers.filter((l) => l.kind === 'conv').map((l) => [l.name, l.kind === 'conv' ? l.outC : 0]))).toEqual(plain.iterations[c.iteration - 1].channels);
  });
});

describe('NetAdapt priming', () => {
  it("makes each iteration's first candidates together before proposing, and the run is the one without priming", async () => {
    const b = new NetworkBuilder('toy', [3, 16, 16]);
    b.conv('c1', 32, 3, 1, 1).conv('c2', 32, 3, 1, 1).conv('c3', 32, 3, 1, 1).globalPool('gap').fc('fc', 10);
    const model: Toy = { net: b.build(), tuned: [] };
    const made = new Set<string>();
    const batches: string[][] = [];
    let asked = 0, askedUnprimed = 0;
    const key = (l: ConvLayer | FcLayer) => shapeKey(l);
    // A source that answers by shape (as a measured one would, only exactly) and records what was primed.
    const src: LayerCostSource = {
      metric: 'macs', unit: 'MAC', platform: 'count',
      layerCost: async (l) => { asked++; if (!made.has(key(l))) askedUnprimed++; return layerMacs(l); },
      prime: async (nets) => {
        const batch = nets.flatMap((n) => n.layers.filter((l): l is ConvLayer | FcLayer => l.kind === 'conv' || l.kind === 'fc').map(key));
        batches.push(batch);
        for (const k of batch) made.add(k);
      },
    };
    const plainSrc: LayerCostSource = { metric: 'macs', unit: 'MAC', platform: 'count', layerCost: async (l) => layerMacs(l) };
    const o = { target: 0.4, initialReduction: 0.1, decay: 0.95, granularity: 4, shortTermImages: 8, longTermImages: 16, maxIterations: 30, seed: 5 };
    const plain = await netAdapt(toy, model, costTable(plainSrc), o);
    const primed = await netAdapt(toy, model, costTable(src), { ...o, primeCandidates: 2 });
    expect(JSON.stringify(primed.iterations)).toBe(JSON.stringify(plain.iterations));
    // The original network first, then one batch per iteration that proposed.
    expect(batches.length).toBeGreaterThanOrEqual(plain.iterations.length + 1);
    expect(new Set(batches[0])).toEqual(new Set(model.net.layers.filter((l): l is ConvLayer | FcLayer => l.kind === 'conv' || l.kind === 'fc').map(key)));
    // Iteration 1: each of c1, c2, c3 at 28 and 24 channels (two candidates each), every layer of those networks.
    const first = new Set(batches[1]);
    const c2at28 = shrinkNet(model.net, 'c2', 28);
    for (const l of c2at28.layers) if (l.kind === 'conv' || l.kind === 'fc') expect(first.has(key(l))).toBe(true);
    expect(first.has(key(shrinkNet(model.net, 'c1', 20).layers[0] as ConvLayer))).toBe(false);
    // Entries the proposals asked for were mostly primed; a source without prime is never asked to.
    expect(askedUnprimed).toBeLessThan(asked);
  });
});
