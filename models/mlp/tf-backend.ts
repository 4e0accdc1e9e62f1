import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { dirname, join } from 'node:path';

let ready: Promise<string> | undefined;

/**
 * Picks the TensorFlow.js backend once: `@tensorflow/tfjs-node` (native TensorFlow) when the user has installed it,
 * else the WebAssembly backend shipped with the project. The native package is not a dependency because its install
 * script downloads TensorFlow from outside the package registry.
 */
export function initTensorflow(): Promise<string> {
  ready ??= (async () => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@tensorflow/tfjs-node');
      await tf.setBackend('tensorflow');
    } catch {
      setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
      await tf.setBackend('wasm');
    }
    await tf.ready();
    return tf.getBackend();
  })();
  return ready;
}

export { tf };
