/**
 * Every default of the library, in one place, each with why it is what it is. The photo spec's own limits
 * (size, dpi, background, head position, …) are in spec.ts; "measured" means by the command named.
 */
const MiB = 1024 * 1024;

/** Every default of the library, by feature, each with why it is what it is (src/core/defaults.ts). */
export const DEFAULTS = deepFreeze({
  /** Images: validatePhoto, compressToSpec, compareFaces' card and frames. */
  image: {
    /** Bytes of one image input: an uploaded photo is far below; 50 MiB holds a 100-MP phone JPEG. */
    maxInputBytes: 50 * MiB,
    /** Pixels declared in the header, refused before decoding (decompression bombs): 64 MP holds every phone camera. */
    maxPixels: 64_000_000,
  },
  photo: {
    /**
     * validatePhoto's face detector: UltraFace, SSD only where it finds none. It finds a face in 99.8% of
     * 666 photos against SSD's 92.0%, at ~10 ms against ~600 (eval/results/detectors.md).
     */
    detector: 'auto' as const,
    /** Longest side the photo is reduced to before detection: a 480×640 ID photo is not reduced. */
    detectionMaxSide: 640,
    /** A photo takes ~0.1–0.3 s; 100× that is a stuck call, not a slow one. */
    timeoutMs: 30_000,
  },
  compress: {
    /**
     * compressToSpec's detector stays SSD: with 'auto', 82 of 175 processed photos came out passing against
     * 90 (npm run eval:compress), the framing moving with the points.
     */
    detector: 'ssd' as const,
    /** 'auto': replace the background unless it already passes. */
    background: 'auto' as const,
    /**
     * Output pixels per source pixel at most: the real 286×401 ID photo in ../shared/data needs 1.72× and
     * still passes the sharpness check; LFW's 250-px photos enlarged 2.5× fail it in 37 of 97 (npm run eval).
     */
    maxUpscale: 2,
    /** Land inside the byte band whether the portal reads "KB" as 1000 or 1024 bytes. */
    bothKilobyteReadings: true,
    /** It runs validatePhoto on its output too: twice validatePhoto's limit. */
    timeoutMs: 60_000,
  },
  compare: {
    /** False-accept rate of the threshold: 1 impostor in 1,000 accepted (calibration.ts). */
    far: 1e-3 as const,
    /** A verdict rests on at least 3 frames (or all given, when fewer): one odd frame cannot decide. */
    minFrames: 3,
    /** The mirrored face's embedding is added (flip averaging): the thresholds were calibrated so (eval/results/compare-faces-detectors.md). */
    flip: true,
    /** Frames: 'auto' matches better than SSD and the thresholds are computed on its boxes (eval/results/compare-faces-detectors.md), ~40 ms a frame against ~300. */
    detector: 'auto' as const,
    /** The card: 'auto' finds the portrait more often (27 of 1,410 pairs without one against 74) in 107 ms against 2.3 s. */
    cardDetector: 'auto' as const,
    /** Eyes closer than 16 px (in the decoded image) carry too little detail for ArcFace's 112×112 input. */
    minEyeDistancePx: 16,
    /** extractFramesFromReadingVideo returns 8 by default and allows 64; 32 bounds a call at ~10 s of detection. */
    maxFrames: 32,
    timeoutMs: 120_000,
  },
  /** extractFramesFromReadingVideo. */
  frames: {
    /** 8 frames spread over the speech: a few lost to blur or a turned head still leave compareFaces' minFrames. */
    count: 8,
    /** The frames are for face comparison, which aligns faces to 112×112: larger costs decoding and JPEG time, not accuracy. */
    maxWidth: 720,
    maxHeight: 720,
    /** Reading the challenge digits aloud takes longer than 2 s; 60 s is far past any reading and bounds the decoding. */
    minDurationS: 2,
    maxDurationS: 60,
    /** Bytes of the video: bounds the temp file a video given as bytes is written to. */
    maxInputBytes: 200 * MiB,
    /** Pixels of one frame: 4K, the largest phone recording. */
    maxVideoPixels: 3840 * 2160,
    /** An extraction takes well under a second here (npm run bench:frames): past a minute ffmpeg is stuck, not slow. */
    timeoutMs: 60_000,
  },
  liveness: {
    /** Frames a second the face is tracked at over the speech: LIVENESS_LIMITS were measured at 10 (npm run eval:liveness). */
    fps: 10,
    /** Frames returned for compareFaces, as extractFramesFromReadingVideo's `count`. */
    frameCount: 8,
    maxInputBytes: 200 * MiB,
    timeoutMs: 120_000,
  },
  card: {
    /** readIdCard finds the portrait's box too (one detection at the rotation the text gave, ~20–60 ms). */
    portrait: true,
    /** A card is read in ~0.3–0.7 s; 50× that is a stuck call. */
    timeoutMs: 30_000,
  },
  verify: {
    /** The Hubei rule: three online verifications, then the applicant verifies in person. */
    maxAttempts: 3,
    /** The steps' own limits apply inside; this bounds the whole (on a busy 2-core machine a call takes ~20 s). */
    timeoutMs: 180_000,
  },
  queue: {
    /** The BullMQ queue's name (idphoto-verify/queue). */
    queue: 'idphoto-verify',
    /** Inline bytes in a job at most: an ID photo (20–40 KB) goes inline; a video or a phone photo goes by path or key. */
    maxInlineBytes: 256 * 1024,
    /** A job runs at most 3 times: transient faults (a worker that died, a timeout) are retried; verdicts and input errors are not. */
    attempts: 3,
    /** Retries wait 2 s, then 4 s: a replaced worker thread starts in ~1 s. */
    backoffMs: 2_000,
    /** Finished jobs (results and dead letters) expire from Redis a day after they end, whatever their count. */
    expireAfterS: 86_400,
    /** enqueue gives up (TIMEOUT, retryable) when Redis does not answer within this: a producer is never held forever by a Redis that is down. */
    enqueueTimeoutMs: 10_000,
    /** Results kept in Redis, at most (and for expireAfterS at most): a few KB each without identity data. */
    keepCompleted: 10_000,
    keepFailed: 10_000,
    /** On SIGTERM running jobs get this long to finish; then they are handed back to the queue. */
    shutdownTimeoutMs: 30_000,
    /** A worker process's lock on a job: another takes the job over this long after the process dies. */
    lockDurationMs: 30_000,
    /** A job whose process died twice in a row is failed (STALLED), not run a third time. */
    maxStalledCount: 2,
  },
  verifier: {
    /** Calls that may wait for a worker, per worker: a few seconds of backlog, then QUEUE_FULL (HTTP 503). */
    queuePerWorker: 4,
    /** Inputs map() keeps in flight per worker: one running, one ready. */
    mapInFlightPerWorker: 2,
    /** Models load on first use: a pool that is never called costs no memory. */
    preload: false,
    /** map() yields results in input order. */
    ordered: true,
  },
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
