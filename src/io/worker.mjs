// Worker-thread bootstrap for running from the TypeScript sources: load the
// worker through tsx. The compiled build loads worker.js directly.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
