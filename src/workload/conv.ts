/**
 * The one convolution builder. Every front end (native YAML, the zoo, ONNX
 * import, the test helpers) makes its conv workloads here, with Timeloop's
 * CNN_Layer labels, so that one layer gives one workload whatever it came
 * from:
 *
 * - R = filter width, S = filter height, P = output width, Q = output
 *   height (Timeloop's Inputs ranks are [N], [C], [R·Wdilation + P·Wstride],
 *   [S·Hdilation + Q·Hstride]);
 * - dimensions in the order C M R S N P Q, then G when grouped (C and M
 *   then count channels per group), so counts line up with Timeloop's;
 * - the Inputs rank spans the padded input, as in Timeloop (padding is not
 *   part of the workload).
 */
import type { DataSpace, Workload } from './workload.js';

/** What a convolution and a transposed one are given besides their spatial extent. */
export interface ConvKernel {
  /** Input channels (all groups). */
  readonly inC: number;
  /** Output channels (all groups). */
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH?: number;
  readonly strideW?: number;
  readonly dilH?: number;
  readonly dilW?: number;
  /** Channel groups (= channels for depthwise); must divide inC and outC. Default 1. */
  readonly groups?: number;
  /** Batch size N. Default 1. */
  readonly batch?: number;
}

/** A 2-D convolution with explicit heights and widths (ONNX and PyTorch give height first). */
export interface Conv2d extends ConvKernel {
  readonly outH: number;
  readonly outW: number;
}

/** Dimension indices of a convolution workload, in Timeloop's CNN_Layer order (C M R S N P Q), G last when grouped. */
const iC = 0, iM = 1, iR = 2, iS = 3, iN = 4, iP = 5, iQ = 6, iG = 7;

/** A projection term `coef · dims[dim]`. */
const t = (dim: number, coef = 1) => ({ dim, coef });

/**
 * What a convolution and a transposed one share: the groups checked, the
 * dimensions, the group rank, the weights, and the bounds with P and Q
 * running over `w` × `h` (the output, or a transposed conv's input).
 */
function convFrame(name: string, c: ConvKernel, w: number, h: number) {
  const G = c.groups ?? 1;
  if (!(G >= 1) || c.inC % G !== 0 || c.outC % G !== 0) throw new RangeError(`${name}: groups ${G} must divide ${c.inC} input and ${c.outC} output channels`);
  const grouped = G > 1;
  const g = grouped ? [[t(iG)]] : [];
  return {
    dims: grouped ? ['C', 'M', 'R', 'S', 'N', 'P', 'Q', 'G'] : ['C', 'M', 'R', 'S', 'N', 'P', 'Q'],
    g,
    weights: { name: 'Weights', role: 'weight', readWrite: false, ranks: [[t(iC)], [t(iM)], [t(iR)], [t(iS)], ...g] } satisfies DataSpace,
    bounds: [c.inC / G, c.outC / G, c.kW, c.kH, c.batch ?? 1, w, h, ...(grouped ? [G] : [])],
  };
}

/**
 * A convolution as a workload (see the module comment for the labels).
 * Throws a RangeError when groups do not divide the channels: front ends
 * check user input before they get here.
 */
export function conv2dWorkload(name: string, c: Conv2d): Workload {
  const { dims, g, weights, bounds } = convFrame(name, c, c.outW, c.outH);
  const dataSpaces: DataSpace[] = [
    weights,
    {
      name: 'Inputs', role: 'input', readWrite: false,
      ranks: [[t(iN)], [t(iC)], [t(iR, c.dilW ?? 1), t(iP, c.strideW ?? 1)], [t(iS, c.dilH ?? 1), t(iQ, c.strideH ?? 1)], ...g],
    },
    { name: 'Outputs', role: 'output', readWrite: true, ranks: [[t(iN)], [t(iM)], [t(iQ)], [t(iP)], ...g] },
  ];
  return { name, dims, bounds, dataSpaces };
}

/** A 2-D convolution in Timeloop's CNN_Layer terms (R, P: width; S, Q: height), batch `N`. */
export interface ConvShape {
  N?: number; C: number; M: number; P: number; Q: number; R: number; S: number;
  Wstride?: number; Hstride?: number; Wdilation?: number; Hdilation?: number;
}

/** A convolution given in Timeloop's CNN_Layer labels: the same workload as {@link conv2dWorkload}. */
export function convWorkload(name: string, s: ConvShape): Workload {
  return conv2dWorkload(name, {
    inC: s.C, outC: s.M, kW: s.R, kH: s.S, outW: s.P, outH: s.Q,
    strideW: s.Wstride, strideH: s.Hstride, dilW: s.Wdilation, dilH: s.Hdilation, batch: s.N,
  });
}

/** A fully connected layer: a 1×1 convolution on a 1×1 image. */
export function fcWorkload(name: string, inFeatures: number, outFeatures: number, batch = 1): Workload {
  return conv2dWorkload(name, { inC: inFeatures, outC: outFeatures, kH: 1, kW: 1, outH: 1, outW: 1, batch });
}

/** A transposed 2-D convolution (ONNX ConvTranspose) over an `inH` × `inW` input. */
export interface ConvTranspose2d extends ConvKernel {
  readonly inH: number;
  readonly inW: number;
}

/**
 * A transposed convolution as a workload: each input pixel is multiplied by
 * the whole kernel and scattered into the outputs, so P and Q run over the
 * input (width and height), Inputs are indexed by them directly and Outputs
 * by `P·stride + R·dilation` (the un-cropped output: padding crops it, as
 * padding is outside a conv workload). The same labels and dimension order
 * as {@link conv2dWorkload}; MACs = outC · inC/G · kH · kW · inH · inW.
 */
export function convTranspose2dWorkload(name: string, c: ConvTranspose2d): Workload {
  const { dims, g, weights, bounds } = convFrame(name, c, c.inW, c.inH);
  const dataSpaces: DataSpace[] = [
    weights,
    { name: 'Inputs', role: 'input', readWrite: false, ranks: [[t(iN)], [t(iC)], [t(iP)], [t(iQ)], ...g] },
    {
      name: 'Outputs', role: 'output', readWrite: true,
      ranks: [[t(iN)], [t(iM)], [t(iS, c.dilH ?? 1), t(iQ, c.strideH ?? 1)], [t(iR, c.dilW ?? 1), t(iP, c.strideW ?? 1)], ...g],
    },
  ];
  return { name, dims, bounds, dataSpaces };
}
