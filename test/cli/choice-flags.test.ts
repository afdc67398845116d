/**
 * The choice flags this round added: a value outside the choices is one
 * line naming the flag and what it takes, exit 2, before any work starts.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('choice flags', () => {
  const cases: [string[], RegExp][] = [
    [['model', 'examples/eyeriss_like_vgg_conv.yaml', '--partial-tiles', 'bogus'], /--partial-tiles: expected .*timeloop.*exact.*, found "?bogus"?/],
    [['map', 'examples/eyeriss_like_vgg_conv.yaml', '--partial-tiles', 'half'], /--partial-tiles: expected .*timeloop.*exact.*, found "?half"?/],
    [['analyze', 'examples/pruned-conv.onnx', '--arch', 'eyeriss', '--density-from', 'guess'], /--density-from: expected actual or average, found "?guess"?/],
    [['chips', '--network', 'alexnet', '--search', 'sparse'], /--search: expected both or dense, found "?sparse"?/],
    // --imperfect takes no value, and the sparse engine counts perfect factors only.
    [['analyze', 'alexnet', '--arch', 'eyeriss', '--imperfect=yes'], /unknown option '--imperfect=yes'/],
    [['analyze', 'alexnet', '--arch', 'eyeriss', '--density', 'Weights=0.5', '--imperfect'], /--imperfect: expected a dense network and no --density.*found --density/],
    [['analyze', 'examples/pruned-conv.onnx', '--arch', 'eyeriss', '--imperfect'], /--imperfect: expected a dense network.*found pruned weights/],
    // One exact budget: per shape or for the network.
    [['analyze', 'alexnet', '--arch', 'eyeriss', '--exact', '1', '--exact-budget', '10'], /--exact-budget: expected either --exact .* not both, found "?--exact 1"?/],
    // Commander's suggestion joins the error's line instead of a second one.
    [['dataflows', '--network', 'alexnet', '--imperfect=1'], /unknown option '--imperfect=1' \(Did you mean --imperfect\?\)/],
  ];
  for (const [args, msg] of cases) {
    it(`${args[0]} ${args.slice(-2).join(' ')}: one line, exit 2`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }, 60_000);
  }
});
