/**
 * Recurrent layers: LSTM (4 gates), GRU (3), RNN (1). Each step multiplies
 * the input and the previous hidden state by the gates' weights, so a layer
 * is one matrix product per direction: rows = sequence length, inner =
 * input + hidden size (x·Wᵀ and h·Rᵀ side by side), cols = gates × hidden.
 * Element-wise gate arithmetic is not counted (as for any activation).
 */
import { prod, type OpEntry, type OpNode } from '../context.js';

function recurrent(gates: number) {
  return (node: OpNode): void => {
    const x = node.shapeOfRank(0, [3], 'X'), w = node.shapeOfRank(1, [3], 'W'), r = node.shapeOfRank(2, [3], 'R');
    const layout = node.intIn('layout', 0, 0, 1);
    const [seq, batch, input] = layout ? [x[1], x[0], x[2]] : x;
    const dir = node.str('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(dir)) node.fail('direction', 'forward, reverse or bidirectional', dir);
    const dirs = dir === 'bidirectional' ? 2 : 1;
    const hidden = node.intIn('hidden_size', w[1] / gates, 1);
    if (w[0] !== dirs || w[1] !== gates * hidden || w[2] !== input) node.fail('W', `[${dirs}, ${gates * hidden}, ${input}] (directions, ${gates} gates × hidden ${hidden}, input size)`, `[${w.join(', ')}]`);
    if (r[0] !== dirs || r[1] !== gates * hidden || r[2] !== hidden) node.fail('R', `[${dirs}, ${gates * hidden}, ${hidden}]`, `[${r.join(', ')}]`);
    const y = layout ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
    const state = layout ? [batch, dirs, hidden] : [dirs, batch, hidden];
    const outs = [y, state, state];
    let main = -1;
    outs.forEach((s, i) => {
      if (!node.node.output[i]) return;
      node.out(s, i);
      if (main < 0) {
        main = i;
        node.emit({ kind: 'matmul', name: node.layerName(), groups: dirs, rows: seq, inner: input + hidden, cols: gates * hidden, activationOperand: false, ...node.density(1) }, i);
      } else node.other(`${node.op.toLowerCase()} state`, prod(s), prod(s), {}, i);
    });
  };
}

/** The recurrent family of the op table. */
export const RECURRENT_OPS: Record<string, OpEntry> = {
  LSTM: { infer: recurrent(4), macs: true },
  GRU: { infer: recurrent(3), macs: true },
  RNN: { infer: recurrent(1), macs: true },
};
