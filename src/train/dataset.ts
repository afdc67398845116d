/**
 * Labelled image datasets behind one interface, so that training and
 * pruning take their image shape and class count from the data rather than
 * assuming MNIST's. `idxDataset` reads any directory of IDX files (the
 * format of MNIST, Fashion-MNIST, KMNIST, EMNIST).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SpecError } from '../spec/errors.js';

/** Images of one split, in [0, 1], each H × W × C row-major (tfjs's layout). */
export interface ImageSet {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Height, width, channels of one image. */
  readonly shape: readonly [number, number, number];
  readonly classes: number;
}

/** The splits of a dataset: training images, held-out ones that decide steps, and the test set. */
export type Split = 'train' | 'validation' | 'test';

/** A labelled image dataset. */
export interface Dataset {
  readonly name: string;
  /** Height, width, channels of one image. */
  readonly imageShape: readonly [number, number, number];
  readonly classes: number;
  /** Images in a split. */
  size(split: Split): number;
  /** Images [start, start + count) of a split (clipped to its end). */
  load(split: Split, start?: number, count?: number): ImageSet;
}

/** Values per image of a set. */
export function imageSize(set: Pick<ImageSet, 'shape'>): number {
  return set.shape[0] * set.shape[1] * set.shape[2];
}

/** An IDX file's header: item dimensions after the count, and where the data starts. */
interface IdxHeader { readonly count: number; readonly dims: readonly number[]; readonly offset: number }

function idxHeader(file: string, head: Uint8Array): IdxHeader {
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.byteLength < 8 || dv.getUint16(0) !== 0 || dv.getUint8(2) !== 0x08) {
    throw new SpecError(file, '', 'an IDX file of unsigned bytes (magic 0x0000 08 nn)', head.byteLength < 4 ? 'too short' : `magic ${dv.getUint32(0)}`);
  }
  const rank = dv.getUint8(3);
  if (rank < 1 || head.byteLength < 4 + 4 * rank) throw new SpecError(file, '', 'an IDX header with its dimensions', `rank ${rank}`);
  const all = Array.from({ length: rank }, (_, i) => dv.getUint32(4 + 4 * i));
  return { count: all[0], dims: all.slice(1), offset: 4 + 4 * rank };
}

// A gzipped set is inflated once per process: every split and header reads the same bytes.
const INFLATED = new Map<string, Buffer>();

/**
 * The bytes of an IDX file, or of `<file>.gz` inflated when only the gzipped
 * file is there (Fashion-MNIST as Debian ships it).
 */
function idxBytes(file: string): Buffer {
  if (existsSync(file) || !existsSync(file + '.gz')) {
    try {
      return readFileSync(file);
    } catch {
      throw new SpecError(file, '', 'an IDX file', 'no such file');
    }
  }
  let buf = INFLATED.get(file);
  if (!buf) {
    try {
      buf = gunzipSync(readFileSync(file + '.gz'));
    } catch (e) {
      throw new SpecError(file + '.gz', '', 'a gzipped IDX file', (e as Error).message.split('\n')[0]);
    }
    INFLATED.set(file, buf);
  }
  return buf;
}

/** Items [start, start + count) of an IDX file of unsigned bytes (or of its `.gz`). */
export function readIdx(file: string, start = 0, count = Infinity): { data: Uint8Array; count: number; dims: readonly number[] } {
  const buf = idxBytes(file);
  const h = idxHeader(file, buf.subarray(0, Math.min(buf.byteLength, 4 + 4 * 255)));
  const item = h.dims.reduce((a, b) => a * b, 1);
  const end = Math.min(h.count, start + count);
  const n = Math.max(0, end - start);
  if (buf.byteLength < h.offset + end * item) throw new SpecError(file, '', `${h.count} items of ${item} bytes`, `${buf.byteLength} bytes`);
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + h.offset + start * item, n * item), count: n, dims: h.dims };
}

function headerOf(file: string): IdxHeader {
  if (!existsSync(file) && existsSync(file + '.gz')) {
    const buf = idxBytes(file);
    return idxHeader(file, buf.subarray(0, Math.min(buf.byteLength, 4 + 4 * 4)));
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new SpecError(file, '', 'an IDX file', 'no such file');
  }
  try {
    const head = new Uint8Array(4 + 4 * 4);
    const got = readSync(fd, head, 0, head.byteLength, 0);
    return idxHeader(file, head.subarray(0, got));
  } finally {
    closeSync(fd);
  }
}

/** Naming, the validation hold-out and the class count of an IDX directory. */
export interface IdxDatasetOptions {
  readonly name?: string;
  /** Images at the end of the training files held out as the validation split (default 5,000). */
  readonly validation?: number;
  /** Classes (default: the largest training label + 1). */
  readonly classes?: number;
}

/**
 * A directory of IDX files in MNIST's naming: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte` (each may be gzipped, `.gz`). Images are H × W (one channel) or H × W × C;
 * pixels are scaled to [0, 1]. The last `validation` training images are the
 * validation split.
 */
export function idxDataset(dir: string, o: IdxDatasetOptions = {}): Dataset {
  const file = (prefix: string, what: 'images' | 'labels') => join(dir, `${prefix}-${what}-idx${what === 'images' ? 3 : 1}-ubyte`);
  const trainImages = headerOf(file('train', 'images'));
  const testImages = headerOf(file('t10k', 'images'));
  const d = trainImages.dims;
  if (d.length !== 2 && d.length !== 3) throw new SpecError(file('train', 'images'), '', 'images of H × W or H × W × C', `${d.length + 1} dimensions`);
  const imageShape: [number, number, number] = [d[0], d[1], d[2] ?? 1];
  const held = o.validation ?? 5000;
  if (held >= trainImages.count) throw new SpecError(dir, 'validation', `fewer held-out images than the ${trainImages.count} training images`, String(held));
  const classes = o.classes ?? Math.max(...readIdx(file('train', 'labels')).data) + 1;
  const ranges: Record<Split, { prefix: string; first: number; size: number }> = {
    train: { prefix: 'train', first: 0, size: trainImages.count - held },
    validation: { prefix: 'train', first: trainImages.count - held, size: held },
    test: { prefix: 't10k', first: 0, size: testImages.count },
  };
  return {
    name: o.name ?? dir.replace(/\/+$/, '').replace(/^.*\//, ''),
    imageShape,
    classes,
    size: (split) => ranges[split].size,
    load(split, start = 0, count = Infinity) {
      const r = ranges[split];
      const n = Math.max(0, Math.min(count, r.size - start));
      const img = readIdx(file(r.prefix, 'images'), r.first + start, n);
      const lab = readIdx(file(r.prefix, 'labels'), r.first + start, n);
      const images = new Float32Array(img.data.length);
      for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
      return { images, labels: Uint8Array.from(lab.data), count: lab.count, shape: imageShape, classes };
    },
  };
}
