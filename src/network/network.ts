/**
 * Networks as graphs of layers with concrete shapes, and the workload of each
 * layer. Layers with MACs (convolutions, including grouped and depthwise,
 * fully connected and matrix products with token and head dimensions) become workloads; the others (pooling, element-wise,
 * concatenation) are kept with their data volume and marked "not modelled",
 * never dropped.
 */
import { conv2dWorkload, convTranspose2dWorkload, fcWorkload } from '../workload/conv.js';
import { matmulWorkload } from '../workload/matmul.js';
import type { Workload } from '../workload/workload.js';

/** A 2-D convolution; `groups` = input channels for depthwise. */
export interface ConvLayer {
  readonly kind: 'conv';
  readonly name: string;
  readonly inC: number; readonly inH: number; readonly inW: number;
  readonly outC: number; readonly outH: number; readonly outW: number;
  readonly kH: number; readonly kW: number;
  readonly strideH: number; readonly strideW: number;
  readonly padH: number; readonly padW: number;
  readonly dilH: number; readonly dilW: number;
  readonly groups: number;
  /** Fraction of non-zero weights, when known (a pruned model); absent means dense. */
  readonly weightDensity?: number;
  /**
   * A transposed convolution (ONNX ConvTranspose): every input pixel is
   * scattered through the kernel, so the MACs run over the input grid
   * (inH × inW) and strides and dilations space the outputs.
   */
  readonly transposed?: boolean;
  /** Word width of the operands when the file says (8 for quantised ConvInteger); absent: the architecture's. */
  readonly wordBits?: number;
}

/** A fully connected layer (a matrix-vector product per batch element). */
export interface FcLayer {
  readonly kind: 'fc';
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Fraction of non-zero weights, when known (a pruned model); absent means dense. */
  readonly weightDensity?: number;
}

/**
 * A matrix product with batch and token dimensions: `groups` independent
 * products (attention heads, a batch inside the graph, recurrent directions)
 * of a `rows` × `inner` matrix by an `inner` × `cols` one. The second operand
 * is a weight, or — attention's QKᵀ and AV — another activation
 * (`activationOperand`); either way the workload gives it the role `weight`
 * (one operand read by every row), and with an activation operand it is not
 * shared across the network batch.
 */
export interface MatmulLayer {
  readonly kind: 'matmul';
  readonly name: string;
  readonly groups: number;
  readonly rows: number;
  readonly inner: number;
  readonly cols: number;
  readonly activationOperand: boolean;
  /** Fraction of non-zero weights, when known; absent means dense. */
  readonly weightDensity?: number;
  /** Word width of the operands when the file says (8 for MatMulInteger); absent: the architecture's. */
  readonly wordBits?: number;
}

/** A layer without MACs: listed with the words it reads and writes. */
export interface OtherLayer {
  readonly kind: 'other';
  readonly name: string;
  /** maxpool, avgpool, add, concat, relu, ... */
  readonly op: string;
  readonly inputWords: number;
  readonly outputWords: number;
  /** Pooling window, when the op is a pooling. */
  readonly pool?: { readonly kernel: number; readonly stride: number; readonly pad: number; readonly ceil: boolean; readonly global: boolean };
  /** An op the importer does not know, kept because the file gives its output shapes; it may hide MACs. */
  readonly unknown?: boolean;
  /** An op known to bear MACs that dnnergy does not model (Einsum, Attention, ...): counted as left out. */
  readonly macsLeftOut?: boolean;
}

/** A layer of a network. */
export type Layer = ConvLayer | FcLayer | MatmulLayer | OtherLayer;

/** A layer with MACs: it becomes a workload. */
export type MacLayer = ConvLayer | FcLayer | MatmulLayer;

/**
 * A tensor's shape without the batch: channels, height, width for images;
 * other ranks as an imported graph has them (channels first).
 */
export type TensorShape = readonly number[];

/** The tensors a layer reads (activations only, no weights) and the one it writes. */
export interface LayerEdges {
  readonly inputs: readonly string[];
  readonly output: string;
}

/**
 * A network: layers in topological order (each layer's inputs are made by
 * layers before it, or are the network's input) and the tensors between
 * them. `edges[i]` belongs to `layers[i]`; graph.ts answers producer and
 * consumer queries and edits the graph.
 */
export interface Network {
  readonly name: string;
  /** Input tensor: channels, height, width. */
  readonly input: readonly [number, number, number];
  readonly layers: readonly Layer[];
  /** Name of the input tensor. */
  readonly inputTensor: string;
  /** Shape of every tensor: the input and each layer's output. */
  readonly tensors: ReadonlyMap<string, TensorShape>;
  readonly edges: readonly LayerEdges[];
  /** Further graph inputs (an imported graph's recurrent state, a second input): tensors no layer makes. */
  readonly extraInputs?: readonly string[];
  /** What an importer could not model but kept going past (unknown ops), one line each. */
  readonly warnings?: readonly string[];
  /** Zero masks of the weights by layer name, when the importer was asked to keep them (actual-data densities). */
  readonly weightMasks?: ReadonlyMap<string, WeightMask>;
}

/**
 * A layer's weight as a 0/1 mask in the file's layout: ONNX's [M, C/group,
 * kH, kW] for a convolution (a 1-D one without kH), [K, N] for a MatMul's
 * and a Gemm's weight, [N, K] when `transposed` (Gemm transB = 1).
 */
export interface WeightMask {
  readonly mask: Uint8Array;
  readonly dims: readonly number[];
  readonly transposed: boolean;
}

/** MACs of one layer for one input (batch 1). */
export function layerMacs(l: Layer): number {
  if (l.kind === 'conv') return (l.outC * (l.inC / l.groups) * l.kH * l.kW) * (l.transposed ? l.inH * l.inW : l.outH * l.outW);
  if (l.kind === 'matmul') return l.groups * l.rows * l.inner * l.cols;
  if (l.kind === 'fc') return l.inFeatures * l.outFeatures;
  return 0;
}

/**
 * The workload of a layer with MACs, batch `n`, from the one conv builder
 * (workload/conv.ts: Timeloop's CNN_Layer labels, R/P width and S/Q height,
 * a group dimension G when groups > 1). Fully connected layers are 1×1
 * convolutions on a 1×1 image.
 */
export function layerWorkload(l: MacLayer, n: number): Workload {
  if (l.kind === 'fc') return fcWorkload(l.name, l.inFeatures, l.outFeatures, n);
  if (l.kind === 'matmul') return matmulWorkload(l.name, { groups: l.groups, rows: l.rows, inner: l.inner, cols: l.cols, batch: n, sharedOperand: !l.activationOperand });
  if (l.transposed) return convTranspose2dWorkload(l.name, {
    inC: l.inC, outC: l.outC, kH: l.kH, kW: l.kW, inH: l.inH, inW: l.inW,
    strideH: l.strideH, strideW: l.strideW, dilH: l.dilH, dilW: l.dilW, groups: l.groups, batch: n,
  });
  return conv2dWorkload(l.name, {
    inC: l.inC, outC: l.outC, kH: l.kH, kW: l.kW, outH: l.outH, outW: l.outW,
    strideH: l.strideH, strideW: l.strideW, dilH: l.dilH, dilW: l.dilW, groups: l.groups, batch: n,
  });
}

/** A key that is equal for layers with the same workload (same shape), for caching. */
export function shapeKey(l: MacLayer): string {
  if (l.kind === 'fc') return `fc ${l.inFeatures}x${l.outFeatures}`;
  if (l.kind === 'matmul') return `matmul ${l.groups}x${l.rows}x${l.inner}x${l.cols}${l.activationOperand ? ' aa' : ''}`;
  return `${l.transposed ? `convT ${l.inH}x${l.inW} ` : ''}conv ${l.inC}>${l.outC} ${l.outH}x${l.outW} k${l.kH}x${l.kW} s${l.strideH}x${l.strideW} d${l.dilH}x${l.dilW} g${l.groups}`;
}

/**
 * Writes a network layer by layer and records its edges. Each layer reads the
 * current tensor and makes its output (named after the layer) current;
 * `from` moves to another tensor to start a branch, and `add`/`concat` join
 * branches.
 */
export class NetworkBuilder {
  readonly layers: Layer[] = [];
  private readonly edges: LayerEdges[] = [];
  private readonly tensors = new Map<string, TensorShape>();
  private cur: string;
  constructor(readonly name: string, readonly input: readonly [number, number, number], readonly inputTensor = 'input') {
    this.tensors.set(inputTensor, [...input]);
    this.cur = inputTensor;
  }

  /** Channels, height and width of the current tensor. */
  get c(): number { return this.dims()[0]; }
  get h(): number { return this.dims()[1]; }
  get w(): number { return this.dims()[2]; }

  /** Current shape. */
  get shape(): [number, number, number] {
    return this.dims();
  }

  /** Name of the current tensor, to branch from later. */
  get tensor(): string {
    return this.cur;
  }

  /** Continue from a tensor made earlier (a branch point). */
  from(tensor: string): this {
    if (!this.tensors.has(tensor)) throw new Error(`${this.name}: no tensor ${tensor}`);
    this.cur = tensor;
    return this;
  }

  private dims(t = this.cur): [number, number, number] {
    const s = this.tensors.get(t)!;
    return [s[0], s[1] ?? 1, s[2] ?? 1];
  }

  private push(layer: Layer, inputs: readonly string[], out: TensorShape): this {
    if (this.tensors.has(layer.name)) throw new Error(`${this.name}: tensor ${layer.name} made twice`);
    this.layers.push(layer);
    this.edges.push({ inputs, output: layer.name });
    this.tensors.set(layer.name, out);
    this.cur = layer.name;
    return this;
  }

  /** Square kernel `k`, stride, padding; groups (= channels for depthwise). */
  conv(name: string, outC: number, k: number, stride = 1, pad = 0, groups = 1, dil = 1): this {
    const [c, h, w] = this.dims();
    const outH = Math.floor((h + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
    const outW = Math.floor((w + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
    if (c % groups !== 0 || outC % groups !== 0) throw new Error(`${this.name}/${name}: groups ${groups} must divide ${c} and ${outC}`);
    return this.push({
      kind: 'conv', name, inC: c, inH: h, inW: w, outC, outH, outW, kH: k, kW: k,
      strideH: stride, strideW: stride, padH: pad, padW: pad, dilH: dil, dilW: dil, groups,
    }, [this.cur], [outC, outH, outW]);
  }

  /** Max or average pooling, square window `k`. */
  pool(name: string, op: 'maxpool' | 'avgpool', k: number, stride: number, pad = 0, ceil = false): this {
    const [c, h, w] = this.dims();
    const f = ceil ? Math.ceil : Math.floor;
    const outH = f((h + 2 * pad - k) / stride) + 1;
    const outW = f((w + 2 * pad - k) / stride) + 1;
    return this.push({ kind: 'other', name, op, inputWords: c * h * w, outputWords: c * outH * outW, pool: { kernel: k, stride, pad, ceil, global: false } }, [this.cur], [c, outH, outW]);
  }

  /** Global average pooling to 1×1. */
  globalPool(name: string): this {
    const [c, h, w] = this.dims();
    return this.push({ kind: 'other', name, op: 'avgpool', inputWords: c * h * w, outputWords: c, pool: { kernel: h, stride: 1, pad: 0, ceil: false, global: true } }, [this.cur], [c, 1, 1]);
  }

  /** A fully connected layer on the current tensor, flattened. */
  fc(name: string, outFeatures: number): this {
    const [c, h, w] = this.dims();
    return this.push({ kind: 'fc', name, inFeatures: c * h * w, outFeatures }, [this.cur], [outFeatures, 1, 1]);
  }

  /** An element-wise op on the current tensor that keeps its shape (relu, batch norm, ...). */
  other(name: string, op: string): this {
    const s = this.dims();
    const words = s[0] * s[1] * s[2];
    return this.push({ kind: 'other', name, op, inputWords: words, outputWords: words }, [this.cur], s);
  }

  /** Element-wise sum of tensors of one shape (a residual connection). */
  add(name: string, tensors: readonly string[]): this {
    const shapes = tensors.map((t) => this.dims(this.known(t)));
    const s = shapes[0];
    if (shapes.some((x) => x.join() !== s.join())) throw new Error(`${this.name}/${name}: add of different shapes ${shapes.map((x) => x.join('x')).join(', ')}`);
    const words = s[0] * s[1] * s[2];
    return this.push({ kind: 'other', name, op: 'add', inputWords: tensors.length * words, outputWords: words }, tensors, s);
  }

  /** Concatenation of tensors along channels, in the order given. */
  concat(name: string, tensors: readonly string[]): this {
    const shapes = tensors.map((t) => this.dims(this.known(t)));
    const [, h, w] = shapes[0];
    if (shapes.some((x) => x[1] !== h || x[2] !== w)) throw new Error(`${this.name}/${name}: concat of different sizes ${shapes.map((x) => x.join('x')).join(', ')}`);
    const c = shapes.reduce((a, x) => a + x[0], 0);
    return this.push({ kind: 'other', name, op: 'concat', inputWords: c * h * w, outputWords: c * h * w }, tensors, [c, h, w]);
  }

  private known(t: string): string {
    if (!this.tensors.has(t)) throw new Error(`${this.name}: no tensor ${t}`);
    return t;
  }

  /** The network written so far. */
  build(): Network {
    return { name: this.name, input: this.input, layers: this.layers, inputTensor: this.inputTensor, tensors: this.tensors, edges: this.edges };
  }
}
