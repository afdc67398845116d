/**
 * Control flow: an `If` whose condition is constant (folded from shape
 * arithmetic) or given (`conditions` option) is replaced by the branch it
 * takes; its outputs are that branch's outputs.
 */
import type { OpEntry, OpNode } from '../context.js';

function ifOp(node: OpNode): void {
  const name = node.node.input[0];
  const c = node.value(0)?.[0] ?? node.state.options.conditions?.[name];
  if (c === undefined) node.fail('cond', `a constant condition, or one given for "${name}" (--if ${name}=then|else)`, 'a value known only at run time');
  const branch = node.attr(c ? 'then_branch' : 'else_branch')?.g;
  if (!branch) node.fail(c ? 'then_branch' : 'else_branch', 'a subgraph', 'none');
  node.state.runGraph(branch);
  if (branch.output.length !== node.node.output.length) node.fail(c ? 'then_branch' : 'else_branch', `${node.node.output.length} outputs`, String(branch.output.length));
  node.node.output.forEach((o, i) => { if (o) node.state.bind(o, branch.output[i].name); });
}

/** The control-flow family of the op table. */
export const CONTROL_OPS: Record<string, OpEntry> = { If: { infer: ifOp } };
