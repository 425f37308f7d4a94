import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { disableOnnxTelemetry } from '../models/onnx.js';
import type { WorkerConfig } from './protocol.js';

const require = createRequire(import.meta.url);

/**
 * The worker entry beside this module: dist/worker.js from dist/index.js or dist/cli.js,
 * dist/worker.cjs from dist/index.cjs, src/pool/worker.ts from the sources.
 */
export function workerFile(): URL {
  const here = new URL(import.meta.url);
  const ext = /\.(c?js|ts)$/.exec(here.pathname)?.[0] ?? '.js';
  return new URL(`./worker${ext}`, here);
}

export function startWorker(config: WorkerConfig): Worker {
  // Before any thread can load onnxruntime-node: only the main thread's environment reaches native code.
  disableOnnxTelemetry();
  // sharp's docs: on glibc Linux the main thread must load sharp before any worker does, so that
  // its shared libraries stay loaded until every thread is done.
  require('sharp');
  const file = workerFile();
  if (!file.pathname.endsWith('.ts')) return new Worker(file, { workerData: config });
  // Running from the TypeScript sources (the tests): tsx, a devDependency, compiles the entry in
  // the thread. Node 20 does not apply `--import tsx` to workers, so the hook is registered here.
  // tsx's CommonJS API resolves its hooks wrongly from an eval'd thread: use its ESM twin.
  const tsx = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(file.href)}));`;
  return new Worker(boot, { eval: true, workerData: config });
}
