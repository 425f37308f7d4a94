import { mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { compareFaces } from '../../compare/compare-faces.js';
import { verifyApplicant } from '../../verify/verify-applicant.js';
import { extractFramesFromReadingVideo } from '../../media/extract-frames.js';
import { UsageError, type CliOptions } from '../options.js';
import { TEXT } from '../text.js';

const VIDEO = /^\.(mp4|mov|m4v|webm|mkv|avi|3gp)$/i;

/** compare <id-card> <frames… | video> */
export async function compare(targets: string[], o: CliOptions): Promise<number> {
  const [card, ...rest] = targets;
  if (!card || rest.length === 0) throw new UsageError('compare needs an ID card image and frames or a video');
  const frames = rest.length === 1 && VIDEO.test(extname(rest[0]!)) ? (await extractFramesFromReadingVideo(rest[0]!)).frames : rest;
  const r = await compareFaces(card, frames);
  if (o.json) console.log(JSON.stringify({ ...r, frames: r.frames }));
  else {
    const verdict = r.match ? TEXT.match[o.locale] : r.usedFrames > 0 && r.idCardFace ? TEXT.noMatch[o.locale] : TEXT.noVerdict[o.locale];
    console.log(`${r.match ? '✓' : '✗'} ${verdict}: similarity ${r.similarity} (threshold ${r.threshold} at FAR ${r.far}), ${r.usedFrames} frame(s) used`);
    for (const reason of r.reasons) console.log(`    ${reason.id}: ${reason.message[o.locale]}`);
  }
  return r.match ? 0 : 1;
}

/** frames <video> --out DIR */
export async function frames(targets: string[], o: CliOptions): Promise<number> {
  const [video] = targets;
  if (!video || targets.length > 1) throw new UsageError('frames needs one video');
  if (!o.out) throw new UsageError('frames needs --out DIR');
  mkdirSync(o.out, { recursive: true });
  const r = await extractFramesFromReadingVideo(video, { count: o.count ?? 8 });
  const written = r.frames.map((f, i) => {
    const path = join(o.out!, `frame-${String(i + 1).padStart(2, '0')}-${f.timestamp.toFixed(2)}s.jpg`);
    writeFileSync(path, f.image);
    return path;
  });
  if (o.json) console.log(JSON.stringify({ video: r.video, audio: r.audio, span: r.span, frames: r.frames.map((f, i) => ({ path: written[i], timestamp: f.timestamp, width: f.width, height: f.height, sharpness: f.sharpness })) }));
  else {
    console.log(`${r.video.codec} ${r.video.width}×${r.video.height}, ${r.video.durationS.toFixed(1)} s, speech ${r.audio.speechSeconds ?? 0} s`);
    for (const path of written) console.log(`  ${path}`);
  }
  return 0;
}

/** verify --id-card F --video F --photo F */
export async function verify(o: CliOptions): Promise<number> {
  if (!o.idCard || !o.video || !o.photo) throw new UsageError('verify needs --id-card, --video and --photo');
  const r = await verifyApplicant({ idCard: o.idCard, video: o.video, photo: o.photo, challengeDigits: o.digits, attempt: o.attempt }, { photo: { spec: o.spec as never, detector: o.detector } });
  if (o.json) {
    // The frames' JPEG bytes are left out of the JSON.
    const { liveness, ...steps } = r.steps;
    const recording = liveness && { ...liveness.recording, frames: liveness.recording.frames.map(({ image: _, ...f }) => f) };
    console.log(JSON.stringify({ ...r, steps: { ...steps, liveness: liveness && { ...liveness, recording } } }));
  } else {
    console.log(`${r.passed ? '✓' : '✗'} ${r.passed ? TEXT.passed[o.locale] : TEXT.failed[o.locale]} (attempts left: ${r.attemptsLeft})`);
    for (const reason of r.reasons) console.log(`    ${reason.step} ${reason.id}: ${reason.message[o.locale]}`);
  }
  return r.passed ? 0 : 1;
}
