/** Issue 14's prune/train model directories: each bad one is one line naming the file and field, exit 2, before any run. */
import { cpSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputSet } from '../../src/io/files.js';
import { initTf } from '../../src/train/backend.js';
import { saveModel } from '../../src/train/io.js';
import { runCli } from '../helpers/cli.js';

const LENET = join(__dirname, '../../models/lenet5');
const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-prunein-'));

function copyLenet(name: string, edit?: (json: Record<string, unknown>) => unknown): string {
  const d = join(tmp, name);
  cpSync(LENET, d, { recursive: true });
  if (edit) writeFileSync(join(d, 'model.json'), JSON.stringify(edit(JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')))));
  return d;
}

async function expectRefused(dir: string, msg: RegExp): Promise<void> {
  const r = await runCli(['prune', '--model', dir, '--evaluations', '10']);
  expect(r.stderr, r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(msg);
}

describe('prune --model directories', () => {
  it('model.json of null, a malformed weightsManifest: one line naming the field', async () => {
    await expectRefused(copyLenet('null', () => null), /null\/model\.json: expected a tfjs model\.json \(a JSON object\), found null/);
    await expectRefused(copyLenet('nomanifest', (j) => ({ ...j, weightsManifest: {} })), /model\.json: weightsManifest: expected a list of weight groups/);
    await expectRefused(copyLenet('badpaths', (j) => ({ ...j, weightsManifest: [{ paths: 'weights.bin', weights: [] }] })), /model\.json: weightsManifest\[0\]\.paths: expected a list of weight file names/);
    await expectRefused(copyLenet('badshape', (j) => {
      const m = j.weightsManifest as { weights: { shape: unknown }[] }[];
      m[0].weights[0].shape = [5, -5];
      return j;
    }), /model\.json: weightsManifest\[0\]\.weights\[0\]\.shape: expected a list of whole numbers ≥ 0/);
  }, 60_000);

  it('weights.bin too short or too long: the expected and found sizes', async () => {
    const short = copyLenet('short');
    truncateSync(join(short, 'weights.bin'), 1000);
    await expectRefused(short, /short\/weights\.bin: expected \d+ bytes .*found 1000 bytes/);
    const long = copyLenet('long');
    const w = readFileSync(join(long, 'weights.bin'));
    writeFileSync(join(long, 'weights.bin'), Buffer.concat([w, w]));
    await expectRefused(long, new RegExp(`long/weights\\.bin: expected ${w.length} bytes .*found ${2 * w.length} bytes`));
  }, 60_000);

  it("a dilated Conv2D, and 'same' padding with an even kernel, are refused before the run", async () => {
    const tf = await initTf();
    const build = (layer: ReturnType<typeof tf.layers.conv2d>) =>
      tf.sequential({ layers: [layer, tf.layers.flatten(), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const dilated = build(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, dilationRate: 2, name: 'dil' }));
    const even = build(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 2, padding: 'same', name: 'even' }));
    await OutputSet.run(async (out) => {
      await saveModel(tf, dilated, join(tmp, 'dilated'), out);
      await saveModel(tf, even, join(tmp, 'even'), out);
    });
    await expectRefused(join(tmp, 'dilated'), /dilated\/model\.json: dil\.dilation_rate: expected dilation 1/);
    await expectRefused(join(tmp, 'even'), /even\/model\.json: even\.padding: expected 'valid', or 'same' with an odd kernel.*found 'same' with kernel 2×2/);
  }, 60_000);
});
