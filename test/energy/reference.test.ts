/**
 * The Accelergy reference cases: ERT and ART estimated from each case's
 * component specs, compared per action with the reference Accelergy output.
 * An action matches when our figure, printed as Accelergy prints it (3
 * decimals), is within 1% of the reference; the rest must each be explained
 * by a missing plug-in figure (CACTI, DRAM, a class no table covers).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accelergyClasses, accelergyComponents } from '../../src/energy/accelergy.js';
import { estimateComponent, type CompoundClass } from '../../src/energy/estimate.js';
import { parseYamlText } from '../../src/spec/yaml.js';

const ROOT = '../shared/reference/timeloop/cases';
// The 2019 cases were made by the 2019 Aladdin tables and Accelergy 0.2 (other CSVs; e.g. a
// 16-bit intmac at 40nm is 1.207 pJ there, 2.200 in every later plug-in): not reproduced, see
// docs/energy.md. The v3 and v4 cases were made by the plug-in transcribed in src/energy.
const cases = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => /^v[34]-accelergy-/.test(d)) : [];

/**
 * Reference figures that are not missing in our tables and still differ,
 * each with why. Anything else that differs fails the test.
 */
const KNOWN: readonly [RegExp, string][] = [
  // 12 + 168 comparators of 4 bits idle: 180 × 0.0001211 × 4/32 = 0.0027 pJ by the
  // Aladdin table; the reference prints 0.0036 and no table row gives it.
  [/NoC idle$/, 'XY_NoC idle: reference 0.0036 pJ is not reproduced by the Aladdin comparator rows (0.0027)'],
  // Accelergy of 2020 had no DRAM area: the dummy table's placeholder 1 um² (CACTI's table says 0).
  [/^system_arch\.DRAM area$/, 'DRAM area: reference is the dummy table placeholder (1)'],
];

interface Tally { match: number; miss: number; explained: number; notes: string[] }

function within(ours: number, ref: number): boolean {
  const r = Math.round(ours * 1000) / 1000;
  return Math.abs(r - ref) <= Math.max(0.01 * Math.abs(ref), 0.0005 + 1e-12);
}

const key = (name: string, args: unknown): string => `${name}|${args ? JSON.stringify(Object.entries(args as object).sort()) : ''}`;

interface RefTable { name: string; actions: { name: string; arguments: unknown; energy: number }[] }

/** The reference ERT's tables: a list (v0.3+) or a map name → action → entry or entries (2019). */
function refTables(doc: unknown): RefTable[] {
  const tables = (doc as { ERT: { tables: unknown } }).ERT.tables;
  if (Array.isArray(tables)) return tables as RefTable[];
  return Object.entries(tables as Record<string, Record<string, unknown>>).map(([name, acts]) => ({
    name,
    actions: Object.entries(acts).flatMap(([an, v]) =>
      (Array.isArray(v) ? v : [v]).map((x: { arguments: unknown; energy: number }) => ({ name: an, arguments: x.arguments, energy: x.energy }))),
  }));
}

function runCase(dir: string): { ert: Tally; art: Tally } | undefined {
  const flat = join(dir, 'ref/flattened_architecture.yaml');
  const ertFile = join(dir, 'ref/ERT.yaml');
  if (!existsSync(flat) || !existsSync(ertFile)) return undefined;
  const compDir = join(dir, 'inputs/input/components');
  const classes = new Map<string, CompoundClass>();
  const sources = [
    ...(existsSync(compDir) ? readdirSync(compDir).map((f) => join(compDir, f)) : []),
    join(dir, 'inputs/input/compound_components.yaml'),
  ].filter(existsSync);
  for (const f of sources) for (const c of accelergyClasses(parseYamlText(readFileSync(f, 'utf8'), f), f)) classes.set(c.name, c);
  const comps = accelergyComponents(parseYamlText(readFileSync(flat, 'utf8'), flat), flat);
  const est = new Map(comps.map((c) => [c.name, estimateComponent(c, classes)]));
  const ert: Tally = { match: 0, miss: 0, explained: 0, notes: [] };
  for (const t of refTables(parseYamlText(readFileSync(ertFile, 'utf8'), ertFile))) {
    const e = est.get(t.name);
    const ours = new Map(e?.actions.map((a) => [key(a.action, a.arguments), a.energy]));
    for (const a of t.actions) {
      const o = ours.get(key(a.name, a.arguments));
      if (o !== undefined && o !== null && within(o, a.energy)) { ert.match++; continue; }
      ert.miss++;
      if (((o === null || o === undefined) && e && e.missing.length > 0) || KNOWN.some(([re]) => re.test(`${t.name} ${a.name}`))) ert.explained++;
      ert.notes.push(`${t.name} ${a.name} ${JSON.stringify(a.arguments)}: ref ${a.energy}, ours ${o === null || o === undefined ? `none (${e?.missing.join('; ') ?? 'not estimated'})` : o.toFixed(4)}`);
    }
  }
  const art: Tally = { match: 0, miss: 0, explained: 0, notes: [] };
  const artFile = join(dir, 'ref/ART.yaml');
  if (existsSync(artFile)) {
    const refArt = parseYamlText(readFileSync(artFile, 'utf8'), artFile) as { ART: { tables: { name: string; area: number }[] } };
    for (const t of refArt.ART.tables) {
      const e = est.get(t.name);
      const o = e?.area;
      if (o !== undefined && o !== null && within(o, t.area)) { art.match++; continue; }
      art.miss++;
      if (((o === null || o === undefined) && e && e.missing.length > 0) || KNOWN.some(([re]) => re.test(`${t.name} area`))) art.explained++;
      art.notes.push(`${t.name} area: ref ${t.area}, ours ${o === null || o === undefined ? `none (${e?.missing.join('; ') ?? 'not estimated'})` : o.toFixed(3)}`);
    }
  }
  return { ert, art };
}

describe.skipIf(cases.length === 0)('Accelergy reference cases: ERT/ART from component specs', () => {
  for (const c of cases) {
    it(c, () => {
      const r = runCase(join(ROOT, c));
      if (!r) return;
      if (process.env.DNNERGY_ACCELERGY_REPORT) {
        console.log(`${c}: ERT ${r.ert.match}/${r.ert.match + r.ert.miss} within 1%, ART ${r.art.match}/${r.art.match + r.art.miss}\n  ${[...r.ert.notes, ...r.art.notes].join('\n  ')}`);
      }
      // Every action not within 1% must be one whose figure is missing (and said why), never a wrong number.
      expect(r.ert.miss).toBe(r.ert.explained);
      expect(r.art.miss).toBe(r.art.explained);
    });
  }
});
