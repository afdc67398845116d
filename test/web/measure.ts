/**
 * Figures for the README: ResNet-50 on eyeriss rendered in Chromium (from
 * navigation to the drawn report, with the CLI's default budget) and the
 * longest task on the page's main thread meanwhile (PerformanceObserver
 * 'longtask': tasks over 50 ms). A script, not a test: tests never time.
 * Run: `npm run web && npx tsx test/web/measure.ts`.
 */
import { chromium } from 'playwright-core';
import { EXPLORER_DIR, serveExplorer } from '../../src/cli/web.js';

const net = process.argv[2] ?? 'resnet50';
const extra = process.argv[3] ?? ''; // e.g. '&threads=2'
const server = await serveExplorer(EXPLORER_DIR, 0);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) w.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
  });
  const t0 = Date.now();
  await page.goto(`${server.url}#net=${net}&design=eyeriss${extra}`);
  await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', null, { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelectorAll('#chart-level svg').length > 0);
  const ms = Date.now() - t0;
  const long = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`${net}${extra} on eyeriss: rendered in ${(ms / 1000).toFixed(2)} s; state ${await page.evaluate(() => document.body.dataset.state)}; ` +
    `long tasks (> 50 ms): ${long.length}, longest ${long.length ? Math.max(...long).toFixed(0) : 0} ms`);
} finally {
  await browser.close();
  await server.close();
}
