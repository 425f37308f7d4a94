/**
 * A host process for test/core/cleanup.test.ts: it starts a video call whose ffmpeg never finishes (the
 * video given as bytes, so the applicant's video sits in the call's temp folder) and waits to be
 * signalled. `host-handler` installs the host's own SIGTERM handler, which exits 0 on its own terms.
 */
import { readFileSync } from 'node:fs';
import { extractFramesFromReadingVideo } from '../../src/index.js';
import { HANG } from '../helpers.js';

const video = readFileSync(new URL('../../fixtures/videos/upright.mp4', import.meta.url));
if (process.argv[2] === 'host-handler') {
  process.on('SIGTERM', () => {
    console.log('host handled SIGTERM');
    setTimeout(() => process.exit(0), 20);
  });
}
extractFramesFromReadingVideo(video, { ffprobePath: HANG, timeoutMs: 600_000 }).catch((error) => console.log(`call ended: ${error.code}`));
