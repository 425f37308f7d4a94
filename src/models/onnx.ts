import { createRequire } from 'node:module';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';
import { throughGate } from '../core/native-gate.js';

const require = createRequire(import.meta.url);

/**
 * onnxruntime-node 1.30's telemetry (Microsoft's 1DS SDK, on POSIX since 1.29) writes a device-id file
 * (`.ses`) and `mat-debug-<pid>.log` into TMPDIR, reads /etc/machine-id and the host name, and tries to
 * upload a ProcessInfo event, for every process. A library that handles applicants' photos offline must not:
 * ORT_DISABLE_TELEMETRY=1 turns it off, and is read once, when the native runtime starts, from the process's
 * real environment — so it is set here, in the thread that loads this module before any worker thread
 * exists (a worker's process.env is a copy that native code never sees). A host that set it keeps its value.
 */
export function disableOnnxTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
disableOnnxTelemetry();

/** 'auto': onnxruntime-node when it is installed and loads (native, ~4× faster here), else onnxruntime-web (WebAssembly). */
export type OnnxRuntimeName = 'auto' | 'node' | 'web';

/** The parts of onnxruntime's API this library uses (both packages share it). */
export interface OnnxTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OnnxTensor>): Promise<Record<string, OnnxTensor>>;
  release(): Promise<void>;
}
interface OnnxModule {
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): OnnxTensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): OnnxTensor;
  };
  InferenceSession: { create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OnnxSession> };
  env: { wasm?: { numThreads?: number } };
}

export interface OnnxRuntime {
  ort: OnnxModule;
  /** The package in use: 'onnxruntime-node' or 'onnxruntime-web'. */
  name: 'onnxruntime-node' | 'onnxruntime-web';
}

let chosen: { preference: OnnxRuntimeName; runtime: OnnxRuntime } | undefined;
let warned = false;

/** Once a process, when the native runtime was wanted and is missing (a caller asking for 'web' is not warned). */
function warnSlowRuntime(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    'onnxruntime-node is not installed or does not load here: the ONNX models (face detection, landmarks, embedding) run on onnxruntime-web, ' +
      'WebAssembly, about 3× slower (a face embedding 33 ms against 9.5 ms). Put onnxruntime-node-install=skip in the project .npmrc (or ONNXRUNTIME_NODE_INSTALL=skip) and install again to keep the native runtime (README: Install).',
    { type: 'PerformanceWarning', code: 'IDPHOTO_ONNX_WASM' },
  );
}

/** The ONNX runtime, chosen once per process. */
export function getOnnxRuntime(preference: OnnxRuntimeName = 'auto'): OnnxRuntime {
  if (!['auto', 'node', 'web'].includes(preference)) throw invalidArgument('onnxRuntime', "one of 'auto', 'node', 'web'", preference);
  if (chosen && (preference === 'auto' || chosen.preference === preference)) return chosen.runtime;
  let runtime: OnnxRuntime | undefined;
  disableOnnxTelemetry(); // before the native runtime starts (in the main thread; the pool sets it before its threads)
  if (preference !== 'web') {
    try {
      // Optional dependency: its install script downloads CUDA files and fails offline, in which
      // case npm leaves it out and the WebAssembly build below is used.
      runtime = { ort: require('onnxruntime-node') as OnnxModule, name: 'onnxruntime-node' };
    } catch (cause) {
      if (preference === 'node') {
        throw new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, 'onnxRuntime "node" needs the optional dependency onnxruntime-node, which is not installed or does not load here.', {
          cause,
        });
      }
    }
  }
  if (!runtime) {
    try {
      runtime = { ort: require('onnxruntime-web') as OnnxModule, name: 'onnxruntime-web' };
      if (preference === 'auto') warnSlowRuntime();
    } catch (cause) {
      throw new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, 'Neither onnxruntime-node nor onnxruntime-web could be loaded.', { cause });
    }
  }
  chosen = { preference, runtime };
  return runtime;
}

/**
 * Builds an inference session from verified model bytes. One thread a run: these models are small
 * (a 112×112 embedding, a 320×240 detection), and onnxruntime's pool of one thread a core cost more
 * than it gave on 2 cores — the flip-averaged embedding 24 ms against 35–41 ms, UltraFace 9 against
 * 17 ms, measured in one run — and a pool (createVerifier) already runs one call a core.
 */
export async function createSession(rt: OnnxRuntime, bytes: Uint8Array): Promise<OnnxSession> {
  const options = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 };
  if (rt.name !== 'onnxruntime-node') return rt.ort.InferenceSession.create(bytes, options);
  // Native: every call into the addon passes the thread's gate, so that the pool never terminates the thread mid-call (core/native-gate.ts).
  const session = await throughGate(() => rt.ort.InferenceSession.create(bytes, options));
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: (feeds) => throughGate(() => session.run(feeds)),
    release: () => throughGate(() => session.release()),
  };
}
