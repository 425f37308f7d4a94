/**
 * npm run bench:frames — extractFramesFromReadingVideo (8 frames) against decoding the whole file
 * with `ffmpeg -i FILE -f null -`, in the same run: an 8 s 512×512 talking clip from ../shared/data,
 * and a 10 s 1080p clip made from another one (upscaled, H.264) in a temp folder, twice: with x264's
 * default keyframe interval (250 frames: one keyframe in the speech) and with one a second, as phones
 * record. The table says which decoding 'auto' chose, and what each forced decoding costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFramesFromReadingVideo } from '../../src/index.js';
import { locate, run } from '../../src/media/ffmpeg.js';
import { DATA_DIR, printTable, requireData } from '../data.js';

requireData();
const ffmpeg = locate('ffmpeg').path;
const dir = mkdtempSync(join(tmpdir(), 'idphoto-bench-'));
try {
  const clip512 = join(DATA_DIR, 'videos/sadtalker/examples/ref_video/WDA_KatieHill_000.mp4');
  const clip1080 = join(dir, 'talk-1080p.mp4');
  const clip1080Gop30 = join(dir, 'talk-1080p-gop30.mp4');
  for (const [file, gop] of [[clip1080, []], [clip1080Gop30, ['-g', '30']]] as const) {
    await run(ffmpeg, ['-v', 'error', '-i', join(DATA_DIR, 'videos/liveportrait/assets/examples/driving/d6.mp4'), '-t', '10', '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'veryfast', ...gop, '-c:a', 'aac', file], { timeoutMs: 300_000 });
  }
  const median = async (fn: () => Promise<unknown>, n = 3) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return xs.sort((a, b) => a - b)[Math.floor(n / 2)];
  };
  const rows = [];
  const clips = [
    ['8 s 512×512 (sadtalker, MPEG-4, keyframe every 0.48 s)', clip512],
    ['10 s 1920×1080 (H.264 made here, keyframes at 0 and 8.3 s)', clip1080],
    ['10 s 1920×1080 (H.264 made here, keyframe every 1 s)', clip1080Gop30],
  ] as const;
  for (const [name, file] of clips) {
    await extractFramesFromReadingVideo(file); // warm-up
    const full = await median(() => run(ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-'], { timeoutMs: 300_000 }), 5);
    // 'auto', then each decoding forced (where the keyframes do not allow it, it falls back to 'sequential').
    for (const decoding of ['auto', 'keyframes', 'keyframe-bursts', 'sequential'] as const) {
      const last = await extractFramesFromReadingVideo(file, { decoding });
      if (decoding !== 'auto' && last.decoding !== decoding) continue;
      const extract = await median(() => extractFramesFromReadingVideo(file, { decoding }), 5);
      rows.push([decoding === 'auto' ? name : '', decoding === 'auto' ? `auto: ${last.decoding}` : last.decoding, extract.toFixed(0), full.toFixed(0), (extract / full).toFixed(2), JSON.stringify(last.timings)]);
    }
  }
  console.log('# extractFramesFromReadingVideo: 8 frames against a full decode, median of 5, 2 cores\n');
  console.log("Each clip: the decoding 'auto' chose, then each one forced where the keyframes allow it.\n");
  printTable(['clip', 'decoding', 'extract 8 frames ms', 'ffmpeg -f null ms', 'ratio', 'stages ms'], rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
