/**
 * The timeloopfe-like front end on small inputs written here: expressions,
 * Jinja2, includes, merge keys, tagged nodes, version detection, warnings,
 * duplicate sections, named shapes, legacy keys, bounds and rest factors,
 * and the attribute checks of issue 14 (each one line naming file and field).
 */
import { describe, expect, it } from 'vitest';
import { evaluate as evalExpr, ExprError, scopeOf } from '../../src/util/expr.js';
import { renderTemplate } from '../../src/interop/timeloop/frontend/jinja.js';
import { constraintsFrom, constraintWarnings } from '../../src/interop/timeloop/constraints.js';
import { chooseConvention, documentsFromFiles, documentsFromText, loadModelInputs, textHost } from '../../src/spec/load.js';
import { SpecError } from '../../src/spec/errors.js';

const PROBLEM = `problem:
  version: 0.4
  shape:
    name: mm
    dimensions: [M, K, N]
    data_spaces:
      - {name: A, projection: [[[M]], [[K]]]}
      - {name: B, projection: [[[K]], [[N]]]}
      - {name: Z, projection: [[[M]], [[N]]], read_write: true}
  instance: {M: 8, K: 4, N: 16}
`;

const ARCH = `variables:
  version: 0.4
  WORD: 8
architecture:
  version: 0.4
  nodes:
  - !Container
    name: system
    attributes: {technology: "45nm"}
  - !Component
    name: DRAM
    class: DRAM
    attributes: {width: WORD * 8, datawidth: WORD}
  - !Component
    name: buf
    class: SRAM
    attributes:
      depth: 2 ** 6
      width: max(WORD, 16)
      datawidth: WORD
  - !Container
    name: PE
    spatial: {meshX: 4}
    constraints: {spatial: {factors: [K=1]}}
  - !Parallel
    nodes:
    - !Component {name: wreg, class: regfile, attributes: {depth: log2(16), width: datawidth, datawidth: WORD}, constraints: {dataspace: {keep: [B]}}}
    - !Component {name: oreg, class: regfile, attributes: {depth: 4, width: 8, datawidth: 8}, constraints: {dataspace: {keep: [Z]}}}
    - !Nothing {}
  - !Component {name: mac, class: intmac, attributes: {width: 8}}
`;

function load(files: Record<string, string>, jinja: Record<string, unknown> = {}) {
  return loadModelInputs(documentsFromText(Object.entries(files).map(([name, text]) => ({ name, text })), jinja));
}

/** Only `roots` are inputs; the other files are there to be included. */
function loadRoots(files: Record<string, string>, roots: string[]) {
  return loadModelInputs(documentsFromFiles(roots, textHost(Object.entries(files).map(([name, text]) => ({ name, text })))));
}

function errorOf(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof SpecError) return e.message; throw e; }
  throw new Error('no error');
}

describe('expressions', () => {
  const s = scopeOf({ a: 3, b: 4, spec: { problem: { instance: { M: 1, N: 2 } } } });
  it('arithmetic, names, functions', () => {
    expect(evalExpr('a * b + 1', s)).toBe(13);
    expect(evalExpr('max(a, b) // 3', s)).toBe(1);
    expect(evalExpr('ceil(log2(a * b))', s)).toBe(4);
    expect(evalExpr('2 ** -1 + floor(7 / 2) - 7 % 4', s)).toBe(0.5);
    expect(evalExpr('len(spec.problem.instance)', s)).toBe(2);
    expect(evalExpr('1e-9 * 2', s)).toBe(2e-9);
  });
  it('nothing outside the subset runs', () => {
    expect(() => evalExpr('process.exit(1)', s)).toThrow(ExprError);
    expect(() => evalExpr('constructor', s)).toThrow(/undefined name "constructor"/);
    expect(() => evalExpr('eval("1")', s)).toThrow(/function "eval"/);
    expect(() => evalExpr('a / 0', s)).toThrow(/division by zero/);
  });
});

describe('Jinja2 subset', () => {
  it('set, if/elif/else, default, ~, for, comments, whitespace control', () => {
    const t = `{# c #}{% set x = y | default(2) %}{% if x > 3 %}big{% elif x == 2 %}two{% else %}small{% endif %}-{{ 'a' ~ x }}{% for i in [1, 2] -%} {{i}}{%- endfor %}`;
    expect(renderTemplate(t, {}, {})).toBe('two-a212');
    expect(renderTemplate(t, { y: 5 }, {})).toBe('big-a512');
  });
  it('an unsupported statement or an undefined name is one line', () => {
    expect(() => renderTemplate('{% macro m() %}{% endmacro %}', {}, {})).toThrow(/supported subset.*macro/);
    expect(() => renderTemplate('x: {{ nope }}', {}, {})).toThrow(/a value for the template variable "nope"/);
  });
  it('a layer file with include_text and the <<< merge key reads', () => {
    const base = `problem_base_ignore: &base\n  version: 0.4\n  shape:\n    name: mm\n    dimensions: [M, K, N]\n    data_spaces:\n      - {name: A, projection: [[[M]], [[K]]]}\n      - {name: B, projection: [[[K]], [[N]]]}\n      - {name: Z, projection: [[[M]], [[N]]], read_write: true}\n  instance: {M: 1, K: 1, N: 1}\n`;
    const layer = `{{include_text('../problem_base.yaml')}}\nproblem:\n  <<<: *base\n  instance: {M: 8, N: 16}\n`;
    const inp = loadRoots({ 'd/arch.yaml': ARCH, 'shapes/problem_base.yaml': base, 'shapes/layers/l0.yaml': layer }, ['d/arch.yaml', 'shapes/layers/l0.yaml']);
    expect(inp.workload.bounds).toEqual([8, 1, 16]);
  });
  it('a top template includes sections from other files (include, include_all, add_to_path, path_exists)', () => {
    const top = `{{add_to_path(cwd() ~ '/in')}}\n{% if path_exists('in/extra.yaml') %}bad: 1{% endif %}\narchitecture: {{include('arch.yaml', 'architecture')}}\nvariables: {{include('arch.yaml', 'variables')}}\nproblem: {{include(problem | default('p.yaml'), 'problem')}}\ncomponents: {classes: {{include_all('in/c*.yaml', 'classes')}}}\n`;
    const inp = loadRoots({ 'top.yaml.jinja2': top, 'in/arch.yaml': ARCH, 'in/p.yaml': PROBLEM, 'in/c1.yaml': 'classes: [{name: x}]', 'in/c2.yaml': 'classes: [{name: y}]' }, ['top.yaml.jinja2']);
    expect(inp.arch.storage.map((s) => s.name)).toEqual(['oreg', 'wreg', 'inter_PE_spatial', 'buf', 'DRAM']);
    expect((inp.sections.get('components')!.value as { classes: unknown[] }).classes).toHaveLength(2);
  });
  it('an error in an included section names the included file', () => {
    const top = `architecture: {{include('arch.yaml', 'architecture')}}\nvariables: {WORD: 8}\n`;
    const msg = errorOf(() => loadRoots({ 'top.j2': top, 'arch.yaml': ARCH.replace('depth: 4,', 'depth: -4,'), 'p.yaml': PROBLEM }, ['top.j2', 'p.yaml']));
    expect(msg).toBe('arch.yaml: architecture.nodes[4].nodes[1].attributes.depth: expected a whole number ≥ 0, found -4');
  });
  it('!include and the << merge key', () => {
    const main = `architecture: !include arch-only.yaml\n<<: {extra_ignore: 1}\n`;
    const inp = loadRoots({ 'main.yaml': main, 'arch-only.yaml': ARCH.split('architecture:\n')[1].replace(/^ {2}/gm, ''), 'p.yaml': PROBLEM, 'v.yaml': 'variables: {WORD: 8}' }, ['main.yaml', 'p.yaml', 'v.yaml']);
    // depth 2 ** 6 of blocks of width / datawidth = 2 words
    expect(inp.arch.storage.find((s) => s.name === 'buf')!.sizeWords).toBe(128);
  });
  it('a missing include names the including file, a cycle is refused', () => {
    expect(errorOf(() => load({ 'top.j2': `architecture: {{include('nope.yaml')}}` }))).toMatch(/^top\.j2: include: expected an included file that exists/);
    expect(errorOf(() => load({ 'a.yaml': 'x: !include b.yaml', 'b.yaml': 'y: !include a.yaml' }))).toMatch(/includes without a cycle/);
  });
});

describe('v0.4 tagged nodes', () => {
  const inp = load({ 'arch.yaml': ARCH, 'prob.yaml': PROBLEM, 'map.yaml': `mapping:\n- {target: DRAM, type: temporal, factors: M=0 K=1 N=4}\n- {target: PE, type: spatial, factors: N=4 M=1 K=1}\n- {target: buf, type: temporal, factors: K=4}\n` });
  it('containers fan out through a dummy level; Parallel siblings share their instances; expressions evaluate', () => {
    const by = new Map(inp.arch.storage.map((s) => [s.name, s]));
    expect(by.get('inter_PE_spatial')!.isDummy).toBe(true);
    expect(by.get('inter_PE_spatial')!.instances).toBe(1);
    expect(by.get('wreg')!.instances).toBe(4);
    expect(by.get('oreg')!.instances).toBe(4);
    expect(by.get('wreg')!.sizeWords).toBe(4);
    expect(by.get('buf')!.blockSize).toBe(2);
    expect(by.get('DRAM')!.blockSize).toBe(8);
    expect(inp.arch.compute.instances).toBe(4);
    expect(inp.arch.name).toBe('system_top_level');
  });
  it('a mapping may target the container; a factor 0 is the rest of the bound', () => {
    const li = inp.arch.storage.findIndex((s) => s.name === 'inter_PE_spatial');
    expect(inp.mapping!.levels[li].spatial).toEqual([{ dim: 2, factor: 4, axis: 'X' }]);
    expect(inp.mapping!.levels[li].keep).toEqual([false, false, false]);
    const dram = inp.arch.storage.findIndex((s) => s.name === 'DRAM');
    expect(inp.mapping!.levels[dram].temporal.find((l) => l.dim === 0)!.factor).toBe(8);
  });
  it('node constraints become constraints (keep alone bypasses the rest)', () => {
    const c = constraintsFrom(inp.sections, inp.workload, inp.arch);
    const w = inp.arch.storage.findIndex((s) => s.name === 'wreg');
    expect([...c.levels[w].keep]).toEqual([1]);
    expect([...c.levels[w].bypass].sort()).toEqual([0, 2]);
  });
  it('is detected as v0.4, convention v4, no warning', () => {
    expect(inp.version).toBe('0.4');
    expect(inp.convention).toBe('v4');
    // No ERT: the energies are estimated (one line per component), nothing else is said.
    expect(inp.warnings.filter((w) => !/^energ(y|ies) .*estimated|^energies: no ERT/.test(w))).toEqual([]);
    expect(chooseConvention(inp)).toEqual({ convention: 'v4', notes: [] });
  });
  it('an untagged node in a nodes list is one line naming it', () => {
    expect(errorOf(() => load({ 'a.yaml': ARCH.replace('- !Parallel', '- !Component {name: q, class: regfile}\n  - !Parallel').replace('  - !Component {name: mac', '  - {name: bad}\n  - !Component {name: mac'), 'p.yaml': PROBLEM }))).toMatch(/^a\.yaml: architecture\.nodes\[\d+\]: expected a node tagged/);
  });
});

describe('versions, warnings, sections', () => {
  const V3 = `architecture:\n  version: 0.3\n  subtree:\n  - name: sys\n    local:\n    - {name: DRAM, class: DRAM, attributes: {width: 64, datawidth: 8}}\n    - {name: buf, class: SRAM, attributes: {depth: 64, width: 8, datawidth: 8}}\n    - {name: mac, class: intmac, attributes: {datawidth: 8}}\n`;
  it('v0.3 inputs are detected and say which convention applies', () => {
    const inp = load({ 'a.yaml': V3, 'p.yaml': PROBLEM });
    expect(inp.version).toBe('0.3');
    expect(inp.convention).toBe('v3');
    expect(chooseConvention(inp).convention).toBe('v3');
    expect(chooseConvention(inp).notes.join('\n')).toMatch(/v0\.3 input .*counted with the v3 convention/);
    expect(chooseConvention(inp, 'v4')).toEqual({ convention: 'v4', notes: [expect.stringMatching(/counted with --convention v4/)] });
  });
  it('the legacy arch key and v0.2 instances attributes read', () => {
    const inp = load({ 'a.yaml': V3.replace('architecture:', 'arch:').replace('version: 0.3', 'version: 0.2').replace('{name: buf, class: SRAM, attributes: {', '{name: buf, class: SRAM, attributes: {instances: 1, ') , 'p.yaml': PROBLEM });
    expect(inp.version).toBe('0.2');
    expect(inp.arch.storage.map((s) => s.name)).toEqual(['buf', 'DRAM']);
  });
  it('a section in two files is refused naming both', () => {
    expect(errorOf(() => load({ 'a.yaml': ARCH, 'b.yaml': ARCH.replace('depth: 4,', 'depth: 8,'), 'p.yaml': PROBLEM }))).toBe('b.yaml: architecture: expected each top-level section in one input file only (it is also in a.yaml)');
    // Component libraries over several files merge; the same section twice is no clash.
    expect(load({ 'a.yaml': ARCH, 'b.yaml': ARCH, 'c1.yaml': 'compound_components: {classes: [{name: x}]}', 'c2.yaml': 'compound_components: {classes: [{name: y}]}', 'p.yaml': PROBLEM }).sections.get('compound_components')!.value).toEqual({ classes: [{ name: 'x' }, { name: 'y' }] });
  });
  it('sparse optimisations and densities are read, top-level and per component', () => {
    const inp = load({ 'a.yaml': ARCH, 'p.yaml': PROBLEM.replace('instance: {', 'instance: {densities: {A: {density: 0.5}}, '), 's.yaml': 'sparse_optimizations:\n  targets: [{name: buf, action_optimization: [{type: gating, target: A, condition_on: [A]}]}]' });
    expect(inp.warnings.filter((w) => /not modelled/.test(w))).toEqual([]);
    expect(inp.sparse!.densities[0].density).toBe(0.5);
    expect(inp.sparse!.levels[inp.arch.storage.findIndex((l) => l.name === 'buf')].gating).toEqual([[{ target: 0, conditionOn: [0] }]]);
    const node = load({ 'a.yaml': ARCH.replace('    name: DRAM\n', '    name: DRAM\n    sparse_optimizations: {representation_format: {data_spaces: [{name: A, ranks: [{format: UOP}, {format: CP}]}]}}\n'), 'p.yaml': PROBLEM });
    expect(node.warnings.filter((w) => /not modelled/.test(w))).toEqual([]);
    const dram = node.arch.storage.findIndex((l) => l.name === 'DRAM');
    expect(node.sparse!.levels[dram].formats[0]!.ranks.map((r) => r.format)).toEqual(['UOP', 'CP']);
    expect(errorOf(() => load({ 'a.yaml': ARCH.replace('    name: DRAM\n', '    name: DRAM\n    sparse_optimizations: {representation_format: {data_spaces: [{name: A, ranks: [{format: csr}]}]}}\n'), 'p.yaml': PROBLEM }))).toMatch(/ranks\[0\]\.format: expected UOP, CP, RLE, B or UB, found "csr"/);
  });
  it('named problem shapes: cnn_layer', () => {
    const inp = load({ 'a.yaml': ARCH.replace(/K=1/g, 'C=1'), 'p.yaml': 'problem:\n  shape: cnn-layer\n  instance: {C: 3, M: 8, R: 3, S: 3, N: 1, P: 4, Q: 4}\n' });
    expect(inp.workload.dims).toEqual(['C', 'M', 'R', 'S', 'N', 'P', 'Q']);
    expect(errorOf(() => load({ 'a.yaml': ARCH, 'p.yaml': 'problem: {shape: resnet_block, instance: {}}' }))).toMatch(/^p\.yaml: problem\.shape: expected a problem shape .*cnn_layer/);
  });
  it('YAML troubles are one line: empty file, undefined alias, alias bombs, duplicate keys', () => {
    expect(errorOf(() => load({ 'e.yaml': '# nothing\n', 'p.yaml': PROBLEM }))).toBe('e.yaml: expected a YAML document, found an empty file');
    expect(errorOf(() => load({ 'a.yaml': 'architecture: *nope' }))).toMatch(/^a\.yaml: line 1, column \d+: expected an alias to an anchor defined before it \(&nope\), found \*nope$/);
    const bomb = 'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]';
    expect(errorOf(() => load({ 'b.yaml': bomb }))).toMatch(/^b\.yaml: expected at most 1000 alias expansions, found more/);
    expect(errorOf(() => load({ 'd.yaml': 'problem: 1\nproblem: 2\n' }))).toMatch(/^d\.yaml: line 2, column 1: expected each key once in a mapping, found a second "problem"$/);
  });
  it('.cfg files are refused in one line', () => {
    expect(errorOf(() => documentsFromText([{ name: 'x.cfg', text: 'arch = {};' }]))).toMatch(/^x\.cfg: expected YAML or JSON input \(libconfig/);
  });
});

describe('constraint grammar', () => {
  const base = { 'arch.yaml': ARCH, 'prob.yaml': PROBLEM };
  it('factor bounds N<=128 and M>=2 are kept and reported', () => {
    const inp = load({ ...base, 'c.yaml': 'mapspace_constraints:\n  targets:\n  - {target: buf, type: temporal, factors: N<=8 M >= 2}\n' });
    const c = constraintsFrom(inp.sections, inp.workload, inp.arch);
    const li = inp.arch.storage.findIndex((s) => s.name === 'buf');
    expect([...c.levels[li].temporalMax!]).toEqual([[2, 8]]);
    expect([...c.levels[li].temporalMin!]).toEqual([[0, 2]]);
    // Honoured by the mapspace now (test/mapper/exact.test.ts): nothing to warn about.
    expect(constraintWarnings(c, inp.workload, inp.arch)).toHaveLength(0);
  });
  it('a repeated dimension in a permutation names the field', () => {
    const inp = load({ ...base, 'c.yaml': 'mapspace_constraints:\n  targets:\n  - {target: buf, type: temporal, permutation: MKM}\n' });
    expect(errorOf(() => constraintsFrom(inp.sections, inp.workload, inp.arch))).toMatch(/^c\.yaml: mapspace_constraints\.targets\[0\]\.permutation: expected each dimension at most once, found "M"/);
  });
  it('a spatial factor above the fanout names the field', () => {
    const inp = load({ ...base, 'c.yaml': 'mapspace_constraints:\n  targets:\n  - {target: PE, type: spatial, factors: N=8}\n' });
    expect(errorOf(() => constraintsFrom(inp.sections, inp.workload, inp.arch))).toMatch(/^c\.yaml: mapspace_constraints\.targets\[0\]\.factors: expected spatial factors whose product fits the fanout of inter_PE_spatial \(4\), found 8/);
  });
});

describe('attribute checks (issue 14): one line naming file and field', () => {
  const cases: [string, string, RegExp][] = [
    ['width: WORD * 8, datawidth: WORD', 'width: 0, datawidth: WORD', /architecture\.nodes\[1\]\.attributes\.width: expected a positive whole number, found 0$/],
    ['width: WORD * 8, datawidth: WORD', 'width: 64, datawidth: -1', /nodes\[1\]\.attributes\.datawidth: expected a positive whole number, found -1$/],
    ['width: WORD * 8, datawidth: WORD', 'width: 64, datawidth: 8, block_size: 0', /nodes\[1\]\.attributes\.block_size: expected a positive whole number, found 0$/],
    ['width: WORD * 8, datawidth: WORD', 'width: 64, datawidth: 8, cluster_size: -1', /nodes\[1\]\.attributes\.cluster_size: expected a positive whole number, found -1$/],
    ['width: WORD * 8, datawidth: WORD', 'width: 64, datawidth: 8, multiple_buffering: 0.5', /nodes\[1\]\.attributes\.multiple_buffering: expected a number ≥ 1, found 0\.5$/],
    ['width: WORD * 8, datawidth: WORD', 'width: 64, datawidth: 8, read_bandwidth: 0', /nodes\[1\]\.attributes\.read_bandwidth: expected a positive number of words per cycle, found 0$/],
    ['width: WORD * 8, datawidth: WORD', 'width: 64, datawidth: 8, cluster_size: 0.5', /nodes\[1\]\.attributes\.cluster_size: expected a positive whole number, found 0\.5$/],
    ['depth: 4, width: 8', 'depth: 4, width: 0', /nodes\[4\]\.nodes\[1\]\.attributes\.width: expected a positive whole number, found 0$/],
  ];
  for (const [from, to, re] of cases) {
    it(to, () => {
      const msg = errorOf(() => load({ 'arch.yaml': ARCH.replace(from, to), 'prob.yaml': PROBLEM }));
      expect(msg.startsWith('arch.yaml: ')).toBe(true);
      expect(msg).toMatch(re);
    });
  }
  it('two data spaces of one name', () => {
    expect(errorOf(() => load({ 'arch.yaml': ARCH, 'prob.yaml': PROBLEM.replace('{name: B,', '{name: A,') }))).toMatch(/^prob\.yaml: problem\.shape\.data_spaces\[1\]\.name: expected distinct data-space names, found "A"$/);
  });
  it('stride 0', () => {
    const p = PROBLEM.replace('name: mm', 'name: mm\n    coefficients: [{name: Wstride, default: 1}]').replace('instance: {', 'instance: {Wstride: 0, ');
    expect(errorOf(() => load({ 'arch.yaml': ARCH, 'prob.yaml': p }))).toMatch(/^prob\.yaml: problem\.instance\.Wstride: expected Wstride: a positive whole number, found 0$/);
  });
  it('a network bandwidth of 0', () => {
    const V3 = `architecture:\n  version: 0.3\n  subtree:\n  - name: sys\n    local:\n    - {name: DRAM, class: DRAM, attributes: {width: 64, datawidth: 8, network_read: net}}\n    - {name: net, class: SimpleMulticast, attributes: {bandwidth: 0}}\n    - {name: buf, class: SRAM, attributes: {depth: 64, width: 8, datawidth: 8}}\n    - {name: mac, class: intmac, attributes: {datawidth: 8}}\n`;
    expect(errorOf(() => load({ 'a.yaml': V3, 'p.yaml': PROBLEM }))).toMatch(/^a\.yaml: architecture\.subtree\[0\]\.local\[1\]\.attributes\.bandwidth: expected a positive number/);
  });
});
