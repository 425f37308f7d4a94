/**
 * npm run bench:frames — extractFramesFromReadingVideo (8 frames) against decoding the whole file
 * with `ffmpeg -i FILE -f null -`, in the same run: an 8 s 512×512 talking clip from ../shared/data,
 * and a 10 s 1080p clip made from another one (upscaled, H.264) in a temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFramesFromReadingVideo } from '../src/index.js';
import { locate, run } from '../src/video/ffmpeg.js';
import { DATA_DIR, printTable, requireData } from '../eval/data.js';

requireData();
const ffmpeg = locate('ffmpeg').path;
const dir = mkdtempSync(join(tmpdir(), 'idphoto-bench-'));
try {
  const clip512 = join(DATA_DIR, 'videos/sadtalker/examples/ref_video/WDA_KatieHill_000.mp4');
  const clip1080 = join(dir, 'talk-1080p.mp4');
  await run(ffmpeg, ['-v', 'error', '-i', join(DATA_DIR, 'videos/liveportrait/assets/examples/driving/d6.mp4'), '-t', '10', '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', clip1080], { timeoutMs: 300_000 });
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
  for (const [name, file] of [['8 s 512×512 (sadtalker)', clip512], ['10 s 1920×1080 (H.264, made here)', clip1080]] as const) {
    await extractFramesFromReadingVideo(file); // warm-up
    const last = await extractFramesFromReadingVideo(file);
    const extract = await median(() => extractFramesFromReadingVideo(file));
    const full = await median(() => run(ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-'], { timeoutMs: 300_000 }));
    rows.push([name, extract.toFixed(0), full.toFixed(0), (extract / full).toFixed(2), JSON.stringify(last.timings)]);
  }
  console.log('# extractFramesFromReadingVideo: 8 frames against a full decode, median of 3, 2 cores\n');
  printTable(['clip', 'extract 8 frames ms', 'ffmpeg -f null ms', 'ratio', 'stages ms'], rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
