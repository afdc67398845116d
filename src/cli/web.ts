/**
 * `dnnergy web`: serve the explorer (web/dist, built by `npm run web`) on
 * 127.0.0.1 only — the page runs the engine itself; the server only hands
 * out files, so nothing leaves the machine.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError } from '../spec/errors.js';
import { wholeNumber } from './flags.js';

/** Flags of `dnnergy web`, as commander hands them over. */
export interface WebOpts { port: string }

/** The built explorer: two folders up from this module, in the sources (src/cli) and in the bundle (dist/bundle) alike. */
export const EXPLORER_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.wasm': 'application/wasm',
};

/** A running explorer server. */
export interface ExplorerServer { readonly url: string; readonly server: Server; close(): Promise<void> }

/** Serve `dir` on 127.0.0.1:`port` (0: any free port); GET and HEAD of files inside it, nothing else. */
export function serveExplorer(dir: string, port: number): Promise<ExplorerServer> {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path.endsWith('/') ? path + 'index.html' : path));
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new SpecError('<command line>', '--port', 'a free port', String(port)) : e));
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      const p = typeof a === 'object' && a ? a.port : port;
      resolve({ url: `http://127.0.0.1:${p}/`, server, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** Run `dnnergy web`: serve the explorer until interrupted. */
export async function runWeb(opts: WebOpts): Promise<void> {
  const port = wholeNumber(opts.port, '--port', 0);
  if (port > 65535) throw new SpecError('<command line>', '--port', 'a port number from 0 to 65535', opts.port);
  if (!existsSync(join(EXPLORER_DIR, 'index.html'))) {
    throw new SpecError(EXPLORER_DIR, '', 'the built explorer (run `npm run web` in a dnnergy checkout to build it)', 'no index.html');
  }
  const s = await serveExplorer(EXPLORER_DIR, port);
  process.stdout.write(`dnnergy explorer: ${s.url}\n(serving ${EXPLORER_DIR} on 127.0.0.1 only; Ctrl-C stops)\n`);
}
