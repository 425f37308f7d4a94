/**
 * The worker thread of createVerifier: one call at a time, with this thread's own TensorFlow.js
 * runtime, ONNX sessions and models (module state is per thread, so nothing mutable is shared).
 * Built as dist/worker.js and dist/worker.cjs; run from src/ through tsx in the tests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readIdCard } from '../card/read-id-card.js';
import { compareFaces, prepareCard, prepareFrames } from '../compare/compare-faces.js';
import { loadModels } from '../models/registry.js';
import { getOnnxRuntime, type OnnxRuntimeName } from '../models/onnx.js';
import type { BackendName } from '../models/tf.js';
import { compressToSpec } from '../photo/compress-to-spec.js';
import { validatePhoto } from '../photo/validate-photo.js';
import { verifyApplicant } from '../verify/verify-applicant.js';
import { analyzeReadingVideo } from '../liveness/analyze-reading-video.js';
import { extractFramesFromReadingVideo } from '../media/extract-frames.js';
import { observeResources } from '../core/cleanup.js';
import { useGate } from '../core/native-gate.js';
import { type FromWorker, type Method, type ToWorker, type WorkerConfig, serializeError, transferables, withSignal } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('idphoto-verify: the pool worker must be started by createVerifier, as a worker thread.');

const FUNCTIONS: Record<Method, (...args: never[]) => Promise<unknown>> = {
  validatePhoto,
  compressToSpec,
  readIdCard,
  prepareCard,
  prepareFrames,
  compareFaces,
  extractFramesFromReadingVideo,
  analyzeReadingVideo,
  verifyApplicant,
};

const config = workerData as WorkerConfig;
// Native model runs pass this gate: the pool terminates the thread only between them.
useGate(config.gate);
// Every call has a controller: the caller's abort and the pool's close both end it through its signal.
const controllers = new Map<number, AbortController>();
const calls = new Set<Promise<void>>();
// The pool holds what this thread holds, and ends it if the thread dies (terminate, a crash).
observeResources((event) => send({ type: 'resource', event }));

function send(message: FromWorker): void {
  const transfer = message.type === 'result' ? transferables(message.value) : [];
  try {
    port!.postMessage(message, transfer);
  } catch {
    // Memory owned outside V8 (some native results) cannot be moved: copy it instead.
    port!.postMessage(message);
  }
}

async function init(): Promise<void> {
  // The runtime and ONNX package are chosen once per thread; the models load now or on first use.
  if (config.onnxRuntime !== undefined) getOnnxRuntime(config.onnxRuntime as OnnxRuntimeName);
  await loadModels({ backend: config.backend as BackendName | undefined, onnxRuntime: config.onnxRuntime as OnnxRuntimeName | undefined, models: config.preload ? undefined : [] });
}

async function call(message: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  const controller = new AbortController();
  controllers.set(message.id, controller);
  try {
    const value = await FUNCTIONS[message.method](...(withSignal(message.method, message.args, controller.signal) as never[]));
    send({ type: 'result', id: message.id, value });
  } catch (error) {
    send({ type: 'error', id: message.id, error: serializeError(error) });
  } finally {
    controllers.delete(message.id);
  }
}

/** The pool is closing: every call is aborted, and the pool is told once all have ended. */
async function drain(): Promise<void> {
  for (const controller of controllers.values()) controller.abort();
  await Promise.allSettled([...calls]);
  send({ type: 'drained' });
}

init().then(
  () => {
    port.on('message', (message: ToWorker) => {
      if (message.type === 'abort') controllers.get(message.id)?.abort();
      else if (message.type === 'close') void drain();
      else {
        const running = call(message);
        calls.add(running);
        void running.finally(() => calls.delete(running));
      }
    });
    send({ type: 'ready' });
  },
  (error: unknown) => send({ type: 'init-failed', error: serializeError(error) }),
);
