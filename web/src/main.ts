/**
 * The explorer page: controls → a job for the engine (in a Web Worker) →
 * totals, charts, tables. The view's state lives in the URL's hash; results
 * are cached by the job's canonical key.
 */
import { stringify } from 'yaml';
import { builtinArch, builtinArchNames, zooNames } from '../../src/index.js';
import { cached, jobKey, store } from './cache.js';
import { compareChart, cyclesChart, dataflowChart, energyChart, setChartWidth } from './charts.js';
import { rsDefaults, type AnalyzeOut, type DataflowOut, type DesignSpec, type Job, type LayerDetail, type NetSpec, type RsParams, type RunOpts } from './jobs.js';
import { JobError, Runner } from './runner.js';
import { DEFAULTS, parseHash, toHash, type ViewState } from './state.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const PARAMS: readonly { key: keyof RsParams; label: string; step?: string }[] = [
  { key: 'rows', label: 'PE rows' }, { key: 'cols', label: 'PE columns' },
  { key: 'psumWords', label: 'psum spad (words)' }, { key: 'weightWords', label: 'weight spad (words)' }, { key: 'ifmapWords', label: 'ifmap spad (words)' },
  { key: 'bufferWords', label: 'GLB (words)', step: '1024' }, { key: 'blockWords', label: 'words / GLB, DRAM access' },
  { key: 'clockMHz', label: 'clock (MHz)', step: 'any' }, { key: 'dramBandwidth', label: 'DRAM words/cycle (0 = ∞)', step: 'any' },
  { key: 'eMac', label: 'E MAC', step: 'any' }, { key: 'eRf', label: 'E spad access', step: 'any' }, { key: 'eArray', label: 'E array hop', step: 'any' },
  { key: 'eBuffer', label: 'E GLB / word', step: 'any' }, { key: 'eDram', label: 'E DRAM / word', step: 'any' },
];

let state: ViewState = parseHash(location.hash);
let onnx: { name: string; bytes: Uint8Array } | null = null;
let archFiles: { name: string; text: string }[] | null = null;
let last: { out: AnalyzeOut; job: Job } | null = null;
let generation = 0;
let busy = 0;
const runner = new Runner();

/** What a test (or a curious user in the console) can read. */
const exposed = { report: null as unknown, detail: null as LayerDetail | null, runs: 0 };
(window as unknown as { explorer: typeof exposed }).explorer = exposed;

function option(sel: HTMLSelectElement, value: string, text = value): void {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  sel.append(o);
}

function setStatus(s: 'running' | 'done' | 'error' | 'idle', text: string): void {
  document.body.dataset.state = s;
  if (s === 'done') { const bar = $<HTMLProgressElement>('progress'); bar.value = bar.max; }
  $('status').textContent = text;
}

function showError(message: string | null): void {
  const e = $('error');
  e.hidden = message === null;
  e.textContent = message ?? '';
}

function designDefaults(): RsParams | null {
  const b = builtinArch(state.design);
  return b && state.design === 'eyeriss' ? rsDefaults(b) : null;
}

function netSpec(): NetSpec {
  return onnx && state.net === `file:${onnx.name}` ? { kind: 'onnx', name: onnx.name, bytes: onnx.bytes } : { kind: 'zoo', name: state.net };
}

function designSpec(name = state.design, params: Partial<RsParams> = state.params): DesignSpec {
  if (archFiles && name === 'file:') return { kind: 'files', files: archFiles };
  const d = name === state.design ? designDefaults() : null;
  const edited = d && Object.keys(params).length > 0 ? { ...d, ...params } : undefined;
  return edited ? { kind: 'builtin', name, params: edited } : { kind: 'builtin', name };
}

function runOpts(): RunOpts {
  return { seed: state.seed, evaluations: state.evaluations, batch: state.batch, objective: state.objective, threads: state.threads };
}

function saveHash(): void {
  const h = toHash(state);
  if (h !== location.hash) history.replaceState(null, '', h);
}

/** Run a job through the cache; progress drives the bar; a newer job makes this one's answer stale (null). */
async function run<T>(job: Job, label: string): Promise<T | null> {
  const gen = generation;
  const key = jobKey(job);
  const hit = (await cached(key)) as T | undefined;
  if (hit !== undefined) return gen === generation ? hit : null;
  busy++;
  ($('cancel') as HTMLButtonElement).disabled = false;
  setStatus('running', `${label}…`);
  const bar = $<HTMLProgressElement>('progress');
  bar.value = 0;
  try {
    const t0 = performance.now();
    const v = await runner.run<T>(job, (done, total) => { bar.max = Math.max(1, total); bar.value = done; $('status').textContent = `${label}: ${done}/${total}`; });
    await store(key, v);
    exposed.runs++;
    console.info(`dnnergy: ${label} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return gen === generation ? v : null;
  } finally {
    busy--;
    if (busy === 0) ($('cancel') as HTMLButtonElement).disabled = true;
  }
}

function fmtNum(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString('en-US');
}

function renderTotals(out: AnalyzeOut): void {
  const t = out.json.totals;
  const unit = out.json.energy_unit;
  const items: [string, string, number, number?][] = [
    ['energy', `energy (${unit})`, t.energy], ['energy_per_mac', `energy / MAC (${unit})`, t.energy_per_mac], ['macs', 'MACs', t.macs],
    ['cycles', 'cycles', t.cycles], ['frames_per_second', `frames/s @ ${fmtNum(out.design.clockHz / 1e6)} MHz`, t.frames_per_second],
    ['dram_accesses_per_mac', 'DRAM accesses / MAC', t.dram_accesses_per_mac],
  ];
  $('totals').replaceChildren(...items.map(([k, label, v]) => {
    const d = document.createElement('div');
    d.id = `t-${k}`;
    d.dataset.value = String(v);
    d.innerHTML = `<b></b><span></span>`;
    d.querySelector('b')!.textContent = fmtNum(v);
    d.querySelector('span')!.textContent = label;
    return d;
  }));
  $('design-label').textContent = `${out.json.network} on ${out.design.name} (${out.design.description}); ${t.distinct_shapes_mapped} distinct shapes mapped`;
}

function renderLayers(out: AnalyzeOut): void {
  const r = out.json;
  const table = $('layers');
  table.innerHTML = '<thead><tr><th>layer</th><th>kind</th><th>MACs</th><th>energy</th><th>energy/MAC</th><th>cycles</th><th>util.</th><th>DRAM/MAC</th></tr></thead>';
  const body = document.createElement('tbody');
  r.layers.forEach((l, i) => {
    const tr = document.createElement('tr');
    tr.dataset.layer = String(i);
    const cells = l.modelled
      ? [l.name, l.kind, fmtNum(l.macs!), fmtNum(l.energy!), fmtNum(l.energy! / l.macs!), fmtNum(l.cycles!), `${(l.utilization! * 100).toFixed(1)}%`, fmtNum(l.dram_accesses_per_mac!)]
      : [l.name, l.op ?? l.kind, 'not modelled', '', '', '', '', ''];
    for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.append(td); }
    if (l.modelled) tr.addEventListener('click', () => void openLayer(i));
    else tr.style.cursor = 'default';
    body.append(tr);
  });
  table.append(body);
}

/** A macrotask boundary: drawing a big network's charts in one go would hold the page for longer than a frame should. */
const yieldToPage = () => new Promise<void>((r) => setTimeout(r, 0));

async function render(out: AnalyzeOut): Promise<void> {
  renderTotals(out);
  setChartWidth($('chart-level').clientWidth);
  const open = (i: number) => void openLayer(i);
  await yieldToPage();
  $('chart-level').replaceChildren(energyChart(out.json, 'energy_by_level', open));
  await yieldToPage();
  $('chart-tensor').replaceChildren(energyChart(out.json, 'energy_by_tensor', open));
  await yieldToPage();
  $('chart-cycles').replaceChildren(cyclesChart(out.json, open));
  await yieldToPage();
  renderLayers(out);
  ($('download-json') as HTMLButtonElement).disabled = false;
  ($('download-yaml') as HTMLButtonElement).disabled = false;
  const warn = out.design.warnings;
  const n = $('notice');
  if (warn.length > 0) { n.hidden = false; n.textContent = warn.join('\n'); }
}

function renderDetail(d: LayerDetail): void {
  exposed.detail = d;
  $('layer-panel').hidden = false;
  $('layer-name').textContent = `${d.name} (${d.source === 'given' ? 'its own mapping' : 'best mapping found'}): ${fmtNum(d.energy)} energy, ${fmtNum(d.cycles)} cycles, ${(d.utilization * 100).toFixed(1)}% utilisation`;
  const pre = document.createElement('pre');
  pre.id = 'loop-nest';
  pre.textContent = d.loopNest;
  const table = document.createElement('table');
  table.id = 'level-table';
  table.innerHTML = '<thead><tr><th>level</th><th>tensor</th><th>instances (used)</th><th>reads</th><th>fills</th><th>updates</th><th>energy</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const l of [...d.levels].reverse()) {
    const rows = l.tensors.length > 0 ? l.tensors : [{ name: '—', reads: 0, fills: 0, updates: 0, energy: l.energy }];
    rows.forEach((t, k) => {
      const tr = document.createElement('tr');
      for (const c of [k === 0 ? l.name : '', t.name, k === 0 ? `${l.instances} (${l.used})` : '', fmtNum(t.reads), fmtNum(t.fills), fmtNum(t.updates), fmtNum(t.energy)]) {
        const td = document.createElement('td'); td.textContent = c; tr.append(td);
      }
      body.append(tr);
    });
  }
  table.append(body);
  const wrap = document.createElement('div');
  wrap.className = 'detail';
  const side = document.createElement('div');
  side.className = 'scroll-x';
  side.append(table);
  wrap.append(pre, side);
  $('layer-detail').replaceChildren(wrap);
}

async function openLayer(i: number): Promise<void> {
  if (!last) return;
  state.layer = i;
  saveHash();
  for (const tr of document.querySelectorAll('#layers tbody tr')) tr.classList.toggle('open', tr.getAttribute('data-layer') === String(i));
  const job = { ...last.job, type: 'layer', layer: i } as Job;
  try {
    const d = await run<LayerDetail>(job, `mapping ${last.out.json.layers[i]?.name ?? i}`);
    if (d) { renderDetail(d); setStatus('done', 'done'); }
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): void {
  if (e instanceof JobError && e.cancelled) { setStatus('idle', 'cancelled'); return; }
  const msg = e instanceof JobError ? e.message : `dnnergy: internal error (please report): ${e instanceof Error ? e.message : String(e)}`;
  showError(msg);
  setStatus('error', 'error');
}

/** Analyse the current network on the current design, then reopen the layer and the comparison the state names. */
async function analyze(): Promise<void> {
  generation++;
  if (busy > 0) runner.cancel();
  saveHash();
  showError(null);
  const job: Job = { type: 'analyze', net: netSpec(), design: designSpec(), opts: runOpts() };
  // A change event that changed nothing (a field left after a change already seen) keeps the view as it is.
  if (last && busy === 0 && jobKey(last.job) === jobKey(job) && document.body.dataset.state !== 'error') { setStatus('done', 'done'); return; }
  try {
    const out = await run<AnalyzeOut>(job, `analysing ${state.net.replace(/^file:/, '')}`);
    if (!out) return;
    last = { out, job };
    exposed.report = out.json;
    await render(out);
    if (out !== last?.out) return;
    if (state.layer >= 0 && out.json.layers[state.layer]?.modelled) await openLayer(state.layer);
    else $('layer-panel').hidden = true;
    if (state.compare) await compare();
    else $('compare-out').replaceChildren();
    setStatus('done', 'done');
  } catch (e) {
    fail(e);
  }
}

async function compare(): Promise<void> {
  if (!last || !state.compare) return;
  const job: Job = { type: 'analyze', net: netSpec(), design: designSpec(state.compare, {}), opts: runOpts() };
  const b = await run<AnalyzeOut>(job, `analysing on ${state.compare}`);
  if (!b || !last) return;
  const a = last.out;
  const labelA = a.design.name, labelB = b.design.name === labelA ? `${labelA} (built-in)` : b.design.name;
  const rows: [string, number, number][] = [
    ['energy', a.json.totals.energy, b.json.totals.energy], ['energy / MAC', a.json.totals.energy_per_mac, b.json.totals.energy_per_mac],
    ['cycles', a.json.totals.cycles, b.json.totals.cycles], ['frames/s', a.json.totals.frames_per_second, b.json.totals.frames_per_second],
    ['DRAM accesses / MAC', a.json.totals.dram_accesses_per_mac, b.json.totals.dram_accesses_per_mac],
  ];
  const table = document.createElement('table');
  table.id = 'compare-table';
  table.innerHTML = '<thead><tr><th></th><th></th><th></th><th>B / A</th></tr></thead>';
  table.querySelectorAll('th')[1].textContent = `A: ${labelA}`;
  table.querySelectorAll('th')[2].textContent = `B: ${labelB}`;
  const body = document.createElement('tbody');
  for (const [k, x, y] of rows) {
    const tr = document.createElement('tr');
    for (const c of [k, fmtNum(x), fmtNum(y), fmtNum(y / x, 3)]) { const td = document.createElement('td'); td.textContent = c; tr.append(td); }
    body.append(tr);
  }
  table.append(body);
  $('compare-out').replaceChildren(table, compareChart(a.json, b.json, [labelA, labelB]));
}

async function dataflows(): Promise<void> {
  showError(null);
  const network = state.net.startsWith('file:') ? DEFAULTS.net : state.net;
  const evaluations = Number(($('df-evaluations') as HTMLInputElement).value) || 1000;
  const batch = Number(($('df-batch') as HTMLInputElement).value) || 16;
  try {
    const out = await run<DataflowOut[]>({ type: 'dataflows', network, opts: { ...runOpts(), evaluations, batch } }, `dataflows on ${network}`);
    if (out) { setChartWidth($('dataflows').clientWidth); $('dataflows').replaceChildren(dataflowChart(out)); setStatus('done', 'done'); }
  } catch (e) {
    fail(e);
  }
}

async function yamlLayer(files: { name: string; text: string }[]): Promise<void> {
  showError(null);
  try {
    const d = await run<LayerDetail>({ type: 'yaml', files, opts: runOpts() }, `layer from ${files[0]?.name ?? 'YAML'}`);
    if (d) { renderDetail(d); $('layer-panel').scrollIntoView({ block: 'nearest' }); setStatus('done', 'done'); }
  } catch (e) {
    fail(e);
  }
}

function download(name: string, text: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function renderParams(): void {
  const fs = $('params');
  const d = designDefaults();
  fs.hidden = d === null;
  ($('reset-params') as HTMLButtonElement).hidden = d === null;
  fs.querySelectorAll('label').forEach((l) => l.remove());
  if (!d) return;
  for (const p of PARAMS) {
    const label = document.createElement('label');
    label.textContent = p.label;
    const input = document.createElement('input');
    input.type = 'number';
    input.id = `p-${p.key}`;
    input.step = p.step ?? '1';
    input.value = String(state.params[p.key] ?? d[p.key]);
    input.addEventListener('change', () => {
      const v = Number(input.value);
      if (input.value !== '' && v === d[p.key]) delete state.params[p.key];
      else state.params[p.key] = input.value === '' ? NaN : v;
      void analyze();
    });
    label.append(input);
    fs.append(label);
  }
}

function fillControls(): void {
  const net = $<HTMLSelectElement>('net');
  if (!zooNames.includes(state.net) && !(onnx && state.net === `file:${onnx.name}`)) state.net = DEFAULTS.net;
  net.value = state.net;
  const design = $<HTMLSelectElement>('design');
  if (!builtinArchNames.includes(state.design) && !(archFiles && state.design === 'file:')) state.design = DEFAULTS.design;
  design.value = state.design;
  ($('seed') as HTMLInputElement).value = String(state.seed);
  ($('evaluations') as HTMLInputElement).value = String(state.evaluations);
  ($('batch') as HTMLInputElement).value = String(state.batch);
  ($('threads') as HTMLInputElement).value = String(state.threads);
  ($('objective') as HTMLSelectElement).value = state.objective;
  ($('compare') as HTMLSelectElement).value = state.compare;
  renderParams();
}

async function readFiles(list: FileList | readonly File[]): Promise<{ name: string; text: string }[]> {
  return Promise.all([...list].map(async (f) => ({ name: f.name, text: await f.text() })));
}

async function takeOnnx(f: File): Promise<void> {
  onnx = { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
  const sel = $<HTMLSelectElement>('net');
  sel.querySelector('option[data-file]')?.remove();
  option(sel, `file:${f.name}`, `file: ${f.name}`);
  sel.lastElementChild!.setAttribute('data-file', '');
  state.net = `file:${f.name}`;
  state.layer = -1;
  sel.value = state.net;
  $('net-note').textContent = 'a dropped file is not part of the link';
  await analyze();
}

async function takeArch(files: { name: string; text: string }[]): Promise<void> {
  archFiles = files;
  const sel = $<HTMLSelectElement>('design');
  sel.querySelector('option[value="file:"]')?.remove();
  option(sel, 'file:', `file: ${files.map((f) => f.name).join(', ')}`);
  state.design = 'file:';
  state.params = {};
  sel.value = 'file:';
  renderParams();
  await analyze();
}

/** A dropped file goes where it fits: ONNX → network; YAML with a problem → a layer; other YAML → a design. */
async function takeDropped(list: FileList): Promise<void> {
  const files = [...list];
  const model = files.find((f) => /\.onnx$/i.test(f.name));
  if (model) return takeOnnx(model);
  const texts = await readFiles(files);
  if (texts.some((t) => /^\s*(problem|workload)\s*:/m.test(t.text))) return yamlLayer(texts);
  return takeArch(texts);
}

function wire(): void {
  const net = $<HTMLSelectElement>('net');
  for (const n of zooNames) option(net, n);
  const design = $<HTMLSelectElement>('design');
  const cmp = $<HTMLSelectElement>('compare');
  for (const n of builtinArchNames) { option(design, n); option(cmp, n); }
  fillControls();
  net.addEventListener('change', () => { state.net = net.value; state.layer = -1; void analyze(); });
  design.addEventListener('change', () => { state.design = design.value; state.params = {}; state.layer = -1; renderParams(); void analyze(); });
  cmp.addEventListener('change', () => { state.compare = cmp.value; saveHash(); if (state.compare) compare().then(() => setStatus('done', 'done'), fail); else $('compare-out').replaceChildren(); });
  const num = (id: 'seed' | 'evaluations' | 'batch' | 'threads', min: number) => $(id).addEventListener('change', () => {
    const v = Number(($(id) as HTMLInputElement).value);
    if (!Number.isInteger(v) || v < min) { showError(`dnnergy: <page>: ${id}: expected a whole number ≥ ${min}, found ${($(id) as HTMLInputElement).value}`); return; }
    state[id] = v;
    void analyze();
  });
  num('seed', 0); num('evaluations', 1); num('batch', 1); num('threads', 1);
  $('objective').addEventListener('change', () => { state.objective = ($('objective') as HTMLSelectElement).value as ViewState['objective']; void analyze(); });
  $('reset-params').addEventListener('click', () => { state.params = {}; renderParams(); void analyze(); });
  $('cancel').addEventListener('click', () => { generation++; runner.cancel(); });
  $('onnx-file').addEventListener('change', (e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void takeOnnx(f); });
  $('arch-file').addEventListener('change', async (e) => { const f = (e.target as HTMLInputElement).files; if (f?.length) await takeArch(await readFiles(f)); });
  $('yaml-file').addEventListener('change', async (e) => { const f = (e.target as HTMLInputElement).files; if (f?.length) await yamlLayer(await readFiles(f)); });
  $('yaml-run').addEventListener('click', () => {
    const text = ($('yaml-text') as HTMLTextAreaElement).value;
    void yamlLayer([{ name: 'pasted.yaml', text }]);
  });
  $('df-run').addEventListener('click', () => void dataflows());
  $('download-json').addEventListener('click', () => {
    if (last) download(`${last.out.json.network}-${last.out.json.arch}.json`, JSON.stringify(last.out.json, null, 2) + '\n', 'application/json');
  });
  $('download-yaml').addEventListener('click', () => {
    if (!last) return;
    const d = last.out.design;
    const head = [`# ${d.description}`, `# clock ${d.clockHz / 1e6} MHz; the dataflow's mapspace constraints are the design's code, not in this file.`,
      '# dnnergy-native: add a `workload:` section and `dnnergy map` reads it.'];
    download(`${d.name}.yaml`, head.join('\n') + '\n' + stringify(d.yaml), 'text/yaml');
  });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => { e.preventDefault(); if (e.dataTransfer?.files.length) void takeDropped(e.dataTransfer.files); });
  window.addEventListener('hashchange', () => {
    if (location.hash === toHash(state)) return;
    state = parseHash(location.hash);
    fillControls();
    void analyze();
  });
  window.addEventListener('unhandledrejection', (e) => fail(e.reason));
}

wire();
if (runner.inThread) {
  const n = $('notice');
  n.hidden = false;
  n.textContent = 'This browser starts no Web Worker for a page opened from a file: mapping runs in the page itself, which may pause while it works. `npx dnnergy web` serves the explorer with mapping in the background.';
}
void analyze();
