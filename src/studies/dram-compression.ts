/**
 * Sparseloop's Eyeriss DRAM-compression study (Wu et al., MICRO 2022):
 * AlexNet CONV1–5 on the Eyeriss-like design, the activations (ifmaps and
 * ofmaps) run-length coded with 5-bit runs at DRAM against moved
 * uncompressed, at given activation densities. Each layer is mapped once
 * (dense) and its mapping evaluated both ways by the sparse engine, so only
 * the DRAM representation differs.
 */
import type { Design } from '../designs/design.js';
import { mapLayer } from '../mapper/map.js';
import type { DataSpaceResult, Result } from '../model/result.js';
import { evaluateSparse } from '../sparse/evaluate.js';
import { designSparsity, RLC_RUN_BITS, type LayerDensities } from '../network/sparsity.js';
import { layerWorkload, type Network } from '../network/network.js';

/** One layer of the study: DRAM words of the activations, uncompressed and RLC-coded. */
export interface DramCompressionRow {
  readonly layer: string;
  readonly inputDensity: number;
  readonly outputDensity: number;
  /** DRAM activation words (Inputs + Outputs reads, fills, updates) moved uncompressed. */
  readonly denseWords: number;
  /** DRAM activation payload words moved RLC-coded. */
  readonly payloadWords: number;
  /** DRAM activation metadata (run) words of `RLC_RUN_BITS` bits, counted in data words of the level. */
  readonly metadataWords: number;
  /** Uncompressed bits over compressed bits (payload + runs). */
  readonly ratio: number;
  /** DRAM energy of the layer (all tensors), uncompressed and compressed. */
  readonly denseDramPJ: number;
  /**
   * Compressed, with the runs priced at the DRAM's energy per word: the
   * built-in ERT has no metadata actions, which the engine (as Timeloop)
   * prices at 0 (`engineDramPJ`).
   */
  readonly compressedDramPJ: number;
  readonly engineDramPJ: number;
}

/** Per-layer activation densities (fractions of non-zeros), e.g. examples/alexnet-jssc17-densities.json. */
export type ActivationDensities = Readonly<Record<string, { readonly inputs?: number; readonly outputs?: number }>>;

function dram(r: Result): { level: Result['levels'][number]; acts: DataSpaceResult[] } {
  const level = r.levels.find((l) => l.offChip)!;
  return { level, acts: level.dataSpaces.filter((d) => d.role !== 'weight') };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const words = (d: DataSpaceResult) => d.reads + d.fills + d.updates;
/** Metadata units of every rank, every op, actual accesses (per instance). */
const metadataUnits = (d: DataSpaceResult) => {
  const m = d.sparse?.metadata.actual;
  if (!m) return 0;
  return sum([...m.reads, ...m.fills, ...m.updates].map((r) => r[0] ?? 0));
};

/** Runs the study on the named conv layers of a network. */
export async function dramCompressionStudy(
  net: Network, design: Design, densities: ActivationDensities, layers: readonly string[], o: { evaluations: number; seed: number },
): Promise<DramCompressionRow[]> {
  const rows: DramCompressionRow[] = [];
  for (const name of layers) {
    const layer = net.layers.find((l) => l.name === name);
    if (!layer || layer.kind === 'other') throw new RangeError(`${net.name} has no layer ${name} with MACs`);
    const w = layerWorkload(layer, 1);
    const { mapping } = await mapLayer(w, design.arch, design.energy, design.constraints(w), { objective: 'energy', seed: o.seed, evaluations: o.evaluations });
    const d: LayerDensities = { weights: 1, inputs: densities[name]?.inputs ?? 1, outputs: densities[name]?.outputs ?? 1 };
    const spec = designSparsity(w, design.arch, mapping, d, { always: true })!;
    // Uncompressed: the same densities and gating, no format at DRAM.
    const plain = { ...spec, levels: spec.levels.map((lv) => ({ ...lv, formats: lv.formats.map(() => null) })) };
    const dense = dram(evaluateSparse(w, design.arch, mapping, design.energy, plain));
    const comp = dram(evaluateSparse(w, design.arch, mapping, design.energy, spec));
    const inst = comp.level.utilizedInstances;
    const denseWords = sum(dense.acts.map(words)) * dense.level.utilizedInstances;
    const payloadWords = sum(comp.acts.map(words)) * inst;
    const wordBits = design.arch.storage.find((l) => l.offChip)!.wordBits;
    const metadataWords = (sum(comp.acts.map(metadataUnits)) * inst * RLC_RUN_BITS) / wordBits;
    const perWord = dense.level.energyPJ / (sum(dense.level.dataSpaces.map(words)) * dense.level.utilizedInstances);
    rows.push({
      layer: name, inputDensity: d.inputs!, outputDensity: d.outputs!, denseWords, payloadWords, metadataWords,
      ratio: denseWords / (payloadWords + metadataWords), denseDramPJ: dense.level.energyPJ,
      compressedDramPJ: comp.level.energyPJ + metadataWords * perWord, engineDramPJ: comp.level.energyPJ,
    });
  }
  return rows;
}
