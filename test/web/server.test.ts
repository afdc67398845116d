/** `dnnergy web`'s server: files of its folder on 127.0.0.1, nothing outside it; a bad port is a user error. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveExplorer } from '../../src/cli/web.js';
import { runCli } from '../helpers/cli.js';

describe('dnnergy web', () => {
  it('serves the folder on 127.0.0.1 with content types, and refuses paths outside it and other methods', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dnnergy-serve-'));
    mkdirSync(join(root, 'site'));
    writeFileSync(join(root, 'site/index.html'), '<p>hi</p>');
    writeFileSync(join(root, 'site/w.js'), 'x');
    writeFileSync(join(root, 'secret.txt'), 'no');
    const s = await serveExplorer(join(root, 'site'), 0);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((s.server.address() as { address: string }).address).toBe('127.0.0.1');
      const index = await fetch(s.url);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await index.text()).toBe('<p>hi</p>');
      expect((await fetch(`${s.url}w.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
      for (const p of ['../secret.txt', '%2e%2e/secret.txt', '..%2fsecret.txt', 'missing.js']) expect((await fetch(s.url + p)).status).toBe(404);
      expect((await fetch(s.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await s.close();
    }
  });

  it('a port out of range is a one-line user error (exit 2)', async () => {
    const r = await runCli(['web', '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('dnnergy: <command line>: --port: expected a port number from 0 to 65535, found 70000\n');
  });
});
