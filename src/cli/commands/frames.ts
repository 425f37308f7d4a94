import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFramesFromReadingVideo } from '../../media/extract-frames.js';
import type { CliOptions } from '../options.js';
import { TEXT } from '../text.js';
import { about } from './input-failure.js';

/** frames <video> --out DIR */
export async function frames(targets: string[], o: CliOptions): Promise<number> {
  const video = targets[0]!;
  const out = o.out!;
  const r = await about(video, extractFramesFromReadingVideo(video, { count: o.count ?? 8 }));
  mkdirSync(out, { recursive: true });
  const written = r.frames.map((f, i) => {
    const path = join(out, `frame-${String(i + 1).padStart(2, '0')}-${f.timestamp.toFixed(2)}s.jpg`);
    writeFileSync(path, f.image);
    return path;
  });
  if (o.json) console.log(JSON.stringify({ video: r.video, audio: r.audio, span: r.span, frames: r.frames.map((f, i) => ({ path: written[i], timestamp: f.timestamp, width: f.width, height: f.height, sharpness: f.sharpness })) }));
  else {
    console.log(TEXT.recording[o.locale](r.video.codec, r.video.width, r.video.height, r.video.durationS, r.audio.speechSeconds ?? 0));
    for (const path of written) console.log(`  ${path}`);
  }
  return 0;
}
