/**
 * The operator's HTML report: one self-contained file (thumbnails inlined as data URIs, inline CSS and
 * JS, a Content-Security-Policy that forbids every fetch) that opens from disk with no network.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { ErrorCode, VerifyError } from '../core/errors.js';
import { segmentPerson } from '../models/segment.js';
import { decodeRgb, readHeader } from '../image/decode.js';
import { sniffFormat } from '../image/sniff.js';
import { DEFAULTS, type PhotoSpec } from '../core/spec.js';
import type { CheckId, PhotoValidation } from '../photo/types.js';

/** One file of the run: its result, or the error that kept it from being checked. */
export interface ReportRow {
  file: string;
  result?: PhotoValidation;
  error?: { code: string; message: string };
}

export interface ReportOptions {
  locale: 'zh' | 'en';
  /** Heading and <title>. Default: "照片检查报告" / "Photo check report". */
  title?: string;
  /** The spec the photos were checked against: its limits are drawn on the thumbnails. */
  spec: PhotoSpec;
  /**
   * Shade the background region the background check sampled. It is not part of the result, so it is
   * recomputed as the check computes it (the same decode, person segmentation): ~60 ms a photo here. Default true.
   */
  backgroundRegion?: boolean;
}

export const REPORT_DEFAULTS = Object.freeze({
  /** Thumbnail height, CSS pixels. */
  thumbnailHeight: 160,
  /** JPEG quality 1–100 of the thumbnails: 2–4 KB each at 120×160 on the fixtures. */
  thumbnailQuality: 70,
  backgroundRegion: true,
});

// As in validatePhoto and measureBackground: pixels are analysed at most 1280 px on the longer side,
// and a pixel is background when its person probability is below 0.15.
const ANALYSIS_MAX_SIDE = 1280;
const BACKGROUND_PROBABILITY = 0.15;
// The decode guards of validatePhoto's defaults: a thumbnail never costs more than a check.
const MAX_INPUT_BYTES = DEFAULTS.maxInputBytes;

const CHECK_LABELS: Record<CheckId, { zh: string; en: string }> = {
  format: { zh: '格式', en: 'Format' },
  extension: { zh: '扩展名', en: 'Extension' },
  dimensions: { zh: '尺寸', en: 'Dimensions' },
  orientation: { zh: '方向', en: 'Orientation' },
  dpi: { zh: '分辨率', en: 'DPI' },
  fileSize: { zh: '文件大小', en: 'File size' },
  background: { zh: '背景', en: 'Background' },
  faceCount: { zh: '人脸数量', en: 'Face count' },
  headPosition: { zh: '头部位置', en: 'Head position' },
  pose: { zh: '姿态', en: 'Pose' },
  eyesOpen: { zh: '睁眼', en: 'Eyes open' },
  sharpness: { zh: '清晰度', en: 'Sharpness' },
  exposure: { zh: '曝光', en: 'Exposure' },
  headCovering: { zh: '头部遮挡', en: 'Head covering' },
};

const TEXT = {
  zh: {
    title: '照片检查报告',
    spec: '规格',
    photos: '照片',
    pass: '合格',
    fail: '不合格',
    unreadable: '无法读取',
    warning: '警告',
    failedChecks: '未通过的检查',
    check: '检查项',
    count: '照片数',
    none: '无',
    filter: '筛选',
    all: '全部',
    verdicts: '结论',
    shown: '显示',
    index: '序号',
    verdict: '结论',
    file: '文件',
    photo: '照片',
    showBackground: '显示背景采样区域',
    legendFace: '人脸框',
    legendBand: '头顶/下巴允许范围',
    legendIn: '测得的头顶/下巴（范围内）',
    legendOut: '测得的头顶/下巴（超出范围）',
    legendBackground: '背景检查采样的区域',
    crown: '头顶',
    chin: '下巴',
    fromTop: '距上边缘',
    fromBottom: '距下边缘',
    limit: '允许',
    notFound: '未找到',
    px: '像素（按规格尺寸）',
  },
  en: {
    title: 'Photo check report',
    spec: 'Spec',
    photos: 'photos',
    pass: 'Pass',
    fail: 'Fail',
    unreadable: 'Unreadable',
    warning: 'warning',
    failedChecks: 'Failed checks',
    check: 'Check',
    count: 'Photos',
    none: 'none',
    filter: 'Filter',
    all: 'All',
    verdicts: 'Verdict',
    shown: 'shown',
    index: '#',
    verdict: 'Verdict',
    file: 'File',
    photo: 'Photo',
    showBackground: 'Show the background region sampled',
    legendFace: 'face box',
    legendBand: 'crown / chin limits',
    legendIn: 'crown / chin measured, inside',
    legendOut: 'crown / chin measured, outside',
    legendBackground: 'region the background check sampled',
    crown: 'crown',
    chin: 'chin',
    fromTop: 'from the top',
    fromBottom: 'above the bottom',
    limit: 'limit',
    notFound: 'not found',
    px: 'px at the spec size',
  },
} as const;

type Verdict = 'pass' | 'fail' | 'unreadable';
type Text = (typeof TEXT)['zh' | 'en'];

/** Renders the report as one HTML document. Every name and message is escaped; nothing is fetched when it opens. */
export async function renderReport(rows: ReportRow[], options: ReportOptions): Promise<string> {
  const { locale, spec } = options;
  if (locale !== 'zh' && locale !== 'en') {
    throw new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected 'zh' or 'en' for locale but received ${JSON.stringify(locale)} of type ${typeof locale}`);
  }
  if (!Array.isArray(rows)) {
    throw new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected an array of rows but received ${typeof rows}`);
  }
  const t: Text = TEXT[locale];
  const title = options.title ?? t.title;
  const showBackground = options.backgroundRegion ?? REPORT_DEFAULTS.backgroundRegion;

  const verdicts = rows.map((row): Verdict => (row.result ? (row.result.passed ? 'pass' : 'fail') : 'unreadable'));
  const failureCounts = new Map<CheckId, { n: number; severity: 'error' | 'warning' }>();
  for (const row of rows) {
    for (const check of row.result?.checks ?? []) {
      if (check.status !== 'failed') continue;
      const entry = failureCounts.get(check.id) ?? { n: 0, severity: check.severity };
      entry.n++;
      failureCounts.set(check.id, entry);
    }
  }
  // In the checks' own order, which is the order of CHECK_LABELS.
  const failedIds = (Object.keys(CHECK_LABELS) as CheckId[]).filter((id) => failureCounts.has(id));
  const tally = { pass: 0, fail: 0, unreadable: 0 };
  for (const v of verdicts) tally[v]++;

  const rowHtml: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    rowHtml.push(await renderRow(rows[i], i, verdicts[i], spec, t, locale, showBackground));
  }

  const label = (id: CheckId) => CHECK_LABELS[id][locale];
  const summaryRows = failedIds
    .map((id) => {
      const { n, severity } = failureCounts.get(id)!;
      return `<tr><td><a href="#photos" data-filter="${esc(id)}">${esc(label(id))}</a> <code>${esc(id)}</code>${severity === 'warning' ? ` <span class="warn">(${t.warning})</span>` : ''}</td><td class="num">${n}</td></tr>`;
    })
    .join('\n');
  const filterOptions = [
    `<option value="">${t.all} (${rows.length})</option>`,
    `<optgroup label="${t.verdicts}">`,
    ...(['pass', 'fail', 'unreadable'] as const).map((v) => `<option value="verdict:${v}">${t[v]} (${tally[v]})</option>`),
    '</optgroup>',
    `<optgroup label="${t.failedChecks}">`,
    ...failedIds.map((id) => `<option value="${esc(id)}">${esc(label(id))} · ${esc(id)} (${failureCounts.get(id)!.n})</option>`),
    '</optgroup>',
  ].join('');

  return `<!DOCTYPE html>
<html lang="${locale === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="spec">${t.spec}: ${esc(spec.name)} · ${spec.width}×${spec.height} px · ${spec.dpi} dpi · ${spec.fileSize.minKB}–${spec.fileSize.maxKB} KB</p>
<section class="summary">
<dl class="tally">
<div><dt>${t.photos}</dt><dd id="total">${rows.length}</dd></div>
<div class="pass"><dt><a href="#photos" data-filter="verdict:pass">${t.pass}</a></dt><dd id="count-pass">${tally.pass}</dd></div>
<div class="fail"><dt><a href="#photos" data-filter="verdict:fail">${t.fail}</a></dt><dd id="count-fail">${tally.fail}</dd></div>
<div class="unreadable"><dt><a href="#photos" data-filter="verdict:unreadable">${t.unreadable}</a></dt><dd id="count-unreadable">${tally.unreadable}</dd></div>
</dl>
<table id="failed-checks"><caption>${t.failedChecks}</caption>
<thead><tr><th>${t.check}</th><th class="num">${t.count}</th></tr></thead>
<tbody>${summaryRows || `<tr><td colspan="2">${t.none}</td></tr>`}</tbody></table>
</section>
<div class="controls">
<label>${t.filter} <select id="filter">${filterOptions}</select></label>
<span><output id="shown">${rows.length}</output> ${t.shown}</span>
${showBackground ? `<label><input type="checkbox" id="show-bg" checked> ${t.showBackground}</label>` : ''}
</div>
<p class="legend">
<span><svg width="14" height="10"><rect x="1" y="1" width="12" height="8" fill="none" stroke="#ffb000" stroke-width="2"/></svg>${t.legendFace}</span>
<span><svg width="14" height="10"><rect width="14" height="10" fill="#22c55e" fill-opacity="0.75"/></svg>${t.legendBand}</span>
<span><svg width="14" height="10"><line x1="0" y1="5" x2="14" y2="5" stroke="#16a34a" stroke-width="2"/></svg>${t.legendIn}</span>
<span><svg width="14" height="10"><line x1="0" y1="5" x2="14" y2="5" stroke="#ef4444" stroke-width="2"/></svg>${t.legendOut}</span>
${showBackground ? `<span><svg width="14" height="10"><rect width="14" height="10" fill="url(#legend-hatch)"/><defs><pattern id="legend-hatch" width="4" height="4" patternUnits="userSpaceOnUse"><path d="M0 4L4 0" stroke="#d946ef" stroke-width="1.5"/></pattern></defs></svg>${t.legendBackground}</span>` : ''}
</p>
<table id="photos">
<thead><tr>
<th aria-sort="ascending"><button type="button" data-key="index" data-type="number">${t.index}</button></th>
<th><button type="button" data-key="verdict" data-type="number">${t.verdict}</button></th>
<th><button type="button" data-key="file" data-type="text">${t.file}</button></th>
<th><button type="button" data-key="failures" data-type="number">${t.failedChecks}</button></th>
<th>${t.photo}</th>
</tr></thead>
<tbody>
${rowHtml.join('\n')}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

// Sort order of verdicts: the rows that need attention first.
const VERDICT_RANK: Record<Verdict, number> = { fail: 0, unreadable: 1, pass: 2 };

async function renderRow(row: ReportRow, index: number, verdict: Verdict, spec: PhotoSpec, t: Text, locale: 'zh' | 'en', showBackground: boolean): Promise<string> {
  const failed = row.result?.checks.filter((c) => c.status === 'failed') ?? [];
  const failedErrors = failed.filter((c) => c.severity === 'error');
  const details = row.result
    ? `${row.result.metadata.width}×${row.result.metadata.height} · ${(row.result.metadata.bytes / 1024).toFixed(1)} KB`
    : '';
  const reasons = row.result
    ? failed
        .map((c) => `<li${c.severity === 'warning' ? ' class="warn"' : ''}><b>${esc(CHECK_LABELS[c.id][locale])}</b>${c.severity === 'warning' ? ` (${t.warning})` : ''}: ${esc(c.message[locale])}</li>`)
        .join('')
    : `<li><code>${esc(row.error?.code ?? 'UNKNOWN')}</code>: ${esc(row.error?.message ?? '')}</li>`;
  const thumbnail = await renderThumbnail(row, spec, t, showBackground);
  return `<tr data-index="${index + 1}" data-verdict="${VERDICT_RANK[verdict]}" data-verdict-name="${verdict}" data-file="${esc(row.file)}" data-failures="${failedErrors.length}" data-failed="${esc(failed.map((c) => c.id).join(' '))}">
<td class="num">${index + 1}</td>
<td class="verdict ${verdict}">${verdict === 'pass' ? '✓' : '✗'} ${t[verdict]}</td>
<td class="file"><span class="name">${esc(basename(row.file))}</span><br><small>${esc(dirname(row.file))}${details ? `<br>${details}` : ''}</small></td>
<td><ul>${reasons}</ul></td>
<td class="thumb">${thumbnail}</td>
</tr>`;
}

/**
 * The photo as displayed, ~160 px tall, with what was measured drawn over it in the photo's own
 * pixel coordinates (the SVG's viewBox): face box, crown and chin lines against their limit bands,
 * and the background region sampled. Empty when the file cannot be decoded.
 */
async function renderThumbnail(row: ReportRow, spec: PhotoSpec, t: Text, showBackground: boolean): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(row.file);
  } catch {
    return '';
  }
  if (bytes.length === 0 || bytes.length > MAX_INPUT_BYTES) return '';
  let jpeg: Buffer;
  let info: OutputInfo;
  try {
    ({ data: jpeg, info } = await sharp(bytes, { limitInputPixels: DEFAULTS.maxPixels, failOn: 'none' })
      .rotate()
      .resize({ height: REPORT_DEFAULTS.thumbnailHeight, width: REPORT_DEFAULTS.thumbnailHeight * 2, fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: REPORT_DEFAULTS.thumbnailQuality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true }));
  } catch {
    return '';
  }
  const result = row.result;
  // Overlay coordinates are the displayed photo's pixels; without a result, the thumbnail's own.
  const width = result?.metadata.width ?? info.width;
  const height = result?.metadata.height ?? info.height;
  const parts = [`<image href="data:image/jpeg;base64,${jpeg.toString('base64')}" width="${width}" height="${height}" preserveAspectRatio="none"/>`];

  if (result && showBackground) {
    const region = await backgroundRegion(bytes, info.width, info.height);
    if (region) parts.push(`<image class="bg-region" href="data:image/png;base64,${region.toString('base64')}" width="${width}" height="${height}" preserveAspectRatio="none"/>`);
  }
  const face = result?.face;
  if (face) {
    // Head limits are in pixels at the spec's size (measureHead scales by spec.height / height).
    const toPhoto = height / spec.height;
    const [crownMin, crownMax] = spec.head.crownMarginPx.map((v) => v * toPhoto);
    const [chinMin, chinMax] = spec.head.chinMarginPx.map((v) => v * toPhoto);
    const bandTitle = (name: string, range: readonly number[], from: string) => `${name} ${t.limit} ${range[0]}–${range[1]} ${t.px} ${from}`;
    // The limit bands as rulers along both edges, leaving the face uncovered.
    const ruler = width * 0.12;
    const band = (y0: number, y1: number, label: string) =>
      [0, width - ruler].map((x) => `<rect class="band" x="${r(x)}" y="${r(y0)}" width="${r(ruler)}" height="${r(y1 - y0)}"><title>${esc(label)}</title></rect>`).join('');
    parts.push(
      band(crownMin, crownMax, bandTitle(t.crown, spec.head.crownMarginPx, t.fromTop)),
      band(height - chinMax, height - chinMin, bandTitle(t.chin, spec.head.chinMarginPx, t.fromBottom)),
      `<rect class="face" x="${r(face.box.x)}" y="${r(face.box.y)}" width="${r(face.box.width)}" height="${r(face.box.height)}"><title>${t.legendFace} ${Math.round(face.box.width)}×${Math.round(face.box.height)}</title></rect>`,
    );
    const line = (y: number, inside: boolean, label: string) =>
      `<line class="${inside ? 'in' : 'out'}" x1="0" x2="${width}" y1="${r(y)}" y2="${r(y)}"><title>${esc(label)}</title></line>`;
    if (face.crownYPx !== undefined) {
      const margin = face.crownYPx / toPhoto;
      parts.push(line(face.crownYPx, margin >= spec.head.crownMarginPx[0] && margin <= spec.head.crownMarginPx[1], `${t.crown} ${Math.round(margin)} ${t.px} ${t.fromTop}`));
    }
    const chinMargin = (height - face.chinYPx) / toPhoto;
    parts.push(line(face.chinYPx, chinMargin >= spec.head.chinMarginPx[0] && chinMargin <= spec.head.chinMarginPx[1], `${t.chin} ${Math.round(chinMargin)} ${t.px} ${t.fromBottom}`));
  }
  return `<svg width="${info.width}" height="${info.height}" viewBox="0 0 ${width} ${height}" role="img">${parts.join('')}</svg>`;
}

/**
 * The pixels the background check averaged (person probability < 0.15), as a hatched PNG of the
 * thumbnail's size. Recomputed the way validatePhoto computes it: the same decode (upright, at most
 * 1280 px) and the same segmentation model; undefined when the photo cannot be decoded.
 */
async function backgroundRegion(bytes: Buffer, width: number, height: number): Promise<Buffer | undefined> {
  let mask;
  try {
    const format = sniffFormat(bytes);
    const header = await readHeader(bytes, format, DEFAULTS.maxPixels);
    mask = await segmentPerson(await decodeRgb(bytes, format, DEFAULTS.maxPixels, ANALYSIS_MAX_SIDE, header));
  } catch {
    return undefined; // validatePhoto decoded it, so this is rare: the thumbnail simply goes without
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let v = 0; v < height; v++) {
    const my = Math.min(mask.height - 1, Math.floor(((v + 0.5) * mask.height) / height));
    for (let u = 0; u < width; u++) {
      const mx = Math.min(mask.width - 1, Math.floor(((u + 0.5) * mask.width) / width));
      if (mask.data[my * mask.width + mx] >= BACKGROUND_PROBABILITY) continue;
      // Sparse diagonal hatching: the photo stays visible between the stripes.
      if ((u + v) % 5 !== 0) continue;
      const i = (v * width + u) * 4;
      rgba[i] = 0xd9;
      rgba[i + 1] = 0x46;
      rgba[i + 2] = 0xef;
      rgba[i + 3] = 220;
    }
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } }).png({ palette: true, colours: 2, compressionLevel: 9 }).toBuffer();
}

const r = (v: number) => Math.round(v * 10) / 10;

/** Escapes text for HTML content and quoted attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#1f2937;background:#fff}
h1{font-size:22px;margin:0 0 4px}
.spec{color:#6b7280;margin:0 0 16px}
.summary{display:flex;gap:32px;align-items:flex-start;flex-wrap:wrap;margin-bottom:16px}
.tally{display:flex;gap:12px;margin:0}
.tally div{border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px;min-width:80px}
.tally dt{color:#6b7280;font-size:12px}
.tally dd{margin:0;font-size:24px;font-weight:600}
.tally .pass dd{color:#15803d}.tally .fail dd{color:#b91c1c}.tally .unreadable dd{color:#92400e}
table{border-collapse:collapse}
caption{text-align:left;font-weight:600;padding-bottom:4px}
th,td{border-bottom:1px solid #e5e7eb;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#f9fafb;white-space:nowrap}
th button{font:inherit;font-weight:600;border:0;background:none;cursor:pointer;padding:0;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
.num{text-align:right}
#failed-checks td{padding:3px 10px}
a{color:#1d4ed8}
code{font-size:12px;color:#6b7280}
.controls{display:flex;gap:20px;align-items:center;margin:8px 0;flex-wrap:wrap}
.legend{display:flex;gap:16px;flex-wrap:wrap;color:#4b5563;font-size:12px;margin:4px 0 12px}
.legend svg{vertical-align:middle;margin-right:4px}
#photos{width:100%}
#photos ul{margin:0;padding-left:18px}
.verdict{white-space:nowrap;font-weight:600}
.verdict.pass{color:#15803d}.verdict.fail{color:#b91c1c}.verdict.unreadable{color:#92400e}
.file .name{word-break:break-all}
.file small{color:#6b7280}
li.warn{color:#92400e}
.warn{color:#92400e}
.thumb svg{display:block;background:#f3f4f6}
.thumb .band{fill:#22c55e;fill-opacity:.75}
.thumb .face{fill:none;stroke:#ffb000;stroke-width:2;vector-effect:non-scaling-stroke}
.thumb line{stroke-width:2;vector-effect:non-scaling-stroke}
.thumb line.in{stroke:#16a34a}.thumb line.out{stroke:#ef4444}
.hide-bg .bg-region{display:none}
tr[hidden]{display:none}
`;

// Plain script, no modules, no fetches: it runs from file://.
const SCRIPT = `
(function () {
  var tbody = document.querySelector('#photos tbody');
  var select = document.getElementById('filter');
  var shown = document.getElementById('shown');
  function applyFilter() {
    var value = select.value, n = 0;
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      var show = value === '' ||
        (value.indexOf('verdict:') === 0 ? tr.dataset.verdictName === value.slice(8) : tr.dataset.failed.split(' ').indexOf(value) >= 0);
      tr.hidden = !show;
      if (show) n++;
    });
    shown.textContent = n;
  }
  select.addEventListener('change', applyFilter);
  document.querySelectorAll('[data-filter]').forEach(function (a) {
    a.addEventListener('click', function () { select.value = a.dataset.filter; applyFilter(); });
  });
  var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
  document.querySelectorAll('#photos th button').forEach(function (button) {
    button.addEventListener('click', function () {
      var th = button.parentNode, key = button.dataset.key, numeric = button.dataset.type === 'number';
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      document.querySelectorAll('#photos th[aria-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir);
      var sign = dir === 'ascending' ? 1 : -1;
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        var c = numeric ? Number(x) - Number(y) : collator.compare(x, y);
        return sign * c || Number(a.dataset.index) - Number(b.dataset.index);
      });
      rows.forEach(function (tr) { tbody.appendChild(tr); });
    });
  });
  var showBg = document.getElementById('show-bg');
  if (showBg) showBg.addEventListener('change', function () { document.body.classList.toggle('hide-bg', !showBg.checked); });
})();
`;
