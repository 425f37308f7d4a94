// The built CLI as operators run it: a child process on a folder of generated fixtures (odd names,
// unreadable files, a symlink loop); exit codes, JSON lines, CSV, the report, fix's outputs.
// Run after `npm run build` (npm test does both).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let passed = 0;
const ok = (value, message) => {
  assert.ok(value, message);
  passed++;
};
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const photos = fileURLToPath(new URL('../../fixtures/photos/', import.meta.url));
const faces = fileURLToPath(new URL('../../fixtures/faces/', import.meta.url));
const videos = fileURLToPath(new URL('../../fixtures/videos/', import.meta.url));
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

const dir = mkdtempSync(join(tmpdir(), 'idphoto-cli-pkg-'));
try {
  const input = join(dir, 'uploads');
  mkdirSync(join(input, 'sub'), { recursive: true });
  copyFileSync(join(photos, 'compliant.jpg'), join(input, '张三 照片.jpg'));
  copyFileSync(join(photos, 'hat.jpg'), join(input, 'with hat.jpg'));
  copyFileSync(join(photos, 'size-60kb.jpg'), join(input, 'sub', 'big,file.jpg'));
  writeFileSync(join(input, 'empty.jpg'), '');
  writeFileSync(join(input, 'notes.txt'), 'not a photo');
  symlinkSync(input, join(input, 'sub', 'loop'));

  const json = run('check', '--json', input);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  ok(json.status === 1, `check --json exits 1 when some fail (${json.status}: ${json.stderr})`);
  ok(lines.length === 5, `one JSON line per file, symlink loop walked once (${lines.length})`);
  ok(lines.filter((l) => l.passed === true).length === 1, 'one photo passes');
  ok(lines.some((l) => l.error?.code === 'INPUT_EMPTY') && lines.some((l) => l.error?.code === 'UNSUPPORTED_FORMAT'), 'unreadable files are rows with their codes');

  const csv = run('check', '--csv', '--locale', 'zh', input);
  const rows = csv.stdout.trim().split('\n');
  ok(csv.status === 1 && rows[0] === 'file,passed,failed_checks,error_code,message' && rows.length === 6, `CSV: a header and 5 rows (${rows.length})`);
  ok(rows.some((r) => r.startsWith('"') && r.includes('big,file.jpg"') && r.includes('fileSize')), 'CSV quotes a name with a comma');
  ok(/[\u4e00-\u9fff]/.test(csv.stdout), 'CSV messages follow --locale zh');

  const report = join(dir, 'report.html');
  const withReport = run('check', '--report', report, join(input, '*.jpg'));
  ok(withReport.status === 1 && existsSync(report), `check --report writes the report, globs expand (${withReport.stderr})`);
  const html = readFileSync(report, 'utf8');
  ok(html.includes('张三 照片.jpg') && !/(src|href)="https?:/.test(html), 'the report names the photos and loads nothing from the network');

  const out = join(dir, 'fixed');
  const fixed = run('fix', '--out', out, join(input, '张三 照片.jpg'), join(input, 'sub', 'big,file.jpg'), join(input, 'notes.txt'));
  const written = readdirSync(out).sort();
  ok(fixed.status === 1, `fix exits 1 when an input cannot be fixed (${fixed.status}: ${fixed.stderr})`);
  ok(written.includes('张三 照片.jpg') && written.includes('big,file.jpg') && written.includes('not-fixed.txt'), `fix writes each output and not-fixed.txt (${written})`);
  ok(!written.some((f) => f.endsWith('.partial')), 'no partial files are left');
  ok(readFileSync(join(out, 'not-fixed.txt'), 'utf8').includes('UNSUPPORTED_FORMAT'), 'not-fixed.txt says why');
  const size = statSync(join(out, 'big,file.jpg')).size;
  ok(size >= 20 * 1024 && size <= 40_000, `the fixed photo is in the byte band (${size})`);
  const again = run('fix', '--out', input, join(input, 'with hat.jpg'));
  ok(again.status === 2 && statSync(join(input, 'with hat.jpg')).size === statSync(join(photos, 'hat.jpg')).size, 'fix refuses to overwrite an input (exit 2)');
  // The same folder reached another way: a symlink to it, a hard link to the photo, the name in another case.
  const hatSize = statSync(join(photos, 'hat.jpg')).size;
  const link = join(dir, 'link-to-uploads');
  symlinkSync(input, link);
  const viaLink = run('fix', '--out', link, join(input, 'with hat.jpg'));
  ok(viaLink.status === 2 && statSync(join(input, 'with hat.jpg')).size === hatSize, `fix --out <symlink to the input folder> is refused (exit 2), the photo intact (${viaLink.stderr.trim()})`);
  const hard = join(dir, 'hard');
  mkdirSync(hard);
  linkSync(join(input, 'with hat.jpg'), join(hard, 'with hat.jpg'));
  const viaHardLink = run('fix', '--out', hard, join(input, 'with hat.jpg'));
  ok(viaHardLink.status === 2 && statSync(join(input, 'with hat.jpg')).size === hatSize, 'fix refuses an output that is a hard link to an input (exit 2)');

  const compare = run('compare', '--json', join(faces, 'card-person-a.jpg'), join(faces, 'person-a-frame-1.jpg'), join(faces, 'person-a-frame-2.jpg'), join(faces, 'person-a-frame-3.jpg'));
  ok(compare.status === 0 && JSON.parse(compare.stdout).match === true, `compare: the card matches the frames (${compare.stderr})`);
  const framesOut = join(dir, 'frames');
  const frames = run('frames', '--out', framesOut, '--count', '3', join(videos, 'upright.mp4'));
  ok(frames.status === 0 && readdirSync(framesOut).length === 3, `frames writes 3 JPEGs (${frames.stderr})`);
  const verify = run('verify', '--json', '--id-card', join(faces, 'card-person-a.jpg'), '--video', join(videos, 'photo-voice.mp4'), '--photo', join(photos, 'compliant.jpg'));
  const v = JSON.parse(verify.stdout);
  ok(verify.status === 1 && v.reasons.some((r) => r.id === 'LIP_MOVEMENT_TOO_SMALL') && v.attemptsLeft === 2, `verify: reasons and attempts (${verify.stderr})`);

  // Ctrl-C in the middle of a fix: the run stops, every file written is whole, none is partial.
  const many = join(dir, 'many');
  mkdirSync(many);
  const count = 80;
  for (let i = 0; i < count; i++) copyFileSync(join(photos, 'size-60kb.jpg'), join(many, `p${i}.jpg`));
  const interruptedOut = join(dir, 'interrupted');
  const child = spawn(process.execPath, [cli, 'fix', '--out', interruptedOut, many], { stdio: 'ignore' });
  // Ctrl-C once the first photo is written: the run is under way (a fix takes ~0.2 s, so not a fixed delay).
  for (let waited = 0; waited < 60_000 && !(existsSync(interruptedOut) && readdirSync(interruptedOut).some((f) => f.endsWith('.jpg'))); waited += 50) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('exit', (c, signal) => r(c ?? signal)));
  const left = existsSync(interruptedOut) ? readdirSync(interruptedOut) : [];
  ok(code === 130, `Ctrl-C exits 130 (${code})`);
  ok(left.length < count && !left.some((f) => f.endsWith('.partial')), `Ctrl-C stops the run and leaves no partial file (${left.length} of ${count} written)`);
  ok(left.every((f) => f === 'not-fixed.txt' || readFileSync(join(interruptedOut, f)).subarray(-2).equals(Buffer.from([0xff, 0xd9]))), 'every file written is a whole JPEG');

  ok(run('--help').status === 0, '--help exits 0');
  ok(run('check', '--workers', 'many', input).status === 2, 'a bad option exits 2');
  ok(run('fix', input).status === 2, 'fix without --out exits 2');
  ok(run('verify', '--id-card', 'x').status === 2, 'verify without its inputs exits 2');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`cli: ${passed} passed, 0 failed`);
