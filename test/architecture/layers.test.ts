/**
 * The import rules of docs/architecture.md: data flows one way, so a module
 * imports only from its own layer or the layers below it, and only the
 * Node edge (io/, cli/, train/) imports `node:` modules.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Layers, lowest first; a path's layer is its longest matching prefix. */
const LAYERS: readonly (readonly string[])[] = [
  ['util/', 'spec/errors.ts', 'spec/read.ts', 'spec/yaml.ts'],
  ['workload/', 'arch/', 'energy/'],
  ['mapping/'],
  ['model/'],
  ['sparse/', 'mapper/'],
  ['interop/', 'spec/'],
  ['io/'],
  ['designs/', 'network/', 'train/'],
  ['codesign/', 'studies/', 'report/', 'sweep/'],
  ['index.ts'],
  ['cli/'],
];
const NODE_EDGE = ['io/', 'cli/', 'train/'];

function layerOf(path: string): number {
  let best = -1, len = -1;
  LAYERS.forEach((prefixes, i) => {
    for (const p of prefixes) if (path.startsWith(p) && p.length > len) { best = i; len = p.length; }
  });
  if (best < 0) throw new Error(`src/${path} is in no layer of test/architecture/layers.test.ts (add its folder there and to docs/architecture.md)`);
  return best;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Every static and dynamic import specifier of a file. */
function imports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

describe('import rules', () => {
  const files = sources(SRC).map((f) => ({ path: relative(SRC, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));

  it('no import runs up a layer', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f.path);
      for (const spec of imports(f.text)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, resolve(SRC, dirname(f.path), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
        if (layerOf(target) > from) bad.push(`src/${f.path} imports src/${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only io/, cli/ and train/ import node: modules', () => {
    const bad = files
      .filter((f) => !NODE_EDGE.some((p) => f.path.startsWith(p)))
      .flatMap((f) => imports(f.text).filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'child_process', 'url'].includes(s)).map((s) => `src/${f.path} imports ${s}`));
    expect(bad).toEqual([]);
  });
});
