/**
 * The web explorer in a real browser: Debian's Chromium driven by
 * playwright-core, the built page (web/dist) served on 127.0.0.1 by
 * `dnnergy web`'s server, no network. The page's numbers are the CLI's,
 * exactly: same engine, same seed, same budget.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { EXPLORER_DIR, serveExplorer, type ExplorerServer } from '../../src/cli/web.js';
import { exportSequentialOnnx } from '../../src/network/onnx/export.js';
import { zooNetwork } from '../../src/network/zoo.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR } from '../helpers/reference.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '../..');
// Timeloop's v3 exercise 01 (a 1-D convolution on two levels), read where the reference set keeps it.
const CASE = join(REFERENCE_DIR, 'cases/v3-tl-01-conv1d-2level-ws');
const LAYER_FILES: Record<string, string> = {
  '2level.arch.yaml': join(CASE, 'inputs/arch/2level.arch.yaml'),
  'conv1d.prob.yaml': join(CASE, 'inputs/prob/conv1d.prob.yaml'),
  'conv1d-2level-ws.map.yaml': join(CASE, 'inputs/map/conv1d-2level-ws.map.yaml'),
  '2level.ERT.yaml': join(CASE, 'ref/timeloop-model.ERT.yaml'),
};
const EVALS = 3000;
const tmp = mkdtempSync(join(tmpdir(), 'dnnergy-web-'));

/** Newest modification time of the files under `p`. */
function newest(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((f) => newest(join(p, f))));
}

/** Build web/dist unless it is newer than everything it is built from. */
async function ensureBuilt(): Promise<void> {
  const index = join(EXPLORER_DIR, 'index.html');
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'web/src')), newest(join(ROOT, 'web/index.html')), newest(join(ROOT, 'web/vite.config.ts')));
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'web/vite.config.ts') });
}

let browser: Browser;
let server: ExplorerServer;
let page: Page;
const problems: string[] = [];

type Report = { totals: Record<string, number>; network: string; arch: string };
const report = (p: Page) => p.evaluate(() => (window as unknown as { explorer: { report: Report } }).explorer.report);

/** Wait until the page has finished what it was asked (or shown an error). */
async function settled(p: Page): Promise<string> {
  await p.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', null, { timeout: 30_000 });
  return (await p.evaluate(() => document.body.dataset.state))!;
}

/** Change an input as a user does (type, then leave the field) and wait for the page to follow. */
async function change(p: Page, selector: string, value: string): Promise<void> {
  await p.evaluate(() => { document.body.dataset.state = 'changing'; });
  await p.fill(selector, value);
  await p.press(selector, 'Tab');
  await settled(p);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install chromium)`);
  await ensureBuilt();
  server = await serveExplorer(EXPLORER_DIR, 0);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  // Offline: anything but the explorer's own server is refused.
  await context.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the web explorer in Chromium', () => {
  let edited: Report;

  it('alexnet on eyeriss: the report, downloaded, is byte for byte the one `analyze --json` prints for the same seed and budget', async () => {
    await page.goto(`${server.url}#net=alexnet&design=eyeriss&seed=3&evaluations=${EVALS}`);
    expect(await settled(page)).toBe('done');
    const cli = await runCli(['analyze', 'alexnet', '--arch', 'eyeriss', '--seed', '3', '--evaluations', String(EVALS), '--json']);
    expect(cli.code).toBe(0);
    const want = JSON.parse(cli.stdout);
    expect(await report(page)).toEqual(want);
    // The totals strip shows those numbers (exactly, in data-value).
    for (const k of ['energy', 'energy_per_mac', 'cycles', 'frames_per_second', 'dram_accesses_per_mac']) {
      expect(Number(await page.getAttribute(`#t-${k}`, 'data-value'))).toBe(want.totals[k]);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(cli.stdout);
    const [yaml] = await Promise.all([page.waitForEvent('download'), page.click('#download-yaml')]);
    const design = readFileSync((await yaml.path())!, 'utf8');
    expect(design).toMatch(/name: shared_glb[\s\S]*size: 55296/);
    // It is dnnergy-native YAML: with a workload added, `dnnergy map` reads it.
    const spec = join(tmp, 'design.yaml');
    writeFileSync(spec, design + 'workload:\n  name: small\n  conv: { N: 1, C: 4, M: 8, P: 6, Q: 6, R: 3, S: 3 }\n');
    const mapped = await runCli(['map', spec, '--evaluations', '300', '--json']);
    expect(mapped.stderr).toBe('');
    expect(mapped.code).toBe(0);
  });

  it('editing the GLB size changes the numbers and the link; a reload of the link gives the same view, the open layer included', async () => {
    const before = await report(page);
    await change(page, '#p-bufferWords', '2048');
    edited = await report(page);
    expect(edited.arch).toBe('eyeriss-edited');
    expect(edited.totals.energy).not.toBe(before.totals.energy);
    expect(page.url()).toContain('p.bufferWords=2048');

    await page.click('#layers tbody tr[data-layer="0"]');
    await page.waitForSelector('#loop-nest');
    await settled(page);
    const nest = await page.textContent('#loop-nest');
    expect(nest).toMatch(/^mapping \(outermost first\):\nDRAM/);
    expect(nest).toMatch(/for [A-Z] in \[0:\d+\) \(spatial-[XY]\)/);
    expect(await page.locator('#level-table tbody tr').count()).toBeGreaterThan(3);
    expect(page.url()).toContain('layer=0');

    await page.reload();
    expect(await settled(page)).toBe('done');
    expect(await report(page)).toEqual(edited);
    expect(await page.inputValue('#p-bufferWords')).toBe('2048');
    await page.waitForSelector('#loop-nest');
    expect(await page.textContent('#loop-nest')).toBe(nest);
  });

  it('a dropped Timeloop layer (architecture, problem, mapping, ERT) is evaluated as `dnnergy model` does', async () => {
    const files = Object.values(LAYER_FILES);
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.setInputFiles('#yaml-file', files);
    expect(await settled(page)).toBe('done');
    const cli = JSON.parse((await runCli(['model', ...files, '--json'])).stdout);
    const detail = await page.evaluate(() => (window as unknown as { explorer: { detail: { energy: number; cycles: number; loopNest: string } } }).explorer.detail);
    expect(detail.energy).toBe(cli.energy_pJ);
    expect(detail.cycles).toBe(cli.cycles);
    expect(await page.textContent('#loop-nest')).toMatch(/MainMemory[\s\S]*for R in \[0:3\)[\s\S]*Buffer[\s\S]*for P in \[0:16\)/);
  });

  it('files dropped on the page go where they fit: a Timeloop layer is evaluated', async () => {
    const files = Object.entries(LAYER_FILES).map(([name, path]) => ({ name, text: readFileSync(path, 'utf8') }));
    await page.evaluate(() => { document.body.dataset.state = 'changing'; (window as unknown as { explorer: { detail: unknown } }).explorer.detail = null; });
    await page.evaluate((fs) => {
      const dt = new DataTransfer();
      for (const f of fs) dt.items.add(new File([f.text], f.name, { type: 'text/yaml' }));
      document.querySelector('main')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    expect(await settled(page)).toBe('done');
    const cli = JSON.parse((await runCli(['model', ...files.map((f) => LAYER_FILES[f.name]), '--json'])).stdout);
    expect(await page.evaluate(() => (window as unknown as { explorer: { detail: { energy: number } } }).explorer.detail.energy)).toBe(cli.energy_pJ);
  });

  it('bad YAML shows the line the CLI prints, and the page keeps its view', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'problem: [\n');
    const cli = await runCli(['model', bad]);
    expect(cli.code).toBe(2);
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.setInputFiles('#yaml-file', bad);
    expect(await settled(page)).toBe('error');
    expect(await page.textContent('#error')).toBe(cli.stderr.trim().replace(bad, 'bad.yaml'));
    expect(await page.locator('#chart-level svg').count()).toBeGreaterThan(0);
  });

  it('an ONNX file is imported from its bytes and analysed as `analyze file.onnx` does; a broken one is the CLI\'s error', async () => {
    const onnx = join(tmp, 'alexnet.onnx');
    writeFileSync(onnx, exportSequentialOnnx(zooNetwork('alexnet')!));
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.setInputFiles('#onnx-file', onnx);
    expect(await settled(page)).toBe('done');
    const cli = await runCli(['analyze', onnx, '--arch', 'eyeriss', '--seed', '3', '--evaluations', String(EVALS), '--json']);
    const got = await report(page);
    // The page analyses on the edited design of the link; the CLI on the built-in: compare on the built-in.
    await change(page, '#p-bufferWords', String(55296));
    const onBuiltin = await report(page);
    expect(onBuiltin).toEqual({ ...JSON.parse(cli.stdout), network: onBuiltin.network });
    expect(got.totals.energy).not.toBe(onBuiltin.totals.energy);

    const broken = join(tmp, 'broken.onnx');
    writeFileSync(broken, 'not a protobuf');
    const bad = await runCli(['analyze', broken, '--arch', 'eyeriss']);
    expect(bad.code).toBe(2);
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.setInputFiles('#onnx-file', broken);
    expect(await settled(page)).toBe('error');
    expect(await page.textContent('#error')).toBe(bad.stderr.trim().replace(broken, 'broken.onnx'));
  });

  it("side by side with the built-in: both designs' totals and their ratio; the ISCA'16 dataflows chart", async () => {
    // Same document, new hash: the page follows the link (hashchange).
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.goto(`${server.url}#net=alexnet&design=eyeriss&p.bufferWords=4096&seed=3&evaluations=${EVALS}`);
    expect(await settled(page)).toBe('done');
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.selectOption('#compare', 'eyeriss');
    expect(await settled(page)).toBe('done');
    expect(page.url()).toContain('compare=eyeriss');
    const cells = await page.locator('#compare-table tbody tr').first().locator('td').allTextContents();
    expect(cells[0]).toBe('energy');
    expect(Number(cells[3])).not.toBe(1);
    await page.fill('#df-evaluations', '200');
    await page.fill('#df-batch', '1');
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.click('#df-run');
    expect(await settled(page)).toBe('done');
    const ticks = await page.locator('#dataflows svg text').allTextContents();
    for (const d of ['RS', 'WS', 'OSA', 'OSB', 'OSC', 'NLR']) expect(ticks).toContain(d);
  });

  it('two searches per shape run on a pool of Web Workers and give what `analyze --threads 2` gives', async () => {
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.goto(`${server.url}#net=alexnet&design=eyeriss&seed=3&evaluations=${EVALS}&threads=2`);
    expect(await settled(page)).toBe('done');
    const cli = await runCli(['analyze', 'alexnet', '--arch', 'eyeriss', '--seed', '3', '--evaluations', String(EVALS), '--threads', '2', '--json']);
    expect(cli.code).toBe(0);
    const got = await report(page);
    expect(got).toEqual(JSON.parse(cli.stdout));
    // Two searches are a different run from one: the number of searches is part of the answer.
    const one = JSON.parse((await runCli(['analyze', 'alexnet', '--arch', 'eyeriss', '--seed', '3', '--evaluations', String(EVALS), '--json'])).stdout);
    expect(got.totals.energy).not.toBe(one.totals.energy);
  });

  it('cancel stops a long analysis, and the page says so', async () => {
    await page.fill('#evaluations', '2000000');
    await page.evaluate(() => { document.body.dataset.state = 'changing'; });
    await page.press('#evaluations', 'Tab');
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    await page.click('#cancel');
    await page.waitForFunction(() => document.body.dataset.state === 'idle');
    expect(await page.textContent('#status')).toBe('cancelled');
    expect(await page.isHidden('#error')).toBe(true);
  });

  it('opened as a file, the page maps in its own thread, says so, and gives the same numbers', async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    p.on('pageerror', (e) => problems.push(`page error (file://): ${e.message}`));
    await p.goto(`file://${join(EXPLORER_DIR, 'index.html')}#net=alexnet&design=eyeriss&seed=3&evaluations=${EVALS}`);
    expect(await settled(p)).toBe('done');
    expect(await p.textContent('#notice')).toMatch(/no Web Worker for a page opened from a file/);
    const cli = JSON.parse((await runCli(['analyze', 'alexnet', '--arch', 'eyeriss', '--seed', '3', '--evaluations', String(EVALS), '--json'])).stdout);
    expect(await report(p)).toEqual(cli);
    await context.close();
  });

  it('logged no console errors', () => {
    expect(problems).toEqual([]);
  });
});
