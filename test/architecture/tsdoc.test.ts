/** Every exported function, class, type and constant of model/, mapper/ and spec/ carries TSDoc. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const FOLDERS = ['model', 'mapper', 'spec'];

describe('TSDoc', () => {
  it(`on every export of ${FOLDERS.join('/, ')}/`, () => {
    const missing: string[] = [];
    for (const folder of FOLDERS) {
      for (const f of readdirSync(join(SRC, folder)).filter((n) => n.endsWith('.ts'))) {
        const lines = readFileSync(join(SRC, folder, f), 'utf8').split('\n');
        lines.forEach((line, i) => {
          const m = /^export (?:declare )?(?:async )?(?:abstract )?(function|class|interface|type|const|let|enum) (\w+)/.exec(line);
          if (!m) return;
          if (!/\*\/\s*$/.test(lines[i - 1] ?? '')) missing.push(`src/${folder}/${f}:${i + 1} ${m[2]}`);
        });
      }
    }
    expect(missing).toEqual([]);
  });
});
