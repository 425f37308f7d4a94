/** The report's markup. Every name and message is escaped; the only images are the inlined thumbnails. */
import { basename, dirname } from 'node:path';
import type { PhotoSpec } from '../../core/spec.js';
import type { Check, CheckId, PhotoValidation } from '../../photo/types.js';
import type { Locale } from '../text.js';
import { REPORT_GENERATOR } from '../outputs.js';
import { CSS, SCRIPT } from './assets.js';
import type { ReportRow, Verdict } from './report-row.js';
import { CHECK_LABELS, REPORT_TEXT, type ReportText } from './strings.js';
import type { Thumbnail } from './thumbnails.js';

export interface Page {
  locale: Locale;
  title: string;
  spec: PhotoSpec;
  tally: Record<Verdict, number>;
  /** The checks some photo failed, in the checks' order, with how many photos failed each. */
  failures: Array<{ id: CheckId; n: number; severity: Check['severity'] }>;
  showBackground: boolean;
  /** The photos' rows, from rowHtml. */
  rows: string[];
}

export function pageHtml({ locale, title, spec, tally, failures, showBackground, rows }: Page): string {
  const t = REPORT_TEXT[locale];
  const label = (id: CheckId) => CHECK_LABELS[id][locale];
  const summaryRows = failures
    .map(({ id, n, severity }) => `<tr><td><a href="#photos" data-filter="${esc(id)}">${esc(label(id))}</a> <code>${esc(id)}</code>${severity === 'warning' ? ` <span class="warn">(${t.warning})</span>` : ''}</td><td class="num">${n}</td></tr>`)
    .join('\n');
  const filterOptions = [
    `<option value="">${t.all} (${rows.length})</option>`,
    `<optgroup label="${t.verdicts}">`,
    ...(['pass', 'fail', 'unreadable'] as const).map((v) => `<option value="verdict:${v}">${t[v]} (${tally[v]})</option>`),
    '</optgroup>',
    `<optgroup label="${t.failedChecks}">`,
    ...failures.map(({ id, n }) => `<option value="${esc(id)}">${esc(label(id))} · ${esc(id)} (${n})</option>`),
    '</optgroup>',
  ].join('');

  return `<!DOCTYPE html>
<html lang="${locale === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
${REPORT_GENERATOR}
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
${rows.join('\n')}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

// Sort order of verdicts: the rows that need attention first.
const VERDICT_RANK: Record<Verdict, number> = { fail: 0, unreadable: 1, pass: 2 };

/** One photo's row: verdict, file, the checks it failed (or why it could not be read), the annotated thumbnail. */
export function rowHtml(row: ReportRow, index: number, verdict: Verdict, thumbnail: Thumbnail | undefined, spec: PhotoSpec, locale: Locale): string {
  const t = REPORT_TEXT[locale];
  const failed = row.result?.checks.filter((c) => c.status === 'failed') ?? [];
  const failedErrors = failed.filter((c) => c.severity === 'error');
  const details = row.result
    ? `${row.result.metadata.width}×${row.result.metadata.height} · ${(row.result.metadata.bytes / 1024).toFixed(1)} KB`
    : '';
  const reasons = row.result
    ? failed
        .map((c) => `<li${c.severity === 'warning' ? ' class="warn"' : ''}><b>${esc(CHECK_LABELS[c.id][locale])}</b>${c.severity === 'warning' ? ` (${t.warning})` : ''}: ${esc(c.message[locale])}</li>`)
        .join('')
    : `<li>${esc(row.error?.messages?.[locale] ?? row.error?.message ?? '')} <code>${esc(row.error?.code ?? 'UNKNOWN')}</code></li>`;
  return `<tr data-index="${index + 1}" data-verdict="${VERDICT_RANK[verdict]}" data-verdict-name="${verdict}" data-file="${esc(row.file)}" data-failures="${failedErrors.length}" data-failed="${esc(failed.map((c) => c.id).join(' '))}">
<td class="num">${index + 1}</td>
<td class="verdict ${verdict}">${verdict === 'pass' ? '✓' : '✗'} ${t[verdict]}</td>
<td class="file"><span class="name">${esc(basename(row.file))}</span><br><small>${esc(dirname(row.file))}${details ? `<br>${details}` : ''}</small></td>
<td><ul>${reasons}</ul></td>
<td class="thumb">${thumbnail ? thumbnailSvg(thumbnail, row.result, spec, t) : ''}</td>
</tr>`;
}

/**
 * The thumbnail with what was measured drawn over it in the photo's own pixel coordinates (the SVG's
 * viewBox): face box, crown and chin lines against their limit bands, and the background region sampled.
 */
function thumbnailSvg(thumbnail: Thumbnail, result: PhotoValidation | undefined, spec: PhotoSpec, t: ReportText): string {
  // Overlay coordinates are the displayed photo's pixels; without a result, the thumbnail's own.
  const width = result?.metadata.width ?? thumbnail.width;
  const height = result?.metadata.height ?? thumbnail.height;
  const parts = [`<image href="data:image/jpeg;base64,${thumbnail.jpeg.toString('base64')}" width="${width}" height="${height}" preserveAspectRatio="none"/>`];
  if (thumbnail.backgroundRegion) {
    parts.push(`<image class="bg-region" href="data:image/png;base64,${thumbnail.backgroundRegion.toString('base64')}" width="${width}" height="${height}" preserveAspectRatio="none"/>`);
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
  return `<svg width="${thumbnail.width}" height="${thumbnail.height}" viewBox="0 0 ${width} ${height}" role="img">${parts.join('')}</svg>`;
}

const r = (v: number) => Math.round(v * 10) / 10;

/** Escapes text for HTML content and quoted attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
