/** A small synthetic IDX dataset for tests: 12×12×3 images in 3 classes (class k is bright in channel k). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An IDX file of unsigned bytes: magic 0x0000 08 rank, big-endian dimensions, data. */
function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** A colour dataset of 12×12×3 images in 3 classes: class k is bright in channel k. */
export function colourDir(train: number, test: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'dnnergy-idx-'));
  const write = (prefix: string, n: number) => {
    const img = new Uint8Array(n * 12 * 12 * 3), lab = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      lab[i] = i % 3;
      for (let p = 0; p < 144; p++) img[i * 432 + p * 3 + lab[i]] = 200 + ((i * 7 + p) % 50);
    }
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx([n, 12, 12, 3], img));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([n], lab));
  };
  write('train', train);
  write('t10k', test);
  return dir;
}
