/**
 * analyzeReadingVideo: is a live person reading in front of the camera? The liveness signals of the
 * digit-reading video — speech, lips moving with the voice, the same single face throughout,
 * presentation-attack scores, quality, and (with the host's speech recogniser) the digits. The video is
 * decoded once (tracking.ts); each signal is a file of signals/.
 */
import { type CallScope, scoped } from '../core/call-scope.js';
import { makePrivateDir, removePrivateDir } from '../core/cleanup.js';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { checkOptions, is, withDefaults } from '../core/options.js';
import { round } from '../core/stats.js';
import { stageTimer } from '../core/timing.js';
import { FRAMES_SCHEMA, type FramesStage, type ReadingVideoFrames, extractOptions, readRecording, sharpestFrames, spanCandidates } from '../media/extract-frames.js';
import { planKeyframes } from '../media/frame-plan.js';
import { settled, videoPath, type VideoInput } from '../media/input.js';
import { digitsSignal } from './signals/digits.js';
import { consistencySignal } from './signals/face-consistency.js';
import { lipSyncSignal } from './signals/lip-sync.js';
import { attackSignal } from './signals/presentation-attack.js';
import { qualitySignal } from './signals/quality.js';
import { speechSignal } from './signals/speech.js';
import { MAX_DENSE_FRAMES, spread, trackFace, trackingFrames } from './tracking.js';
import type { AnalyzeReadingVideoOptions, LivenessStage, ReadingVideoAnalysis } from './types.js';

const DEFAULTS = DEFAULT_VALUES.liveness;

const { count: _count, format: _format, ...frameRules } = FRAMES_SCHEMA;
/** analyzeReadingVideo's options: extractFramesFromReadingVideo's but `count` and `format`, and its own. */
export const LIVENESS_SCHEMA = {
  ...frameRules,
  fps: is.number(4, 30),
  challengeDigits: is.matching(/^\d{1,32}$/, 'string of 1–32 digits'),
  transcribe: is.function,
  frameCount: is.integer(1, 64),
} as const;

// Frames outside the speech compared for a change of person, at most (spread evenly).
const MAX_OUTSIDE_FRAMES = 10;

/** Is a live person reading in front of the camera? The liveness signals of the digit-reading video. */
export async function analyzeReadingVideo(video: VideoInput, options: AnalyzeReadingVideoOptions = {}): Promise<ReadingVideoAnalysis> {
  const o = withDefaults(DEFAULTS, checkOptions(options, LIVENESS_SCHEMA));
  return scoped('analyzeReadingVideo', o, DEFAULTS.timeoutMs, (scope) => analyze(video, o, scope));
}

async function analyze(video: VideoInput, o: typeof DEFAULTS & AnalyzeReadingVideoOptions, scope: CallScope): Promise<ReadingVideoAnalysis> {
  const { timings, lap } = stageTimer<LivenessStage>(scope);
  const tempDir = await makePrivateDir('liveness');
  try {
    const path = await videoPath(video, tempDir, o.maxInputBytes);
    const { fps: _f, challengeDigits: _c, transcribe: _t, frameCount, ...frameOptions } = o;
    const eo = extractOptions({ ...frameOptions, count: frameCount });
    const runOptions = { ffmpegPath: o.ffmpegPath, ffprobePath: o.ffprobePath, timeoutMs: scope.timeoutMs, signal: scope.signal };
    // As extractFramesFromReadingVideo: the facts, and the audio decoded once (speech facts, then the lips and the digits).
    const recordingTimer = stageTimer<FramesStage>(scope);
    const { video: v, audio, pcm, span, packets } = await readRecording(path, eo, runOptions, recordingTimer.lap);
    lap('audio');
    const length = Math.min(span.end - span.start, MAX_DENSE_FRAMES / o.fps);
    // Outside the speech, a frame a second: someone else may sit down before or after the reading.
    const outside = span.source === 'speech' && (span.start > 1 || span.end < v.durationS - 1);
    // The frames for compareFaces: keyframes only where every slot holds one (a fraction of a decode);
    // else the candidates of the 'sequential' decoding come from the tracking decode: the video is decoded once.
    const keyframes = (eo.decoding ?? 'auto') === 'auto' || eo.decoding === 'keyframes' ? planKeyframes(packets, span, eo.count) : undefined;
    const candidates = keyframes ? undefined : spanCandidates(v, span, eo);
    const [fromKeyframes, { dense, sparse, candidates: candidateBytes }] = await settled([
      keyframes ? sharpestFrames(path, v, span, eo, keyframes, runOptions) : undefined,
      trackingFrames(path, v, span.start, length, o.fps, outside, runOptions, candidates && { ...candidates, length: span.end - span.start }),
    ] as const);
    // ffmpeg decoded other keyframes than the container lists: the span, as extractFramesFromReadingVideo does then.
    const frames = candidates ? await candidates.pick(candidateBytes![0]!, candidateBytes![1]!) : (fromKeyframes ?? (await sharpestFrames(path, v, span, eo, undefined, runOptions))!);
    recordingTimer.lap('frames');
    const recording: ReadingVideoFrames = { video: v, audio, span, frames, decoding: fromKeyframes ? 'keyframes' : 'sequential', timings: recordingTimer.timings };
    lap('decode');

    const tracked = await trackFace(dense, o.fps, scope);
    const around = sparse ? await trackFace(spread(sparse.filter((f) => f.t < span.start - 0.5 || f.t > span.end + 0.5), MAX_OUTSIDE_FRAMES), 1, scope) : [];
    lap('faces');

    const speech = speechSignal(recording, pcm);
    const lipSync = lipSyncSignal(tracked, pcm, recording);
    const faceConsistency = consistencySignal(tracked, around);
    const presentationAttack = await attackSignal(tracked, frames);
    const quality = qualitySignal(tracked, v.width / (dense[0]?.width ?? v.width));
    lap('signals');
    const digits = await digitsSignal(pcm, o.challengeDigits, o.transcribe);
    lap('digits');

    const signals = { speech, lipSync, faceConsistency, presentationAttack, quality, digits };
    const codes = Object.values(signals).flatMap((s) => s.codes);
    return {
      passed: Object.values(signals).every((s) => s.status !== 'failed'),
      signals,
      codes,
      recording,
      samples: tracked.map((f) => ({ t: round(f.t, 3), faces: f.faces, mouthOpening: f.mouth === null ? null : round(f.mouth, 4) })),
      timings,
    };
  } finally {
    await removePrivateDir(tempDir);
  }
}
