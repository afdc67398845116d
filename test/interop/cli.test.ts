/** `dnnergy model` on raw published Timeloop inputs: templates with --jinja, the detected convention said. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR, referenceAvailable } from '../helpers/reference.js';

const C = join(REFERENCE_DIR, 'cases');

describe.runIf(referenceAvailable())('model on raw Timeloop inputs', () => {
  it('a top.yaml.jinja2 with its template data; an undefined template variable is one line', async () => {
    const d = join(C, 'v4-ex-eyeriss_like');
    const args = ['model', join(d, 'inputs/up/top.yaml.jinja2'), join(d, 'ref/timeloop-mapper.map.yaml'), '--ert', join(d, 'ref/timeloop-mapper.ERT.yaml'), '--json'];
    const ok = await runCli([...args, '--jinja', 'architecture=..']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).cycles).toBe(86016);
    const bad = await runCli(args);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/top\.yaml\.jinja2: line \d+: expected a value for the template variable "architecture"/);
  });
  it('a v0.2 input is counted with its convention, and says so; --convention overrides', async () => {
    const d = join(C, '2019-tl-01-conv1d-2level-os');
    const files = ['inputs/arch/2level.arch.yaml', 'inputs/map/conv1d-2level-os.map.yaml', 'inputs/prob/conv1d.prob.yaml'].map((f) => join(d, f));
    const r = await runCli(['model', ...files, '--ert', join(d, 'ref/ERT.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: Timeloop v0\.2 input .*counted with the v3 convention/);
    const v4 = await runCli(['model', ...files, '--ert', join(d, 'ref/ERT.yaml'), '--convention', 'v4']);
    expect(v4.stderr).toMatch(/counted with --convention v4/);
  });
});
