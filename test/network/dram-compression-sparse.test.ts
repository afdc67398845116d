/** Sparseloop's Eyeriss DRAM-compression study: RLC moves fewer activation words when activations are sparse, more when dense. */
import { describe, expect, it } from 'vitest';
import { builtinArch } from '../../src/designs/builtin.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { dramCompressionStudy } from '../../src/studies/dram-compression.js';

const b = builtinArch('eyeriss')!;
const design = { ...b, name: 'eyeriss', warnings: [] };

describe('DRAM compression study', () => {
  it('sparse activations: fewer words and a ratio above 1; dense ones: 21 bits per 16-bit value or worse', async () => {
    const net = zooNetwork('alexnet')!;
    const [sparse, dense] = await Promise.all([
      dramCompressionStudy(net, design, { conv4: { inputs: 0.2, outputs: 0.2 } }, ['conv4'], { evaluations: 300, seed: 1 }),
      dramCompressionStudy(net, design, { conv4: { inputs: 1, outputs: 1 } }, ['conv4'], { evaluations: 300, seed: 1 }),
    ]);
    const s = sparse[0], d = dense[0];
    expect(s.denseWords).toBe(d.denseWords);
    expect(s.payloadWords).toBeLessThan(s.denseWords * 0.3);
    expect(s.metadataWords).toBeGreaterThan(0);
    expect(s.ratio).toBeGreaterThan(2);
    expect(s.compressedDramPJ).toBeLessThan(s.denseDramPJ);
    expect(s.engineDramPJ).toBeLessThanOrEqual(s.compressedDramPJ);
    // Dense data: every value keeps its 16 bits and gains a 5-bit run.
    expect(d.payloadWords).toBe(d.denseWords);
    expect(d.ratio).toBeLessThanOrEqual(16 / 21 + 1e-9);
    await expect(dramCompressionStudy(net, design, {}, ['pool1'], { evaluations: 10, seed: 1 })).rejects.toThrow(/pool1/);
  }, 120_000);
});
