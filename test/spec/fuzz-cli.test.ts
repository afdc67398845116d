/**
 * Fuzzing the command line, the output targets and prune's model
 * directories (issue 14). Every attempt holds the contract: exit 0 with sane
 * output, or exit 2 with exactly one line (warnings aside) naming the user's
 * input; never a stack trace; never a temporary or half-written output
 * left behind. Runs in-process; the attempts are counted and printed.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkBuilder, layerMacs } from '../../src/network/network.js';
import { exportSequentialOnnx } from '../../src/network/onnx/export.js';
import { SpecError } from '../../src/spec/errors.js';
import { initTf } from '../../src/train/backend.js';
import { loadPrunable } from '../../src/train/network.js';
import { runCli } from '../helpers/cli.js';
import { mutate } from '../helpers/mutate.js';
import { rng } from '../helpers/random.js';

const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-fuzzcli-'));
const EXAMPLE = join(__dirname, '../../examples/eyeriss_like_vgg_conv.yaml');
const attempts: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(attempts).reduce((a, b) => a + b, 0);
  process.stdout.write(`fuzz (CLI flags, output targets, prune dirs): ${JSON.stringify(attempts)}, ${total} attempts, 0 violations\n`);
});

/** Every file under `d`, relative, recursively. */
function listing(d: string): string[] {
  const out: string[] = [];
  const walk = (p: string, rel: string) => {
    for (const f of readdirSync(p)) {
      const st = statSync(join(p, f), { throwIfNoEntry: false });
      out.push(rel + f);
      if (st?.isDirectory()) walk(join(p, f), rel + f + '/');
    }
  };
  walk(d, '');
  return out.sort();
}

/** The contract for one run; returns whether it succeeded. `names` are strings of which the error line must contain one. */
function contract(r: { code: number; stdout: string; stderr: string }, context: string, names: string[]): boolean {
  const ctx = `${context}\n${r.stderr}`;
  expect(r.stderr, ctx).not.toMatch(/internal error|\n\s+at /);
  expect([0, 2], ctx).toContain(r.code);
  const lines = r.stderr.trim().split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
  if (r.code === 0) {
    expect(lines, ctx).toEqual([]);
    if (r.stdout.trim().startsWith('{')) expect(() => JSON.parse(r.stdout), ctx).not.toThrow();
    return true;
  }
  expect(lines, ctx).toHaveLength(1);
  expect(lines[0], ctx).toMatch(/^dnnergy: .+: expected /);
  expect(names.some((n) => lines[0].includes(n)), ctx).toBe(true);
  return false;
}

const small = join(tmp, 'small.yaml');
const mlp = join(tmp, 'mlp.onnx');
{
  const t = readFileSync(EXAMPLE, 'utf8');
  writeFileSync(small, t.slice(0, t.indexOf('\nmapping:')).replace(/conv: \{[^}]*\}/, 'conv: { N: 1, C: 4, M: 4, P: 4, Q: 4, R: 3, S: 3 }') + '\n');
  writeFileSync(mlp, exportSequentialOnnx(new NetworkBuilder('mlp', [1, 8, 8]).fc('fc1', 16).fc('fc2', 10).build()));
  writeFileSync(join(tmp, 'empty.yaml'), '');
}

// Values no flag of train or prune accepts: those commands run for minutes when a value is accepted.
const ALWAYS_BAD = ['-1', 'x', '', 'NaN', 'Infinity', '-Infinity', '1e400', '1,2', '0x', '-5.5', '9007199254740993'];
// For the quick commands, edge values that some flags accept too.
const NUMBERS = [...ALWAYS_BAD, '0', '1', ' 7', '1e-9', '3.0', '1e3', '0.5', '-0'];
const FILES = ['nowhere.yaml', tmp, '/dev/zero', join(tmp, 'empty.yaml')];
const WORDS = ['x', '', 'EDP', 'energy,delay', 'v5', 'V4', '--json'];

type FlagSet = Record<string, string[]>;
const COMMANDS: { cmd: string; base: string[]; flags: FlagSet }[] = [
  { cmd: 'model', base: [EXAMPLE, '--json'], flags: { '--ert': FILES, '--convention': WORDS } },
  {
    cmd: 'map', base: [small, '--evaluations', '200', '--json'],
    flags: { '--ert': FILES, '--objective': WORDS, '--seed': NUMBERS, '--threads': NUMBERS, '--evaluations': NUMBERS, '--time-limit': NUMBERS, '--convention': WORDS },
  },
  {
    cmd: 'analyze', base: [mlp, '--arch', 'eyeriss', '--evaluations', '50', '--json'],
    flags: {
      '--input-shape': ['3x', '0x0x0', 'x', '1x8x8', '1x8', '99999999x1x1'], '--arch': ['x', '', 'eyeriss,', 'nowhere.yaml', EXAMPLE], '--ert': FILES, '--clock': NUMBERS,
      '--batch': NUMBERS, '--objective': WORDS, '--evaluations': NUMBERS, '--seed': NUMBERS, '--threads': NUMBERS,
    },
  },
  {
    cmd: 'dataflows', base: ['--network', 'alexnet', '--only', 'RS', '--evaluations', '300', '--batch', '1', '--json'],
    flags: { '--network': ['x', '', 'AlexNet'], '--batch': ALWAYS_BAD, '--objective': WORDS, '--evaluations': ALWAYS_BAD, '--seed': ALWAYS_BAD, '--threads': ALWAYS_BAD, '--only': ['x', '', 'RS,x', 'rs,ws', ','] },
  },
  {
    cmd: 'train', base: ['--model', 'lenet5', '--out', join(tmp, 'train-out')],
    flags: { '--model': ['x', '', 'LENET5'], '--epochs': ALWAYS_BAD, '--subset': ALWAYS_BAD, '--batch': ALWAYS_BAD, '--lr': ALWAYS_BAD, '--seed': ALWAYS_BAD },
  },
  {
    cmd: 'prune', base: ['--model', 'lenet5'],
    flags: {
      '--model': ['x', '', tmp], '--method': ['x', '', 'Magnitude'], '--arch': ['x', '', 'nowhere.yaml'], '--max-accuracy-drop': ALWAYS_BAD, '--margin': ALWAYS_BAD,
      '--seed': ALWAYS_BAD, '--step-images': ALWAYS_BAD, '--final-images': ALWAYS_BAD, '--validation-images': ALWAYS_BAD, '--lr': ALWAYS_BAD,
      '--activation-l1': ALWAYS_BAD, '--first-step': ALWAYS_BAD, '--min-step': ALWAYS_BAD, '--evaluations': ALWAYS_BAD,
    },
  },
];

/** `base` with `flag` set to `value` (replacing the base's own value of it). */
function withFlag(base: string[], flag: string, value: string): string[] {
  const i = base.indexOf(flag);
  if (i < 0) return [...base, flag, value];
  const out = [...base];
  out[i + 1] = value;
  return out;
}

describe('fuzzed command-line flags', () => {
  for (const { cmd, base, flags } of COMMANDS) {
    it(`${cmd}: every flag × bad values`, async () => {
      let n = 0;
      for (const [flag, values] of Object.entries(flags)) {
        for (const v of values) {
          const args = [cmd, ...withFlag(base, flag, v)];
          const ok = contract(await runCli(args), args.join(' '), [flag, v || '""', 'nowhere', tmp]);
          // Train and prune are given only values they must refuse (an accepted one would run for minutes).
          if (cmd === 'train' || cmd === 'prune') expect(ok, args.join(' ')).toBe(false);
          n++;
        }
      }
      attempts[`flags.${cmd}`] = n;
      expect(n).toBeGreaterThan(10);
    }, 120_000);
  }
});

/** Output targets, made fresh in `d`: [name, path, whether it can be written]. */
function targets(d: string, kind: 'file' | 'dir'): [string, string, boolean][] {
  mkdirSync(join(d, 'adir'));
  writeFileSync(join(d, 'afile'), 'x');
  execFileSync('mkfifo', [join(d, 'fifo')]);
  symlinkSync(join(d, 'afile'), join(d, 'link'));
  symlinkSync(join(d, 'gone'), join(d, 'dangling'));
  mkdirSync(join(d, 'withdir', 'model.json'), { recursive: true });
  const common: [string, string, boolean][] = [
    ['under a file', join(d, 'afile', 'x'), false], ['/proc', '/proc/dnnergy-fuzz', false], ['empty', '', false], ['fifo', join(d, 'fifo'), false],
    ['device', '/dev/null', false], ['long name', join(d, 'n'.repeat(250)), false], ['new nested', join(d, 'new', 'deeper', 'out'), true],
  ];
  if (kind === 'dir') return [...common, ['a file', join(d, 'afile'), false], ['model.json a directory', join(d, 'withdir'), false], ['existing dir', join(d, 'adir'), true]];
  return [...common, ['a directory', join(d, 'adir'), false], ['existing file', join(d, 'afile'), true], ['symlink', join(d, 'link'), true], ['dangling symlink', join(d, 'dangling'), true]];
}

describe('fuzzed output targets', () => {
  const FILE_CMDS: { name: string; args: (t: string) => string[] }[] = [
    { name: 'model --out', args: (t) => ['model', EXAMPLE, '--json', '--out', t] },
    { name: 'map --out', args: (t) => ['map', small, '--evaluations', '100', '--json', '--out', t] },
    { name: 'analyze --out', args: (t) => ['analyze', mlp, '--arch', 'eyeriss', '--evaluations', '30', '--json', '--out', t] },
    { name: 'analyze --html', args: (t) => ['analyze', mlp, '--arch', 'eyeriss', '--evaluations', '30', '--json', '--html', t] },
    { name: 'dataflows --out', args: (t) => ['dataflows', '--only', 'RS', '--evaluations', '300', '--batch', '1', '--json', '--out', t] },
    { name: 'dataflows --html', args: (t) => ['dataflows', '--only', 'RS', '--evaluations', '300', '--batch', '1', '--json', '--html', t] },
  ];
  let k = 0;
  const fresh = () => { const d = join(tmp, `t${k++}`); mkdirSync(d); return d; };

  it('every file-writing flag × every kind of target', async () => {
    let n = 0;
    for (const c of FILE_CMDS) {
      const count = targets(fresh(), 'file').length;
      for (let i = 0; i < count; i++) {
        const d = fresh();
        const [what, t, good] = targets(d, 'file')[i];
        const before = listing(d);
        const r = await runCli(c.args(t));
        const ok = contract(r, `${c.name} ${what}: ${t}`, [t || '--', '--out', '--html']);
        expect(ok, `${c.name} ${what}\n${r.stderr}`).toBe(good);
        const after = listing(d);
        expect(after.filter((f) => /\.tmp$|dnnergy-probe/.test(f)), `${c.name} ${what}`).toEqual([]);
        if (!ok) expect(after, `${c.name} ${what}`).toEqual(before);
        n++;
      }
    }
    attempts['targets.file'] = n;
  }, 120_000);

  it('analyze --out × --html: both written or neither', async () => {
    let n = 0;
    const count = targets(fresh(), 'file').length;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        const d = fresh();
        const all = targets(d, 'file');
        const [wa, ta, ga] = all[i];
        const [wb, tb, gb] = all[j];
        const before = listing(d);
        const r = await runCli(['analyze', mlp, '--arch', 'eyeriss', '--evaluations', '20', '--json', '--out', ta, '--html', tb]);
        const ok = contract(r, `--out ${wa} --html ${wb}`, [ta || '--', tb || '--', '--out', '--html']);
        expect(ok, `--out ${wa} --html ${wb}\n${r.stderr}`).toBe(ga && gb && i !== j);
        const after = listing(d);
        expect(after.filter((f) => /\.tmp$|dnnergy-probe/.test(f))).toEqual([]);
        if (!ok) expect(after, `--out ${wa} --html ${wb}`).toEqual(before);
        n++;
      }
    }
    attempts['targets.pairs'] = n;
  }, 120_000);

  it('train and prune --out folders that cannot be written: refused before the run, nothing left', async () => {
    let n = 0;
    for (const cmd of [['train', '--model', 'lenet5'], ['prune', '--model', 'lenet5']]) {
      const count = targets(fresh(), 'dir').length;
      for (let i = 0; i < count; i++) {
        const d = fresh();
        const [what, t, good] = targets(d, 'dir')[i];
        if (good) continue; // an accepted folder would start minutes of training
        const before = listing(d);
        const r = await runCli([...cmd, '--out', t]);
        expect(contract(r, `${cmd[0]} --out ${what}`, [t || '--', '--out'])).toBe(false);
        expect(listing(d), `${cmd[0]} --out ${what}`).toEqual(before);
        n++;
      }
    }
    attempts['targets.dir'] = n;
  }, 60_000);
});

describe('fuzzed prune model directories', () => {
  it('mutated model.json and weights.bin: a prunable network, or one SpecError naming the folder', async () => {
    const tf = await initTf();
    const r = rng(14);
    let n = 0, ok = 0;
    for (const model of ['lenet5', 'cnn']) {
      const src = join(__dirname, '../../models', model);
      const json = JSON.parse(readFileSync(join(src, 'model.json'), 'utf8'));
      const weights = readFileSync(join(src, 'weights.bin'));
      for (let i = 0; i < 400; i++) {
        const d = join(tmp, `pd-${model}-${i}`);
        cpSync(src, d, { recursive: true });
        if (i % 8 === 7) {
          // The weights file cut or grown by a random amount.
          const len = Math.floor(r() * weights.length * 2);
          writeFileSync(join(d, 'weights.bin'), len < weights.length ? weights.subarray(0, len) : Buffer.concat([weights, Buffer.alloc(len - weights.length + 1)]));
        } else writeFileSync(join(d, 'model.json'), JSON.stringify(mutate(json, r)));
        try {
          const { net } = await loadPrunable(tf, d);
          for (const l of net.layers) if (l.kind !== 'other') expect(Number.isSafeInteger(layerMacs(l)) && layerMacs(l) > 0, `${d}: ${l.name}`).toBe(true);
          ok++;
        } catch (e) {
          expect(e, `${d}: ${(e as Error).stack}`).toBeInstanceOf(SpecError);
          const msg = (e as Error).message;
          expect(msg.split('\n'), msg).toHaveLength(1);
          expect(msg, msg).toContain(d);
        }
        n++;
      }
    }
    attempts['prune-dirs'] = n;
    process.stdout.write(`prune dirs: ${ok} of ${n} mutations still prunable\n`);
    expect(n).toBe(800);
  }, 120_000);
});
