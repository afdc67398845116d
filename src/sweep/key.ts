/**
 * Canonical keys: a job is known by what decides its answer — the design
 * (base and every parameter), the layer's shape, the batch, the objective,
 * the budget and the seed — written as JSON with sorted keys and hashed.
 * The same key on any machine names the same result, so a result stored
 * twice is the same row, and a repeated layer shape is answered once.
 */

/** Bump when a change to the engine or the job's meaning makes stored results stale. */
export const KEY_VERSION = 'dnnergy-sweep-1';

/** JSON with object keys sorted at every depth: equal values, equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** cyrb53: a fast 53-bit string hash; two seeds give 106 bits, ample for a sweep's keys. */
function cyrb53(s: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A hex key of a value's canonical JSON (27 hex digits), starting with a letter (BullMQ job ids must not be numbers). */
export function keyOf(v: unknown): string {
  const s = `${KEY_VERSION}\n${canonicalJson(v)}`;
  return `k${cyrb53(s, 1).toString(16).padStart(14, '0')}${cyrb53(s, 2).toString(16).padStart(14, '0')}`;
}
