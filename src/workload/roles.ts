/**
 * Which tensor is the weight, the input and the output, decided once where
 * a workload is read, so that nothing downstream depends on what a user
 * called a tensor (Timeloop lets users name them freely). The rule is
 * written down in docs/model.md ("Tensor roles").
 */
import type { TensorRole } from './workload.js';

/** Names (case-insensitive) that mark a read-only tensor as the weight. */
const WEIGHT_NAMES = /^(weights?|filters?|kernels?)$/i;
/** Names (case-insensitive) that mark a read-only tensor as the input. */
const INPUT_NAMES = /^(inputs?|ifmaps?|input_?activations?)$/i;

/** What a reader knows of a tensor when it decides its role. */
export interface RoleCandidate {
  readonly name: string;
  readonly readWrite: boolean;
  /** A role the input states explicitly (the native YAML's `role`); wins over the rule. */
  readonly role?: TensorRole;
}

/**
 * Roles of a workload's tensors, in order: an explicit role wins; a
 * read-write tensor is the output; a read-only tensor named like a weight
 * (Weights, Filter(s), Kernel(s)) or an input (Inputs, Ifmap(s)) takes that
 * role; every other read-only tensor, in order, becomes the weight if no
 * tensor is the weight yet and the input otherwise (Timeloop's CNN_Layer
 * lists Weights before Inputs; a matmul's A, B, Z reads as weight, input,
 * output).
 */
export function assignRoles(tensors: readonly RoleCandidate[]): TensorRole[] {
  const roles: (TensorRole | undefined)[] = tensors.map((t) =>
    t.role ?? (t.readWrite ? 'output' : WEIGHT_NAMES.test(t.name) ? 'weight' : INPUT_NAMES.test(t.name) ? 'input' : undefined));
  let haveWeight = roles.includes('weight');
  return roles.map((r) => {
    if (r !== undefined) return r;
    if (haveWeight) return 'input';
    haveWeight = true;
    return 'weight';
  });
}
