/**
 * Activations measured on images as actual data: masks laid out in the
 * workload's Inputs/Outputs ranks (padding zeros counted, images pooled
 * along N), and the cost provider pricing a layer on those tiles.
 */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { actualActivations, type ImageMasks } from '../../src/network/activations.js';
import { layerWorkload, NetworkBuilder, type ConvLayer } from '../../src/network/network.js';
import { evaluateLayerSparse } from '../../src/network/sparsity.js';
import { ActualTensor } from '../../src/sparse/density.js';

const b = builtinArch('eyeriss')!;

/** Masks from per-image [C][H][W] arrays of 0/1. */
function masks(images: number[][][][]): ImageMasks {
  return { images: images.length, mask: Uint8Array.from(images.flat(3)) };
}
const ones = (c: number, h: number, w: number) => Array.from({ length: c }, () => Array.from({ length: h }, () => new Array<number>(w).fill(1)));
const zeros = (c: number, h: number, w: number) => Array.from({ length: c }, () => Array.from({ length: h }, () => new Array<number>(w).fill(0)));

describe('activation masks laid out in the workload ranks', () => {
  // 2 → 3 channels, 3 high × 4 wide, 3×3 kernel, padding 1: Inputs [N, C, W, H] span 6 × 5 (the zero border included).
  const conv = new NetworkBuilder('t', [2, 3, 4]).conv('c', 3, 3, 1, 1).build().layers[0] as ConvLayer;
  // Image 0: channel 0 all ones, channel 1 all zeros. Image 1: channel 0 one point at (y 0, x 0), channel 1 its bottom row.
  const img0 = [ones(1, 3, 4)[0], zeros(1, 3, 4)[0]];
  const img1 = [zeros(1, 3, 4)[0], zeros(1, 3, 4)[0]];
  img1[0][0][0] = 1;
  img1[1][2] = [1, 1, 1, 1];
  const m = masks([img0, img1]);

  it('Inputs [N = images, C, W, H]: each point at (x + pad, y + pad), the border zero; density over the padded tensor', () => {
    const spec = actualActivations(layerWorkload(conv, 1), conv, 'input', m)!;
    expect(spec.shape).toEqual([2, 2, 6, 5]);
    const at = (n: number, c: number, x: number, y: number) => spec.values![((n * 2 + c) * 6 + x) * 5 + y];
    expect(at(1, 0, 1, 1)).toBe(1); // image 1's one point, moved in by the padding
    expect(at(1, 0, 0, 0)).toBe(0);
    expect(at(1, 1, 4, 3)).toBe(1); // bottom row y = 2 → 3, x = 3 → 4
    expect(at(1, 1, 4, 4)).toBe(0); // the bottom border
    expect(at(0, 0, 5, 2)).toBe(0); // the right border of an all-ones channel
    // 12 + 1 + 4 non-zeros in 2 × 2 × 30 points: the measured 17/48 falls to 17/120 with the border.
    expect(spec.density).toBe(17 / 120);
  });

  it('the tile histogram is pooled over the images (N is the image axis)', () => {
    const spec = actualActivations(layerWorkload(conv, 1), conv, 'input', m)!;
    const a = new ActualTensor(spec.values!, spec.shape!);
    // One channel of one image: 12 (image 0 ch 0), 0, 1, 4 — one tile each of four.
    expect(a.table([1, 1, 6, 5])).toEqual({ keys: [0, 1, 4, 12], probs: [0.25, 0.25, 0.25, 0.25] });
    // Both channels of one image: 12 and 5.
    expect(a.table([1, 2, 6, 5])).toEqual({ keys: [5, 12], probs: [0.5, 0.5] });
    // Left and right halves of the padded width (x 0–2 holds input columns 0–1, x 3–5 columns 2–3), per channel and image:
    // image 0 ch 0: 6, 6; ch 1: 0, 0; image 1 ch 0: 1, 0; ch 1: 2, 2.
    expect(a.table([1, 1, 3, 5])).toEqual({ keys: [0, 1, 2, 6], probs: [3 / 8, 1 / 8, 2 / 8, 2 / 8] });
  });

  it('Outputs [N, M, H, W]; groups put a channel g·C + c at rank G; the batch takes images in groups along N', () => {
    const out = [ones(1, 3, 4)[0], zeros(1, 3, 4)[0], zeros(1, 3, 4)[0]];
    out[2][1][3] = 1; // channel 2, y 1, x 3
    const spec = actualActivations(layerWorkload(conv, 1), conv, 'output', masks([out]))!;
    expect(spec.shape).toEqual([1, 3, 3, 4]);
    expect(spec.values![(2 * 3 + 1) * 4 + 3]).toBe(1);
    expect(spec.density).toBe(13 / 36);
    // Depthwise on 2 channels: Inputs [N, C = 1, W, H, G = 2]; channel 1 (all zeros in image 0) is G = 1.
    const dw = new NetworkBuilder('t', [2, 3, 4]).conv('d', 2, 3, 1, 1, 2).build().layers[0] as ConvLayer;
    const g = actualActivations(layerWorkload(dw, 1), dw, 'input', masks([img0]))!;
    expect(g.shape).toEqual([1, 1, 6, 5, 2]);
    expect(g.values![((0 * 6 + 1) * 5 + 1) * 2 + 0]).toBe(1);
    expect(g.values![((0 * 6 + 1) * 5 + 1) * 2 + 1]).toBe(0);
    // Batch 2 with 3 images: the third is left out (one batch of two along N).
    const three = masks([img0, img1, img0]);
    expect(actualActivations(layerWorkload(conv, 2), conv, 'input', three)!.shape).toEqual([2, 2, 6, 5]);
    expect(actualActivations(layerWorkload(conv, 4), conv, 'input', three)).toBeNull();
  });

  it('a stride that does not land on the edge drops the columns no window reads', () => {
    // 6 wide, 3×3 kernel, stride 2, no padding: outputs 2 wide; windows read columns 0–4 only.
    const s = new NetworkBuilder('t', [1, 3, 6]).conv('s', 1, 3, 2, 0).build().layers[0] as ConvLayer;
    const img = zeros(1, 3, 6);
    img[0][0][5] = 1; // in the unread column
    img[0][2][4] = 1;
    const spec = actualActivations(layerWorkload(s, 1), s, 'input', masks([img]))!;
    expect(spec.shape).toEqual([1, 1, 5, 3]);
    expect(spec.density).toBe(1 / 15);
  });
});

describe('the engine on measured activation tiles', () => {
  // 8 → 16 channels on a 4×4 input, 3×3 kernel, no padding; DRAM's one loop splits C in two, so the global
  // buffer holds 4 of the 8 input channels (64 points) at a time.
  const net = new NetworkBuilder('t', [8, 4, 4]).conv('l', 16, 3, 1, 0).build();
  const layer = net.layers[0] as ConvLayer;
  const w = layerWorkload(layer, 1);
  const mapping = {
    levels: [
      { temporal: [{ dim: 1, factor: 16 }], spatial: [], keep: [false, false, true] },
      { temporal: [{ dim: 0, factor: 4 }, { dim: 2, factor: 3 }], spatial: [], keep: [true, false, false] },
      { temporal: [], spatial: [], keep: [false, true, false] },
      { temporal: [], spatial: [{ dim: 3, factor: 3, axis: 'Y' as const }], keep: [false, false, false] },
      { temporal: [], spatial: [], keep: [false, false, false] },
      { temporal: [{ dim: 5, factor: 2 }, { dim: 6, factor: 2 }], spatial: [], keep: [false, true, true] },
      { temporal: [{ dim: 0, factor: 2 }], spatial: [], keep: [true, true, true] },
    ],
  };
  const glb = b.arch.storage.findIndex((s) => s.name === 'shared_glb') + 1;
  const K = 3, perIn = 8 * 16, perOut = 16 * 2 * 2;
  const images = (f: (c: number, i: number) => number) => ({ images: K, mask: Uint8Array.from({ length: K * perIn }, (_, i) => f(Math.floor((i % perIn) / 16), i)) });
  const allOut = { images: K, mask: new Uint8Array(K * perOut).fill(1) };
  const d = { weights: 0.5, inputs: 0.5, outputs: 1 };
  const run = (inputs?: ImageMasks) => {
    const spec = inputs && actualActivations(w, layer, 'input', inputs)!;
    const out = inputs && actualActivations(w, layer, 'output', allOut)!;
    return evaluateLayerSparse(w, b.arch, mapping, b.energy, d, undefined, spec ? { inputs: spec, outputs: out! } : {})!;
  };

  it('channels 0–3 non-zero, 4–7 zero: half the global buffer\'s input tiles are empty and are not sent; nothing else costs more or less', () => {
    const fixed = run(), actual = run(images((c) => (c < 4 ? 1 : 0)));
    const inGlb = (r: typeof fixed) => r.result.levels[glb].dataSpaces.find((x) => x.role === 'input')!;
    // Fixed-structured: a 64-point tile at density 1/2 holds 32 non-zeros, never empty.
    expect(inGlb(fixed).sparse!.averageInstances).toBe(1);
    expect(inGlb(actual).sparse!.averageInstances).toBe(0.5);
    expect(inGlb(actual).energyPJ).toBe(inGlb(fixed).energyPJ / 2);
    expect(actual.energyPJ).toBe(fixed.energyPJ - inGlb(fixed).energyPJ / 2);
    // Same density: the same MACs and the same compressed words off chip.
    expect(actual.effectualMacs).toBe(fixed.effectualMacs);
    expect(actual.cycles).toBe(fixed.cycles);
  });

  it('even channels non-zero: every global-buffer tile holds its 32, as fixed-structured says — its energy is the same', () => {
    const fixed = run(), actual = run(images((c) => (c % 2 === 0 ? 1 : 0)));
    const inGlb = (r: typeof fixed) => r.result.levels[glb].dataSpaces.find((x) => x.role === 'input')!;
    expect(inGlb(actual).sparse!.averageInstances).toBe(1);
    expect(inGlb(actual).energyPJ).toBe(inGlb(fixed).energyPJ);
  });

  it('an all-non-zero activation counts as density 1, to the count', () => {
    const dense = evaluateLayerSparse(w, b.arch, mapping, b.energy, { weights: 0.5, inputs: 1, outputs: 1 })!;
    const spec = actualActivations(w, layer, 'input', images(() => 1))!;
    expect(spec.density).toBe(1);
    const actual = evaluateLayerSparse(w, b.arch, mapping, b.energy, { weights: 0.5, inputs: 1, outputs: 1 }, undefined, { inputs: spec, outputs: actualActivations(w, layer, 'output', allOut)! })!;
    expect(JSON.stringify(actual.result.levels)).toBe(JSON.stringify(dense.result.levels));
    expect(actual.energyPJ).toBe(dense.energyPJ);
  });
});
