/**
 * Makes the video fixtures in fixtures/videos/ with ffmpeg, from fixtures/photos/compliant.jpg (made
 * from face-api's demo photo) and generated audio: a 220 Hz tone that "speaks" from 0.8 s to 2.4 s
 * in a 3 s clip, silence around it. Each fixture is one way phones and browsers record.
 *
 *   npx tsx scripts/make-video-fixtures.ts     (commit the output)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { locate, run } from '../src/media/ffmpeg.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'fixtures', 'videos');
const still = join(root, 'fixtures', 'photos', 'compliant.jpg');
mkdirSync(out, { recursive: true });
const ffmpeg = locate('ffmpeg').path;
const ff = (args: string[]) => run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeoutMs: 120_000 });

// Filter-graph syntax: commas inside the expression are escaped (no shell is involved).
const SPEECH = 'aevalsrc=0.4*sin(2*PI*220*t)*between(t\\,0.8\\,2.4)+0.4*sin(2*PI*330*t)*between(t\\,0.8\\,2.4):s=48000:d=3';
const SILENCE = 'anullsrc=r=48000:cl=mono';
const STILL = ['-loop', '1', '-framerate', '25', '-i', still];
const scale = (filter = '') => ['-vf', `scale=240:320${filter ? `,${filter}` : ''}`];

/** The first frame as ffmpeg shows it (autorotated), as a 24×24 grey thumbnail. */
async function firstFrame(path: string): Promise<Buffer> {
  return (await run(ffmpeg, ['-v', 'error', '-i', path, '-frames:v', '1', '-vf', 'scale=24:24', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { timeoutMs: 30_000 })).stdout;
}
const distance = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + (v - b[i]) ** 2, 0);

async function make(name: string, args: string[], turnBack?: number) {
  const target = join(out, name);
  if (turnBack === undefined) {
    await ff([...args, '-t', '3', target]);
  } else {
    // The stored picture is turned; the display matrix must turn it back. ffmpeg 4.1 writes the
    // matrix only when copying streams, and ffmpeg versions disagree on the sign of the `rotate`
    // tag, so both signs are tried and the one that ffmpeg itself shows upright is kept.
    const tmp = join(out, `tmp-${name}`);
    await ff([...args, '-t', '3', tmp]);
    const upright = await firstFrame(join(out, 'upright.mp4'));
    let best: { tag: number; d: number } | undefined;
    for (const tag of [turnBack, (360 - turnBack) % 360]) {
      await ff(['-i', tmp, '-c', 'copy', '-metadata:s:v', `rotate=${tag}`, target]);
      const d = distance(await firstFrame(target), upright);
      if (!best || d < best.d) best = { tag, d };
    }
    await ff(['-i', tmp, '-c', 'copy', '-metadata:s:v', `rotate=${best!.tag}`, target]);
    rmSync(tmp);
  }
  console.log(name);
}

const h264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-crf', '30'];
const aac = ['-c:a', 'aac', '-b:a', '48k'];

await make('upright.mp4', [...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale(), ...h264, ...aac]);
// Stored turned (rotated-90: a quarter turn counter-clockwise, so it needs 90° clockwise to show, as
// phones held upright record), with a display matrix that turns it back.
await make('rotated-90.mp4', [...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale('transpose=2'), ...h264, ...aac], 90);
await make('rotated-180.mp4', [...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale('hflip,vflip'), ...h264, ...aac], 180);
await make('rotated-270.mp4', [...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale('transpose=1'), ...h264, ...aac], 270);
await make('hevc.mov', [...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale(), '-c:v', 'libx265', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1', '-crf', '32', ...aac]);
await make('silent.mp4', [...STILL, '-f', 'lavfi', '-i', SILENCE, ...scale(), ...h264, ...aac]);
await make('no-audio.mp4', [...STILL, ...scale(), ...h264, '-an']);
await make('variable-rate.mp4', [...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale('setpts=if(lt(N\\,25)\\,N/25\\,1+(N-25)/10)/TB'), ...h264, '-vsync', 'vfr', ...aac]);
await make('audio-only.m4a', ['-f', 'lavfi', '-i', SPEECH, ...aac]);
// Keyframes at 0, 1.2 and 2 s only, stored turned as rotated-90.mp4 is. Three slots over the speech
// (0.8–2.4 s) hold a keyframe, one from 1.2 s, none: frames come from keyframe bursts, one of them
// seeking past its keyframe. Eight slots would decode too much that way: the whole span is decoded.
// A 32×32 patch in the top-left corner (of the upright picture) has grey level 4n − 40 in frame n
// (0 before frame 10), so a test can tell which frame it was given.
await make(
  'keyframes-rotated-90.mp4',
  [
    ...STILL, '-f', 'lavfi', '-i', SPEECH, '-f', 'lavfi', '-i', "color=c=black:s=32x32:r=25,format=yuv420p,geq=lum='max(0,4*N-40)':cb=128:cr=128",
    '-filter_complex', '[0:v]scale=240:320[still];[still][2:v]overlay=0:0,transpose=2[v]', '-map', '[v]', '-map', '1:a',
    ...h264, '-g', '250', '-sc_threshold', '0', '-force_key_frames', '0,1.2,2', ...aac,
  ],
  90,
);

// A browser's MediaRecorder writes WebM as a stream: no duration in the header. Writing to a pipe
// leaves it out the same way.
const webm = await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', ...STILL, '-f', 'lavfi', '-i', SPEECH, ...scale(), '-t', '3', '-c:v', 'libvpx-vp9', '-b:v', '200k', '-deadline', 'realtime', '-c:a', 'libopus', '-f', 'webm', 'pipe:1'], { timeoutMs: 120_000 });
// ffmpeg still writes the Duration element when it knows the length (-t): blank it with an EBML Void
// element of the same size (ID 0xEC, size 9, 9 zero bytes), as MediaRecorder files come.
const bytes = Buffer.from(webm.stdout);
const at = bytes.subarray(0, 2048).indexOf(Buffer.from([0x44, 0x89, 0x88]));
if (at < 0) throw new Error('no 8-byte Duration element in the WebM header');
bytes.fill(0, at, at + 11);
bytes[at] = 0xec;
bytes[at + 1] = 0x89;
writeFileSync(join(out, 'browser-no-duration.webm'), bytes);
console.log('browser-no-duration.webm');
