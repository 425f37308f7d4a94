/**
 * A host process for test/core/cleanup.test.ts: it starts a video call whose ffmpeg never finishes (the
 * video given as bytes, so the applicant's video sits in the call's temp folder) and waits to be
 * signalled. `host-handler` installs the host's own SIGTERM handler (`host-once`: with process.once), which exits 0
 * on its own terms.
 */
import { readFileSync } from 'node:fs';
import { extractFramesFromReadingVideo } from '../../src/index.js';
import { HANG } from '../helpers.js';

const video = readFileSync(new URL('../../fixtures/videos/upright.mp4', import.meta.url));
// host-once: the handler registered with once (as a queue worker closing gracefully does), before the call
// makes the library listen: by the time the library's own listener runs, once has already taken the host's away.
if (process.argv[2] === 'host-handler' || process.argv[2] === 'host-once') {
  process[process.argv[2] === 'host-once' ? 'once' : 'on']('SIGTERM', () => {
    console.log('host handled SIGTERM');
    setTimeout(() => process.exit(0), 20);
  });
}
extractFramesFromReadingVideo(video, { ffprobePath: HANG, timeoutMs: 600_000 }).catch((error) => console.log(`call ended: ${error.code}`));
