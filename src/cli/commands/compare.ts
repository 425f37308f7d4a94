import { extname } from 'node:path';
import { compareFaces, prepareCard } from '../../compare/compare-faces.js';
import type { CompareFacesResult } from '../../compare/types.js';
import { extractFramesFromReadingVideo } from '../../media/extract-frames.js';
import type { CliOptions } from '../options.js';
import { type Locale, TEXT, jsonLine } from '../text.js';
import { about } from './input-failure.js';

/** A single "frame" with one of these names is a reading video, whose frames are compared. */
const VIDEO = /^\.(mp4|mov|m4v|webm|mkv|avi|3gp)$/i;

/** compare <id-card> <frames… | video> */
export async function compare(targets: string[], o: CliOptions): Promise<number> {
  const [card, ...rest] = targets as [string, ...string[]];
  const video = rest.length === 1 && VIDEO.test(extname(rest[0]!)) ? rest[0] : undefined;
  // The card first, on its own: an error of the card's then names the card.
  const prepared = await about(card, prepareCard(card));
  const frames = video ? (await about(video, extractFramesFromReadingVideo(video))).frames : rest;
  const compared = await compareFaces(prepared, frames);
  // The card's stages ran in prepareCard: their times belong to the comparison's, as a single call reports them.
  const r = { ...compared, timings: { ...prepared.timings, ...compared.timings } };
  if (o.json) console.log(jsonLine(r));
  else for (const line of compareLines(r, o.locale)) console.log(line);
  return r.match ? 0 : 1;
}

/** The verdict line, then each reason (why no verdict, what is suspicious) in the run's language. */
export function compareLines(r: CompareFacesResult, locale: Locale): string[] {
  return [`${r.match ? '✓' : '✗'} ${compareSummary(r, locale)}`, ...compareReasons(r, locale)];
}

/** "same person, similarity 0.97 (threshold 0.49 at …), 3 frames used"; without a verdict, only the frames used. */
export function compareSummary(r: CompareFacesResult, locale: Locale): string {
  const sep = locale === 'zh' ? '，' : ', ';
  if (!(r.usedFrames > 0 && r.idCardFace)) return `${TEXT.noVerdict[locale]}${sep}${TEXT.framesUsed[locale](r.usedFrames)}`;
  return [r.match ? TEXT.match[locale] : TEXT.noMatch[locale], TEXT.similarity[locale](r.similarity, r.threshold, r.far), TEXT.framesUsed[locale](r.usedFrames)].join(sep);
}

export function compareReasons(r: CompareFacesResult, locale: Locale, indent = '    '): string[] {
  return r.reasons.map((reason) => `${indent}${reason.severity === 'error' ? '' : TEXT.warning[locale]}${reason.message[locale]}`);
}
