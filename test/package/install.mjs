// A fresh project installs the packed tarball, as a host would (README: Install): with the one .npmrc
// line it gets the native ONNX runtime; ffmpeg comes only when the host adds the two ffmpeg packages
// (a photo-only host leaves them out); without the .npmrc line it runs on onnxruntime-web. Prints
// node_modules sizes. `npm run test:install` (needs the npm registry).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(repo, 'fixtures/photos/compliant.jpg');
const work = mkdtempSync(join(tmpdir(), 'idphoto-install-'));
// Each install sees only its own project's .npmrc: under `npm run`, npm hands this repo's config to
// children as npm_config_* variables, which would make every project skip the CUDA download.
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^ONNXRUNTIME_NODE_INSTALL/i.test(k)));
const npm = (args, cwd, env = {}) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

function size(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = lstatSync(p);
    total += s.isDirectory() ? size(p) : s.size;
  }
  return total;
}
const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;

// What the host runs: the library's own view of its runtime, and one photo.
const probe = `
  const lib = await import('idphoto-verify');
  const loaded = await lib.loadModels();
  const r = await lib.validatePhoto(${JSON.stringify(fixture)});
  let ffmpeg = 'present';
  await lib.extractFramesFromReadingVideo(Buffer.from('not a video')).catch((e) => { ffmpeg = e.code === 'FFMPEG_NOT_FOUND' ? 'absent' : 'present'; });
  // idphoto-verify/queue imports without its optional peers, and says what to install when used.
  const q = await import('idphoto-verify/queue');
  let queue = 'usable';
  try { q.createQueueClient({ connection: 'redis://127.0.0.1:1' }); } catch (e) { queue = e.code + (/npm install bullmq ioredis/.test(e.message) ? ' (says what to install)' : ''); }
  console.log(JSON.stringify({ onnxRuntime: loaded.onnxRuntime, passed: r.passed, ffmpeg, queue }));
`;

try {
  const tarball = join(work, npm(['pack', '--silent', '--pack-destination', work], repo).trim().split('\n').at(-1));
  const rows = [];
  const ffmpeg = ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'];
  for (const [name, npmrc, extra] of [
    ['photo and video (README)', 'onnxruntime-node-install=skip\n', ffmpeg],
    ['photo only (README)', 'onnxruntime-node-install=skip\n', []],
    ['without the .npmrc line', '', []],
  ]) {
    const dir = join(work, name.replace(/\W+/g, '-'));
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'host', version: '1.0.0', type: 'module', private: true }));
    if (npmrc) writeFileSync(join(dir, '.npmrc'), npmrc);
    const started = performance.now();
    // The host's own PATH ffmpeg must not hide what the package brings.
    npm(['install', '--no-audit', '--no-fund', tarball, ...extra], dir, { FFMPEG_PATH: '', FFPROBE_PATH: '' });
    const seconds = (performance.now() - started) / 1000;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin', FFMPEG_PATH: '', FFPROBE_PATH: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const result = JSON.parse(out.trim().split('\n').at(-1));
    rows.push({ name, seconds, size: size(join(dir, 'node_modules')), ...result });
  }
  console.log('| install | node_modules | install s | ONNX runtime | ffmpeg | compliant photo |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${mb(r.size)} | ${r.seconds.toFixed(0)} | ${r.onnxRuntime} | ${r.ffmpeg} | ${r.passed ? 'passes' : 'FAILS'} |`);
  const [full, photoOnly, bare] = rows;
  assert.equal(full.onnxRuntime, 'onnxruntime-node', 'the README install gives the native ONNX runtime');
  assert.equal(photoOnly.onnxRuntime, 'onnxruntime-node', 'the photo-only install gives the native ONNX runtime');
  assert.equal(full.ffmpeg, 'present', 'the video install brings ffmpeg');
  assert.equal(photoOnly.ffmpeg, 'absent', 'the photo-only install has no ffmpeg');
  assert.ok(full.passed && photoOnly.passed && bare.passed, 'the compliant photo passes in every install');
  assert.ok(photoOnly.size < full.size, 'photo-only is smaller');
  for (const r of rows) assert.equal(r.queue, 'BACKEND_UNAVAILABLE (says what to install)', `${r.name}: idphoto-verify/queue without bullmq says what to install`);
  assert.equal(bare.onnxRuntime, 'onnxruntime-web', 'without the .npmrc line npm drops onnxruntime-node (this is why the README asks for it)');
  console.log(`install: ${rows.length} installs checked; without the .npmrc line the runtime is ${bare.onnxRuntime}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
