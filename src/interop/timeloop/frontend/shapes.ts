/** Timeloop's built-in problem shapes, for `problem: {shape: cnn_layer}` (Timeloop's `problem-shapes/cnn-layer.yaml`). */

/** The CNN_Layer shape: 7 dimensions, strides and dilations as coefficients. */
export const CNN_LAYER = {
  name: 'CNN_Layer',
  dimensions: ['C', 'M', 'R', 'S', 'N', 'P', 'Q'],
  coefficients: [
    { name: 'Wstride', default: 1 },
    { name: 'Hstride', default: 1 },
    { name: 'Wdilation', default: 1 },
    { name: 'Hdilation', default: 1 },
  ],
  data_spaces: [
    { name: 'Weights', projection: [[['C']], [['M']], [['R']], [['S']]] },
    { name: 'Inputs', projection: [[['N']], [['C']], [['R', 'Wdilation'], ['P', 'Wstride']], [['S', 'Hdilation'], ['Q', 'Hstride']]] },
    { name: 'Outputs', projection: [[['N']], [['M']], [['Q']], [['P']]], read_write: true },
  ],
} as const;

/** A named shape (`cnn_layer`, `cnn-layer`, `CNN_Layer`), or undefined. */
export function namedShape(name: string): unknown {
  return /^cnn[-_]?layer(\.yaml)?$/i.test(name.trim()) ? structuredClone(CNN_LAYER) : undefined;
}

/** The names {@link namedShape} knows, for error messages. */
export const SHAPE_NAMES = ['cnn_layer'];
