import { createRequire } from 'node:module';
import { ErrorCode, VerifyError } from '../core/errors.js';

// TensorFlow.js and face-api ship CommonJS builds for Node; loading both through one `require`
// guarantees a single tfjs-core engine in both the ESM and the CommonJS build of this library.
const require = createRequire(import.meta.url);

export type Tf = typeof import('@tensorflow/tfjs');
export type FaceApi = typeof import('@vladmandic/face-api');

/** 'auto': tfjs-node when the host has it installed, else WebAssembly. */
export type BackendName = 'auto' | 'wasm' | 'tensorflow' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['auto', 'wasm', 'tensorflow', 'cpu']);

export interface Runtime {
  tf: Tf;
  faceapi: FaceApi;
  /** The backend in use: 'wasm', 'tensorflow' (tfjs-node) or 'cpu'. */
  backend: string;
}

let runtime: Promise<Runtime> | undefined;

export function getRuntime(backend: BackendName = 'auto'): Promise<Runtime> {
  runtime ??= initRuntime(backend).catch((error) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** The runtime if it was initialised, without starting it. */
export function peekRuntime(): Promise<Runtime> | undefined {
  return runtime;
}

async function initRuntime(backend: BackendName): Promise<Runtime> {
  if (!['auto', 'wasm', 'tensorflow', 'cpu'].includes(backend)) {
    throw new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected one of auto, wasm, tensorflow, cpu for backend but received ${String(backend)}`);
  }
  let chosen: string | undefined;
  if (backend === 'auto' || backend === 'tensorflow') {
    try {
      // Optional peer: registers the 'tensorflow' backend with the shared tfjs-core.
      require('@tensorflow/tfjs-node');
      chosen = 'tensorflow';
    } catch (cause) {
      if (backend === 'tensorflow') {
        throw new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, 'Backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed or does not load here.', { cause });
      }
    }
  }
  const tf: Tf = require('@tensorflow/tfjs');
  if (!chosen) {
    if (backend === 'cpu') chosen = 'cpu';
    else {
      require('@tensorflow/tfjs-backend-wasm');
      chosen = 'wasm';
    }
  }
  const faceapi: FaceApi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const before = processHandlers();
  try {
    const ok = await tf.setBackend(chosen);
    if (!ok) throw new Error(`tf.setBackend('${chosen}') returned false`);
    await tf.ready();
  } catch (cause) {
    throw new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, `The TensorFlow.js backend "${chosen}" could not be initialised: ${(cause as Error).message}`, {
      cause,
      details: { backend: chosen },
    });
  }
  // The Emscripten loader of the WASM backend adds process-wide 'uncaughtException' and
  // 'unhandledRejection' handlers that rethrow, so that any later crash of the host prints the
  // backend's 100 KB minified source line. A library must not change how its host crashes.
  removeHandlersAddedSince(before);
  tf.env().set('PROD', true);
  return { tf, faceapi, backend: tf.getBackend() };
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const EVENTS: readonly ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

function processHandlers(): Map<ProcessEvent, Function[]> {
  return new Map(EVENTS.map((event) => [event, process.listeners(event as 'uncaughtException')]));
}

function removeHandlersAddedSince(before: Map<ProcessEvent, Function[]>): void {
  for (const event of EVENTS) {
    for (const listener of process.listeners(event as 'uncaughtException')) {
      if (!before.get(event)!.includes(listener)) process.removeListener(event as 'uncaughtException', listener as NodeJS.UncaughtExceptionListener);
    }
  }
}
