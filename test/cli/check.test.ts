import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { photo } from '../helpers.js';

function capture() {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void lines.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void lines.push(args.join(' ')));
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('idphoto-verify check', () => {
  it('exits 0 when every photo passes', async () => {
    const lines = capture();
    expect(await main(['check', photo('compliant.jpg'), photo('compliant-progressive.jpg')])).toBe(0);
    expect(lines.join('\n')).toMatch(/2 photos checked: 2 pass, 0 fail/);
  });

  it('walks a folder with odd entries, reports each in its row, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idphoto-cli-'));
    copyFileSync(photo('compliant.jpg'), join(dir, '照片 张三.jpg'));
    copyFileSync(photo('hat.jpg'), join(dir, 'with hat.jpg'));
    writeFileSync(join(dir, 'empty.jpg'), '');
    writeFileSync(join(dir, 'notes.txt'), 'not a photo');
    mkdirSync(join(dir, 'sub'));
    symlinkSync(dir, join(dir, 'sub', 'loop')); // a symlink loop back to the top
    const lines = capture();
    expect(await main(['check', '--locale', 'en', dir])).toBe(1);
    const out = lines.join('\n');
    expect(out).toMatch(/✓ .*照片 张三\.jpg/);
    expect(out).toMatch(/✗ .*with hat\.jpg\n\s+headCovering: The photo must be bareheaded/);
    expect(out).toMatch(/✗ .*empty\.jpg\n\s+INPUT_EMPTY/);
    expect(out).toMatch(/✗ .*notes\.txt\n\s+UNSUPPORTED_FORMAT/);
    expect(out).toMatch(/4 photos checked: 1 pass, 3 fail/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON object per photo with --json, messages in Chinese with --locale zh', async () => {
    let lines = capture();
    await main(['check', '--json', photo('dpi-72.jpg')]);
    const record = JSON.parse(lines[0]);
    expect(record.passed).toBe(false);
    expect(record.checks.find((c: { id: string }) => c.id === 'dpi').status).toBe('failed');
    vi.restoreAllMocks();
    lines = capture();
    await main(['check', '--locale', 'zh', photo('dpi-72.jpg')]);
    expect(lines.join('\n')).toMatch(/dpi: 照片分辨率必须是300 dpi/);
  });

  it.each([[[]], [['frobnicate', 'x']], [['check']], [['check', '--locale', 'fr', 'x']], [['check', '--spec', '/nonexistent.json', 'x']]])(
    'exits 2 on a usage error: %j',
    async (argv) => {
      capture();
      expect(await main(argv)).toBe(2);
    },
  );
});
