import { join } from 'node:path';
import { extractFramesFromReadingVideo } from '../../media/extract-frames.js';
import type { CliOptions } from '../options.js';
import { OutputFolder } from '../outputs.js';
import { TEXT, jsonLine, printable } from '../text.js';
import { about } from './input-failure.js';

/** frames <video> --out DIR */
export async function frames(targets: string[], o: CliOptions): Promise<number> {
  const video = targets[0]!;
  const out = o.out!;
  const r = await about(video, extractFramesFromReadingVideo(video, { count: o.count ?? 8 }));
  const folder = new OutputFolder(out);
  const names = r.frames.map((f, i) => `frame-${String(i + 1).padStart(2, '0')}-${f.timestamp.toFixed(2)}s.jpg`);
  // Only new files and frames written by an earlier run: nothing is written if one would replace a file of someone else's.
  folder.plan(names, [video], o.overwrite, (rel) => join(out, rel));
  try {
    for (const [i, name] of names.entries()) folder.write(name, r.frames[i]!.image);
  } finally {
    folder.close();
  }
  const written = names.map((name) => join(out, name));
  if (o.json) console.log(jsonLine({ video: r.video, audio: r.audio, span: r.span, frames: r.frames.map((f, i) => ({ path: written[i], timestamp: f.timestamp, width: f.width, height: f.height, sharpness: f.sharpness })) }));
  else {
    console.log(TEXT.recording[o.locale](r.video.codec, r.video.width, r.video.height, r.video.durationS, r.audio.speechSeconds ?? 0));
    for (const path of written) console.log(`  ${printable(path)}`);
  }
  return 0;
}
