/**
 * dnnergy's public surface: what `import … from 'dnnergy'` gives a script or
 * a browser bundle. Minimal for now — the lead extends it (mapLayer,
 * analyzeNetwork, readers, zoo, built-ins, reports); keep it browser-safe.
 */
export { evaluate } from './model/model.js';
export type { Result } from './model/result.js';
