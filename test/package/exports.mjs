// The built package, as users get it: `import` and `require` of the package root, and the CLI.
// Run after `npm run build` (npm test does both).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let passed = 0;
const ok = (value, message) => {
  assert.ok(value, message);
  passed++;
};
const fixture = fileURLToPath(new URL('../../fixtures/photos/compliant.jpg', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

// Every public declaration of the types says what it is (a doc comment), in both type files.
for (const file of ['index.d.ts', 'index.d.cts', 'queue.d.ts', 'queue.d.cts']) {
  const dts = readFileSync(fileURLToPath(new URL(`../../dist/${file}`, import.meta.url)), 'utf8');
  const exported = new Set([...dts.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) => m[1].split(',').map((x) => x.trim().replace(/^type /, '').split(' as ')[0])));
  const lines = dts.split('\n');
  const bare = lines.flatMap((line, i) => {
    const m = /^(?:declare )?(?:interface|type|const|function|class)\s+(\w+)/.exec(line);
    return m && exported.has(m[1]) && !lines[i - 1]?.trim().endsWith('*/') ? [m[1]] : [];
  });
  ok(bare.length === 0 && exported.size > (file.startsWith('queue') ? 10 : 100), `${file}: all ${exported.size} public declarations are documented${bare.length ? `; not: ${bare.join(', ')}` : ''}`);
}

// idphoto-verify/queue: its own entry; the core never loads bullmq (an optional peer dependency).
const queueEsm = await import('idphoto-verify/queue');
const queueCjs = require('idphoto-verify/queue');
ok(typeof queueEsm.createQueueWorker === 'function' && typeof queueCjs.createQueueClient === 'function', 'idphoto-verify/queue: import and require');
for (const file of ['index.js', 'index.cjs']) {
  const code = readFileSync(fileURLToPath(new URL(`../../dist/${file}`, import.meta.url)), 'utf8');
  ok(!/bullmq|ioredis/.test(code), `${file} never names bullmq or ioredis`);
}

const esm = await import('idphoto-verify');
const cjs = require('idphoto-verify');
for (const [name, api] of [['import', esm], ['require', cjs]]) {
  for (const key of ['validatePhoto', 'loadModels', 'disposeModels', 'VerifyError', 'ErrorCode', 'HUBEI_EXAM_PHOTO', 'defineSpec']) {
    ok(api[key] !== undefined, `${name}: ${key} is exported`);
  }
}
const viaImport = await esm.validatePhoto(fixture);
ok(viaImport.passed === true, 'import: the compliant fixture passes');
const viaRequire = await cjs.validatePhoto(fixture);
ok(viaRequire.passed === true, 'require: the compliant fixture passes');
const error = await cjs.validatePhoto(Buffer.alloc(0)).catch((e) => e);
ok(error instanceof cjs.VerifyError && error.code === 'INPUT_EMPTY', 'require: typed errors');
// Two copies of the library in one process (an ESM host using a CJS dependency): errors are recognised across them.
ok(esm.VerifyError !== cjs.VerifyError && esm.isVerifyError(error, 'INPUT_EMPTY') && error instanceof esm.VerifyError, 'import: isVerifyError and instanceof recognise the require copy\'s errors');
ok(/上传/.test(error.messages.zh) && error.messages.en.length > 0, 'require: errors carry messages in Chinese and English');
for (const [name, api] of [['import', esm], ['require', cjs]]) {
  // Each build finds its own worker entry (dist/worker.js, dist/worker.cjs) beside it.
  const verifier = api.createVerifier({ workers: 1 });
  ok((await verifier.validatePhoto(fixture)).passed === true, `${name}: createVerifier runs validatePhoto on a worker thread`);
  await verifier.close();
}

// Which ONNX runtime runs: the native one here; without it, WebAssembly and one warning however often models load.
ok((await esm.loadModels({ models: ['faceDetectOnnx'] })).onnxRuntime === 'onnxruntime-node', 'loadModels says the native ONNX runtime is active');
const preload = fileURLToPath(new URL('./no-onnxruntime-node.cjs', import.meta.url));
const slow = spawnSync(
  process.execPath,
  ['--require', preload, '-e', "const v = require('idphoto-verify'); v.loadModels({ models: ['faceDetectOnnx'] }).then(async (r) => { await v.loadModels({ models: ['faceEmbedding'] }); console.log(r.onnxRuntime); })"],
  { encoding: 'utf8' },
);
ok(slow.status === 0 && slow.stdout.trim() === 'onnxruntime-web', `without onnxruntime-node, loadModels says onnxruntime-web: ${slow.stdout} ${slow.stderr}`);
ok((slow.stderr.match(/IDPHOTO_ONNX_WASM/g) ?? []).length === 1 && /PerformanceWarning/.test(slow.stderr), `one PerformanceWarning says so: ${slow.stderr}`);

// The README's server example: a photo is checked on the pool, a bad upload is a 422 with its code.
{
  const server = spawn(process.execPath, [fileURLToPath(new URL('../../examples/server.mjs', import.meta.url))], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      server.stdout.on('data', (d) => /listening on (\d+)/.test(String(d)) && resolve(Number(/listening on (\d+)/.exec(String(d))[1])));
      server.once('exit', (code) => reject(new Error(`examples/server.mjs exited with ${code}`)));
    });
    const photo = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: readFileSync(fixture) });
    ok(photo.status === 200 && (await photo.json()).passed === true, 'examples/server.mjs: the compliant photo passes');
    const empty = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '' });
    const body = await empty.json();
    ok(empty.status === 422 && body.code === 'INPUT_EMPTY' && /上传/.test(body.messages.zh) && body.messages.en.length > 0, 'examples/server.mjs: an empty upload is a 422 INPUT_EMPTY with messages in both languages');
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', resolve)));
  }
}

const good = spawnSync(process.execPath, [cli, 'check', fixture], { encoding: 'utf8' });
ok(good.status === 0 && /1 photo checked: 1 pass, 0 fail/.test(good.stdout), `CLI exits 0 on a compliant photo: ${good.stderr}`);
const bad = spawnSync(process.execPath, [cli, 'check', '--json', fixture.replace('compliant', 'hat')], { encoding: 'utf8' });
ok(bad.status === 1 && JSON.parse(bad.stdout).passed === false, 'CLI exits 1 and prints JSON for a failing photo');
const usage = spawnSync(process.execPath, [cli, 'nonsense'], { encoding: 'utf8' });
ok(usage.status === 2, 'CLI exits 2 on a usage error');

console.log(`package: ${passed} passed, 0 failed`);
