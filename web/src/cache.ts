/**
 * Results by canonical key: in memory, and in IndexedDB across reloads. The
 * key is the job itself (its fields in a fixed order), with an ONNX file's
 * bytes replaced by their hash: same inputs, same engine, same answer.
 */
import type { Job } from './jobs.js';

const memory = new Map<string, unknown>();
const DB = 'dnnergy-explorer';
const STORE = 'results';
/** Bump when the engine's answers may change: old entries are then never read. */
const VERSION = 'v1';

function hashBytes(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  return `${b.length}:${h.toString(16)}`;
}

/** The canonical key of a job. */
export function jobKey(job: Job): string {
  return VERSION + JSON.stringify(job, (_k, v: unknown) => (v instanceof Uint8Array ? hashBytes(v) : v));
}

let db: Promise<IDBDatabase | null> | null = null;
function open(): Promise<IDBDatabase | null> {
  db ??= new Promise((resolve) => {
    try {
      const r = indexedDB.open(DB, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => resolve(null);
    } catch {
      resolve(null); // file:// pages in some browsers have no IndexedDB: memory only.
    }
  });
  return db;
}

/** A cached result, or undefined. */
export async function cached(key: string): Promise<unknown> {
  if (memory.has(key)) return memory.get(key);
  const d = await open();
  if (!d) return undefined;
  return new Promise((resolve) => {
    const r = d.transaction(STORE, 'readonly').objectStore(STORE).get(key);
    r.onsuccess = () => { if (r.result !== undefined) memory.set(key, r.result); resolve(r.result); };
    r.onerror = () => resolve(undefined);
  });
}

/** Keep a result. */
export async function store(key: string, value: unknown): Promise<void> {
  memory.set(key, value);
  const d = await open();
  if (!d) return;
  await new Promise<void>((resolve) => {
    const t = d.transaction(STORE, 'readwrite');
    t.objectStore(STORE).put(value, key);
    t.oncomplete = () => resolve();
    t.onerror = () => resolve();
  });
}
