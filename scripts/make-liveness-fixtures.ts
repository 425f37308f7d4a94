/**
 * Makes the liveness fixtures in fixtures/videos/ with ffmpeg, from fixtures/faces/ (made from
 * face-api's demo photos) and a generated voice-like track: a 180 Hz tone whose loudness rises and
 * falls four times a second, like syllables, from 0.5 s to 3.5 s.
 *
 * - face-switch.mp4: person A for 2 s, then person B, over the voice: a different person appears.
 * - photo-voice.mp4: person A's still photo over the voice: the lips cannot move with it.
 *
 *   npx tsx scripts/make-liveness-fixtures.ts     (commit the output)
 */
import { join, dirname } from 'node:path';
import { locate, run } from '../src/media/ffmpeg.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'fixtures', 'videos');
const face = (f: string) => join(root, 'fixtures', 'faces', f);
const ffmpeg = locate('ffmpeg').path;
const ff = (args: string[]) => run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeoutMs: 120_000 });

const VOICE = 'aevalsrc=0.5*sin(2*PI*180*t)*(0.55+0.45*sin(2*PI*4*t))*between(t\\,0.5\\,3.5):s=48000:d=4';
const h264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-crf', '30', '-r', '25'];
const aac = ['-c:a', 'aac', '-b:a', '48k'];
const frame = 'scale=360:432:force_original_aspect_ratio=decrease,pad=360:432:(ow-iw)/2:(oh-ih)/2';

await ff([
  '-loop', '1', '-framerate', '25', '-t', '2', '-i', face('person-a.jpg'),
  '-loop', '1', '-framerate', '25', '-t', '2', '-i', face('person-b.jpg'),
  '-f', 'lavfi', '-i', VOICE,
  '-filter_complex', `[0:v]${frame},setsar=1[a];[1:v]${frame},setsar=1[b];[a][b]concat=n=2:v=1:a=0[v]`,
  '-map', '[v]', '-map', '2:a', ...h264, ...aac, '-t', '4', join(out, 'face-switch.mp4'),
]);
console.log('face-switch.mp4');
await ff(['-loop', '1', '-framerate', '25', '-i', face('person-a.jpg'), '-f', 'lavfi', '-i', VOICE, '-vf', frame, ...h264, ...aac, '-t', '4', join(out, 'photo-voice.mp4')]);
console.log('photo-voice.mp4');
