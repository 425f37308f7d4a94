import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { photo } from '../helpers.js';

/** console.log and console.error, captured apart: stdout must stay machine-readable. */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
  return { out, err, all: () => [...out, ...err].join('\n') };
}

/** A PGM (Netpbm greymap, P5) of 4×4 pixels: an image, in a format the spec does not accept. */
const PGM = Buffer.concat([Buffer.from('P5\n4 4\n255\n'), Buffer.alloc(16, 128)]);

let dir: string | undefined;
function scratch(): string {
  dir = mkdtempSync(join(tmpdir(), 'idphoto-cli-'));
  return dir;
}

afterEach(() => {
  vi.restoreAllMocks();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('idphoto-verify check', () => {
  it('exits 0 when every photo passes', async () => {
    const { out } = capture();
    expect(await main(['check', '--locale', 'en', photo('compliant.jpg'), photo('compliant-progressive.jpg')])).toBe(0);
    expect(out.join('\n')).toMatch(/2 photos checked: 2 pass, 0 fail/);
  });

  it('walks a folder with odd entries, reports each image in its row by readable check names, and exits 1', async () => {
    const d = scratch();
    copyFileSync(photo('compliant.jpg'), join(d, '照片 张三.jpg'));
    copyFileSync(photo('hat.jpg'), join(d, 'with hat.JPG'));
    writeFileSync(join(d, 'empty.jpg'), '');
    writeFileSync(join(d, 'notes.txt'), 'not a photo');
    mkdirSync(join(d, 'sub'));
    symlinkSync(d, join(d, 'sub', 'loop')); // a symlink loop back to the top
    const { out, err } = capture();
    expect(await main(['check', '--locale', 'en', d])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/✓ .*照片 张三\.jpg/);
    expect(text).toMatch(/✗ .*with hat\.JPG\n\s+Head covering: The photo must be bareheaded/);
    expect(text).toMatch(/✗ .*empty\.jpg\n\s+The uploaded file is empty\. Please upload it again\. \(INPUT_EMPTY\)/);
    expect(text).not.toMatch(/notes\.txt/);
    expect(text).toMatch(/3 photos checked: 1 pass, 2 fail/);
    expect(err.join('\n')).toMatch(/Skipped 1 file not named as images \(--all-files takes every file\)/);
  });

  it('takes only image names from folders and globs; --all-files takes every file; a file named explicitly is always taken', async () => {
    const d = scratch();
    copyFileSync(photo('compliant.jpg'), join(d, 'a.jpg'));
    for (const name of ['README', 'list.csv', 'reading.mp4']) writeFileSync(join(d, name), 'not a photo');
    writeFileSync(join(d, 'scan.pgm'), PGM);
    let c = capture();
    expect(await main(['check', '--json', d])).toBe(0);
    expect(c.out.map((l) => JSON.parse(l).file)).toEqual([join(d, 'a.jpg')]);
    vi.restoreAllMocks();
    c = capture();
    expect(await main(['check', '--json', join(d, '*')])).toBe(0);
    expect(c.out).toHaveLength(1);
    vi.restoreAllMocks();
    c = capture();
    expect(await main(['check', '--json', '--all-files', d])).toBe(1);
    expect(c.out.map((l) => JSON.parse(l).file).sort()).toEqual(['README', 'a.jpg', 'list.csv', 'reading.mp4', 'scan.pgm'].map((n) => join(d, n)));
    vi.restoreAllMocks();
    c = capture();
    expect(await main(['check', '--json', join(d, 'README')])).toBe(1);
    expect(JSON.parse(c.out[0]!).error.code).toBe('UNSUPPORTED_FORMAT');
  });

  it('says "format not accepted (PGM)" for a PGM, not "not an image"; a PNG fails its format check', async () => {
    const d = scratch();
    writeFileSync(join(d, 'scan.pgm'), PGM);
    let c = capture();
    expect(await main(['check', '--locale', 'en', join(d, 'scan.pgm'), photo('png-named-jpg.jpg')])).toBe(1);
    const text = c.out.join('\n');
    expect(text).toMatch(/scan\.pgm\n\s+Format not accepted \(PGM\)/);
    expect(text).not.toMatch(/not an image/);
    expect(text).toMatch(/png-named-jpg\.jpg\n\s+Format: The photo must be a JPEG file; this file is really PNG/);
    // Counted with the format check, not as unreadable.
    expect(text).toMatch(/Failed checks:\n(\s+\S.*\n)*\s+Format\s+2/);
    vi.restoreAllMocks();
    c = capture();
    await main(['check', '--json', join(d, 'scan.pgm')]);
    const row = JSON.parse(c.out[0]!);
    expect(row.error).toMatchObject({ code: 'UNSUPPORTED_FORMAT', format: 'PGM' });
    expect(row.error.messages.zh).toMatch(/^格式不符合要求（PGM）/);
  });

  it('prints one JSON object per photo with --json, the summary on stderr, messages in Chinese with --locale zh', async () => {
    let c = capture();
    expect(await main(['check', '--json', '--locale', 'en', photo('dpi-72.jpg')])).toBe(1);
    const record = JSON.parse(c.out[0]!);
    expect(c.out).toHaveLength(1);
    expect(record.passed).toBe(false);
    expect(record.checks.find((x: { id: string }) => x.id === 'dpi').status).toBe('failed');
    expect(c.err).toEqual(['1 photo checked: 0 pass, 1 fail']);
    vi.restoreAllMocks();
    c = capture();
    await main(['check', '--locale', 'zh', photo('dpi-72.jpg')]);
    expect(c.out.join('\n')).toMatch(/分辨率：照片分辨率必须是300 dpi/);
  });

  it('speaks one language per run: no check ids or English words in a Chinese run, no Chinese in an English one', async () => {
    let c = capture();
    await main(['check', '--locale', 'zh', photo('hat.jpg'), photo('dpi-72.jpg'), photo('no-face.jpg')]);
    const zh = c.out.join('\n').replace(/\S*\.jpg/g, '');
    expect(zh).not.toMatch(/headCovering|dpi:|faceCount|Failed|photos|pass\b/);
    vi.restoreAllMocks();
    c = capture();
    await main(['check', '--locale', 'en', photo('hat.jpg'), photo('dpi-72.jpg'), photo('no-face.jpg')]);
    expect(c.out.join('\n')).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('takes the language from LC_ALL, LC_MESSAGES, LANG when --locale is not given', async () => {
    vi.stubEnv('LC_ALL', '');
    vi.stubEnv('LC_MESSAGES', '');
    vi.stubEnv('LANG', 'zh_CN.UTF-8');
    const c = capture();
    await main(['check', photo('compliant.jpg')]);
    vi.unstubAllEnvs();
    expect(c.out.join('\n')).toMatch(/共检查 1 张照片：1 张合格/);
  });

  it('shows progress on stderr when it is a terminal, with --json too, and stdout stays JSON lines', async () => {
    const writes: string[] = [];
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const c = capture();
    try {
      expect(await main(['check', '--json', '--locale', 'en', photo('compliant.jpg'), photo('dpi-72.jpg')])).toBe(1);
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    expect(writes.join('')).toMatch(/\d\/2 photos/);
    expect(c.out.map((l) => JSON.parse(l).file)).toEqual([photo('compliant.jpg'), photo('dpi-72.jpg')]);
    expect(c.err).toEqual(['2 photos checked: 1 pass, 1 fail']);
  });

  it('writes the CSV with the messages of --locale, the summary apart on stderr', async () => {
    const c = capture();
    expect(await main(['check', '--csv', '--locale', 'zh', photo('hat.jpg'), photo('compliant.jpg')])).toBe(1);
    expect(c.out[0]).toBe('file,passed,failed_checks,error_code,message');
    expect(c.out[1]).toMatch(/hat\.jpg,false,headCovering,,照片须免冠/);
    expect(c.out).toHaveLength(3);
    expect(c.err).toEqual(['共检查 2 张照片：1 张合格，1 张不合格']);
  });

  it('refuses a spec file the library does not accept before any work (exit 2)', async () => {
    const d = scratch();
    writeFileSync(join(d, 'spec.json'), JSON.stringify({ fileSize: { minKB: 50, maxKB: 10 } }));
    const c = capture();
    expect(await main(['check', '--spec', join(d, 'spec.json'), photo('compliant.jpg')])).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err.join('\n')).toMatch(/^idphoto-verify: the spec file .* is not a spec: .*Try 'idphoto-verify check --help'\.$/);
    expect(readFileSync(join(d, 'spec.json'), 'utf8')).toContain('minKB');
  });

  it('is a usage error (exit 2) when folders and globs hold no image', async () => {
    const d = scratch();
    writeFileSync(join(d, 'README'), 'x');
    const c = capture();
    expect(await main(['check', d])).toBe(2);
    expect(c.err.join('\n')).toMatch(/no image files in .* \(1 other file; --all-files takes every file\)/);
  });
});
