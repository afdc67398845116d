/**
 * Networks as lists of layers with concrete shapes, and the workload of each
 * layer. Layers with MACs (convolutions, including grouped and depthwise,
 * and fully connected) become workloads; the others (pooling, element-wise,
 * concatenation) are kept with their data volume and marked "not modelled",
 * never dropped.
 */
import { conv2dWorkload, fcWorkload } from '../workload/conv.js';
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
}

export type Layer = ConvLayer | FcLayer | OtherLayer;

export interface Network {
  readonly name: string;
  /** Input tensor: channels, height, width. */
  readonly input: readonly [number, number, number];
  readonly layers: readonly Layer[];
}

/** MACs of one layer for one input (batch 1). */
export function layerMacs(l: Layer): number {
  if (l.kind === 'conv') return (l.outC * (l.inC / l.groups) * l.kH * l.kW) * l.outH * l.outW;
  if (l.kind === 'fc') return l.inFeatures * l.outFeatures;
  return 0;
}

/**
 * The workload of a layer with MACs, batch `n`, from the one conv builder
 * (workload/conv.ts: Timeloop's CNN_Layer labels, R/P width and S/Q height,
 * a group dimension G when groups > 1). Fully connected layers are 1×1
 * convolutions on a 1×1 image.
 */
export function layerWorkload(l: ConvLayer | FcLayer, n: number): Workload {
  if (l.kind === 'fc') return fcWorkload(l.name, l.inFeatures, l.outFeatures, n);
  return conv2dWorkload(l.name, {
    inC: l.inC, outC: l.outC, kH: l.kH, kW: l.kW, outH: l.outH, outW: l.outW,
    strideH: l.strideH, strideW: l.strideW, dilH: l.dilH, dilW: l.dilW, groups: l.groups, batch: n,
  });
}

/** A key that is equal for layers with the same workload (same shape), for caching. */
export function shapeKey(l: ConvLayer | FcLayer): string {
  if (l.kind === 'fc') return `fc ${l.inFeatures}x${l.outFeatures}`;
  return `conv ${l.inC}>${l.outC} ${l.outH}x${l.outW} k${l.kH}x${l.kW} s${l.strideH}x${l.strideW} d${l.dilH}x${l.dilW} g${l.groups}`;
}

/** Tracks the running tensor shape while a network is written layer by layer. */
export class NetworkBuilder {
  c: number;
  h: number;
  w: number;
  readonly layers: Layer[] = [];
  constructor(readonly name: string, readonly input: readonly [number, number, number]) {
    [this.c, this.h, this.w] = input;
  }

  /** Square kernel `k`, stride, padding; groups (= channels for depthwise). */
  conv(name: string, outC: number, k: number, stride = 1, pad = 0, groups = 1, dil = 1): this {
    const outH = Math.floor((this.h + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
    const outW = Math.floor((this.w + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
    if (this.c % groups !== 0 || outC % groups !== 0) throw new Error(`${this.name}/${name}: groups ${groups} must divide ${this.c} and ${outC}`);
    this.layers.push({
      kind: 'conv', name, inC: this.c, inH: this.h, inW: this.w, outC, outH, outW, kH: k, kW: k,
      strideH: stride, strideW: stride, padH: pad, padW: pad, dilH: dil, dilW: dil, groups,
    });
    this.c = outC; this.h = outH; this.w = outW;
    return this;
  }

  pool(name: string, op: 'maxpool' | 'avgpool', k: number, stride: number, pad = 0, ceil = false): this {
    const f = ceil ? Math.ceil : Math.floor;
    const outH = f((this.h + 2 * pad - k) / stride) + 1;
    const outW = f((this.w + 2 * pad - k) / stride) + 1;
    this.layers.push({ kind: 'other', name, op, inputWords: this.c * this.h * this.w, outputWords: this.c * outH * outW, pool: { kernel: k, stride, pad, ceil, global: false } });
    this.h = outH; this.w = outW;
    return this;
  }

  /** Global average pooling to 1×1. */
  globalPool(name: string): this {
    this.layers.push({ kind: 'other', name, op: 'avgpool', inputWords: this.c * this.h * this.w, outputWords: this.c, pool: { kernel: this.h, stride: 1, pad: 0, ceil: false, global: true } });
    this.h = 1; this.w = 1;
    return this;
  }

  fc(name: string, outFeatures: number): this {
    this.layers.push({ kind: 'fc', name, inFeatures: this.c * this.h * this.w, outFeatures });
    this.c = outFeatures; this.h = 1; this.w = 1;
    return this;
  }

  other(name: string, op: string, inputWords: number, outputWords: number): this {
    this.layers.push({ kind: 'other', name, op, inputWords, outputWords });
    return this;
  }

  /** Current shape, to branch from. */
  get shape(): [number, number, number] {
    return [this.c, this.h, this.w];
  }

  set shape(s: [number, number, number]) {
    [this.c, this.h, this.w] = s;
  }

  build(): Network {
    return { name: this.name, input: this.input, layers: this.layers };
  }
}
