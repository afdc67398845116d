/**
 * The training substrate: tfjs on its WebAssembly backend (tfjs-node does
 * not install here), with the gradient kernels that backend lacks.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { registerMissingKernels } from './kernels.js';

let ready: Promise<typeof tf> | null = null;

/** Select the wasm backend (once) and return tfjs. */
export function initTf(): Promise<typeof tf> {
  if (!ready) {
    ready = (async () => {
      const require = createRequire(import.meta.url);
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      setWasmPaths(dist + '/');
      await tf.setBackend('wasm');
      await tf.ready();
      registerMissingKernels();
      return tf;
    })();
  }
  return ready;
}
