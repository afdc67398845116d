/**
 * The explorer's build: a static site in web/dist that needs no network.
 * Relative paths ('./') and every file in one folder, so it works from any
 * static host and from file://, where Chromium refuses module scripts loaded
 * from files: the entry script and the CSS are inlined into index.html
 * (inlined, they are part of the page, not fetched). The worker stays a file
 * (from file:// the page runs jobs in its own thread; see src/runner.ts).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = new URL('.', import.meta.url).pathname;
const out = join(root, 'dist');

function inlineEntry(): Plugin {
  return {
    name: 'dnnergy-inline-entry',
    apply: 'build',
    closeBundle() {
      const file = join(out, 'index.html');
      let html = readFileSync(file, 'utf8');
      html = html.replace(/<script type="module" crossorigin src="\.\/([^"]+)"><\/script>/, (_m, src: string) => {
        const js = readFileSync(join(out, src), 'utf8').replace(/<\/script/gi, '<\\/script');
        rmSync(join(out, src));
        return `<script type="module">${js}</script>`;
      });
      html = html.replace(/<link rel="stylesheet" crossorigin href="\.\/([^"]+)">/, (_m, href: string) => {
        const css = readFileSync(join(out, href), 'utf8');
        rmSync(join(out, href));
        return `<style>${css}</style>`;
      });
      writeFileSync(file, html);
    },
  };
}

export default defineConfig({
  root,
  base: './',
  logLevel: 'error',
  build: {
    outDir: out,
    emptyOutDir: true,
    assetsDir: '.',
    modulePreload: false,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
  plugins: [inlineEntry()],
});
