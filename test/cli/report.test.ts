/**
 * The HTML report, opened in a real headless browser: Debian's chromium (`apt-get install -y chromium`)
 * driven by playwright-core. UPDATE_DOCS_SCREENSHOT=1 also writes docs/report.png for the README.
 */
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport, type ReportRow } from '../../src/cli/report/render-report.js';
import { isVerifyError } from '../../src/core/errors.js';
import { validatePhoto } from '../../src/photo/validate-photo.js';
import { HUBEI_EXAM_PHOTO } from '../../src/core/spec.js';
import { PHOTO_FIXTURES } from '../fixtures.js';
import { photo } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As root in a closed network: no sandbox, and none of Chromium's own background connections.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const OUT_DIR = fileURLToPath(new URL('../../eval/out/', import.meta.url)); // gitignored
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));

// Odd inputs beside the fixtures: a copy of the compliant photo under a Chinese name with spaces, a name
// made of HTML, an empty file and a text file.
const CHINESE_NAME = '照片 张三 2024.jpg';
const HTML_NAME = `a <b>bold<i> "quote" & 'x'.jpg`; // no '/': that would be a folder

let dir: string;
let rows: ReportRow[];
let html: string;

async function check(file: string): Promise<ReportRow> {
  try {
    return { file, result: await validatePhoto(file) };
  } catch (error) {
    if (!isVerifyError(error)) throw error;
    return { file, error: { code: error.code, message: error.message } };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idphoto-report-'));
  copyFileSync(photo('compliant.jpg'), join(dir, CHINESE_NAME));
  copyFileSync(photo('size-10kb.jpg'), join(dir, HTML_NAME));
  writeFileSync(join(dir, 'empty.jpg'), '');
  writeFileSync(join(dir, 'notes.txt'), 'not a photo');
  const files = [...PHOTO_FIXTURES.map((f) => photo(f.file)), ...[CHINESE_NAME, HTML_NAME, 'empty.jpg', 'notes.txt'].map((name) => join(dir, name))];
  rows = [];
  for (const file of files) rows.push(await check(file));
  html = await renderReport(rows, { locale: 'en', spec: HUBEI_EXAM_PHOTO, title: 'Fixtures' });
  writeFileSync(join(dir, 'report.html'), html);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let browserTmp: string | undefined;

// Not skipped when the browser is missing: the test fails and says how to install it.
async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The report test needs Debian's chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  // Chromium keeps its own files (mat-debug-*.log, .ses) in TMPDIR: a folder of its own, removed with the browser.
  browserTmp = mkdtempSync(join(tmpdir(), 'chromium-'));
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, TMPDIR: browserTmp } });
  } catch (cause) {
    throw new Error(`Chromium at ${CHROMIUM} did not start; reinstall it with \`apt-get install -y chromium\`: ${(cause as Error).message}`, { cause });
  }
}

const expectedFailing = (id: string) => [
  ...PHOTO_FIXTURES.filter((f) => (f.fails as string[]).includes(id) || (f.warns as string[] | undefined)?.includes(id)).map((f) => f.file),
  ...(id === 'fileSize' ? [HTML_NAME] : []),
];

describe('renderReport', () => {
  it.each([['fr'], [undefined]])('refuses the locale %j with INVALID_ARGUMENT', async (locale) => {
    await expect(renderReport([], { locale: locale as never, spec: HUBEI_EXAM_PHOTO })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('is one file that names no outside resource and keeps its thumbnails small', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(link|iframe|object|embed)\b|\bsrc=/i);
    const thumbnails = [...html.matchAll(/data:image\/jpeg;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1], 'base64').length);
    expect(thumbnails).toHaveLength(PHOTO_FIXTURES.length + 2); // the empty and the text file have none
    for (const bytes of thumbnails) expect(bytes).toBeLessThan(8 * 1024);
    expect(html.length).toBeLessThan((PHOTO_FIXTURES.length + 4) * 12 * 1024);
  });

  it('escapes names and messages: a name made of HTML stays text', () => {
    expect(html).toContain('a &#60;b&#62;bold&#60;i&#62; &#34;quote&#34; &#38; &#39;x&#39;.jpg');
    expect(html).not.toContain('<b>bold');
  });

  it('writes the failed checks in the chosen language', async () => {
    const dpi = rows.filter((row) => basename(row.file) === 'dpi-72.jpg');
    const zh = await renderReport(dpi, { locale: 'zh', spec: HUBEI_EXAM_PHOTO, backgroundRegion: false });
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toMatch(/照片分辨率必须是300 dpi/);
    expect(zh).toContain('照片检查报告');
    expect(zh).not.toMatch(/class="bg-region"|id="show-bg"/);
  });

  it('annotates the thumbnail with the face box, the crown and chin against their limits, and the background sampled', () => {
    const rowOf = (file: string) => html.split('<tr data-index=').find((part) => part.includes(`data-file="${photo(file)}"`))!;
    const compliant = rowOf('compliant.jpg');
    expect(compliant.match(/<rect class="band"/g)).toHaveLength(4); // crown and chin bands, on both edges
    expect(compliant).toMatch(/<rect class="face"/);
    expect(compliant.match(/<line class="in"/g)).toHaveLength(2); // crown and chin both inside their bands
    expect(compliant).toMatch(/<image class="bg-region" href="data:image\/png;base64,/);
    expect(rowOf('head-too-small.jpg')).toMatch(/<line class="out"/);
    expect(rowOf('head-cut-off.jpg').match(/<line class="out"/g)).toHaveLength(2); // crown at 0, chin too high
    expect(rowOf('two-faces.jpg')).not.toMatch(/class="face"/); // no single face was measured
  });

  it('shades the region the background check sampled: its share of the photo is the one the check measured, and no tensor is left', async () => {
    const row = rows.find((r) => basename(r.file) === 'white-background.jpg')!;
    await renderReport([row], { locale: 'en', spec: HUBEI_EXAM_PHOTO }); // models warm
    const before = tf.memory().numTensors;
    const one = await renderReport([row], { locale: 'en', spec: HUBEI_EXAM_PHOTO });
    expect(tf.memory().numTensors).toBe(before);
    const png = Buffer.from(/class="bg-region" href="data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(one)![1], 'base64');
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    let hatched = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) hatched++;
    const share = (hatched * 5) / (info.width * info.height); // one pixel in five of the region is a stripe
    const measured = row.result!.checks.find((c) => c.id === 'background')!.measured as { areaShare: number };
    expect(Math.abs(share - measured.areaShare)).toBeLessThan(0.01); // measured 0.001 on the fixtures
  });
});

describe('the report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (browserTmp) rmSync(browserTmp, { recursive: true, force: true });
  });

  it('opens from disk with no network, counts, filters and sorts its rows', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (request) => void requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => void errors.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);

    const allRows = page.locator('#photos tbody tr');
    const visibleFiles = () => page.locator('#photos tbody tr:visible').evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { file: string } }).dataset.file));
    expect(await allRows.count()).toBe(rows.length);
    expect(await page.locator('#count-pass').textContent()).toBe(String(rows.filter((r) => r.result?.passed).length));
    expect(await page.locator('#count-unreadable').textContent()).toBe('2');
    await expect.poll(() => page.locator('td.file .name', { hasText: CHINESE_NAME }).count()).toBe(1);
    expect(await page.locator('td.file .name', { hasText: HTML_NAME }).count()).toBe(1);

    await page.selectOption('#filter', 'fileSize');
    const fileSize = (await visibleFiles()).map((f) => basename(f));
    expect(fileSize.sort()).toEqual(expectedFailing('fileSize').sort());
    expect(await page.locator('#shown').textContent()).toBe(String(fileSize.length));

    await page.selectOption('#filter', 'verdict:unreadable');
    expect((await visibleFiles()).map((f) => basename(f)).sort()).toEqual(['empty.jpg', 'notes.txt']);
    await page.locator('#failed-checks a[data-filter="background"]').click(); // the summary's links filter too
    expect((await visibleFiles()).map((f) => basename(f)).sort()).toEqual(expectedFailing('background').sort());
    await page.selectOption('#filter', '');
    expect(await page.locator('#photos tbody tr:visible').count()).toBe(rows.length);

    await page.locator('#photos th button[data-key="failures"]').click();
    const failures = async () => (await allRows.evaluateAll((trs) => trs.map((tr) => Number((tr as unknown as { dataset: { failures: string } }).dataset.failures))));
    const ascending = await failures();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(ascending.at(-1)).toBeGreaterThan(0);
    await page.locator('#photos th button[data-key="failures"]').click();
    const descending = await failures();
    expect(descending).toEqual([...ascending].sort((a, b) => b - a));
    await page.locator('#photos th button[data-key="verdict"]').click();
    expect(await allRows.first().getAttribute('data-verdict-name')).toBe('fail');
    expect(await allRows.last().getAttribute('data-verdict-name')).toBe('pass');

    await page.locator('#show-bg').uncheck();
    expect(await page.locator('.bg-region').first().isVisible()).toBe(false);
    await page.locator('#show-bg').check();

    mkdirSync(OUT_DIR, { recursive: true });
    await page.locator('#photos th button[data-key="index"]').click(); // back to the order of the run
    await page.screenshot({ path: join(OUT_DIR, 'report.png'), fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT) {
      await page.selectOption('#filter', 'verdict:fail'); // the rows that show what the report is for
      const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1100, height: 1250 } });
      mkdirSync(join(DOCS_SCREENSHOT, '..'), { recursive: true });
      await sharp(png).png({ palette: true, quality: 85, compressionLevel: 9 }).toFile(DOCS_SCREENSHOT);
    }

    expect(errors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !/^(file|data):/.test(url))).toEqual([]);
    await page.close();
  });
});
