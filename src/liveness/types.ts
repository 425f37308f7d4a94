/** analyzeReadingVideo's options, result types and limits. */
import type { Outcome } from '../core/result.js';
import type { Timings } from '../core/timing.js';
import { THRESHOLDS } from '../compare/calibration.js';
import type { ExtractFramesOptions, ReadingVideoFrames } from '../media/extract-frames.js';

/** analyzeReadingVideo's options; every one has a default (DEFAULTS.liveness, DEFAULTS.frames). */
export interface AnalyzeReadingVideoOptions extends Omit<ExtractFramesOptions, 'format' | 'count'> {
  /** Frames a second sampled over the speech for the lip and face signals, 4–30. Default 10. */
  fps?: number;
  /** The digits the host asked the applicant to read, e.g. '3806'. */
  challengeDigits?: string;
  /** The host's speech recogniser: 16 kHz mono PCM in, text out. Without it, digits are 'not-checked'. */
  transcribe?: (pcm16k: Int16Array) => Promise<string>;
  /** Sharp frames returned for face comparison (extractFramesFromReadingVideo's `count`). Default 8. */
  frameCount?: number;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT` (ffmpeg ended, temp data removed). Default 120,000. */
  timeoutMs?: number;
}

/** Why a signal failed: stable codes for programs. */
export type LivenessCode =
  | 'NO_SOUND'
  | 'VOLUME_TOO_LOW'
  | 'LIP_MOVEMENT_TOO_SMALL'
  | 'LIPS_OUT_OF_SYNC'
  | 'FACE_NOT_VISIBLE'
  | 'MULTIPLE_FACES'
  | 'FACE_CHANGED'
  | 'SPOOF_SUSPECTED'
  | 'TOO_DARK'
  | 'TOO_BLURRY'
  | 'FACE_TOO_SMALL'
  | 'DIGITS_MISMATCH';

/** What each signal measures and holds it against; units in the key names. */
export interface SignalShapes {
  speech: {
    measured: { speechSeconds: number; voicedDbfs: number; loudnessDbfs: number; audio: 'present' | 'absent' };
    limit: { minSpeechSeconds: number; minSpeechDbfs: number };
  };
  lipSync: {
    measured: {
      /** How fast the lips open and close beyond the nose's base against its bridge, eye distances a second, in the face's own frame (0: a rigid face); mean over the speech. */
      mouthMotion: number;
      /** z of the lips' opening against the level of the voice's 1–3 kHz band at the best lag, under independence (synchrony.ts). */
      syncZ: number;
      /** One-sided p-value of that lag, corrected for the lags tried. */
      syncP: number;
      /** The correlation at that lag. */
      correlation: number;
      /** That lag, seconds: + means the voice follows the mouth. */
      syncLagS: number;
      /** The same test at the lags no live recording has (the voice 0.4–2 s late or early): its z, p-value and lag. */
      offsetSyncZ: number;
      offsetSyncP: number;
      offsetLagS: number;
      /** Inner-lip gap over the eye distance, 10th–90th percentile spread (reported). */
      mouthRange: number;
      framesWithMouth: number;
    };
    limit: { minMouthMotion: number; minSyncZ: number; syncLagsS: number; offsetLagsS: readonly [number, number]; maxOffsetSyncP: number };
  };
  faceConsistency: {
    measured: {
      /** Share of the speech's detected frames with exactly one face. */
      oneFaceShare: number;
      framesWithSeveralFaces: number;
      /** Lowest similarity of a frame's face to the video's own face; null with fewer than two comparable faces. */
      lowestSimilarity: number | null;
      framesUnlikeTheFace: number;
      framesCompared: number;
      /** The run of consecutive faces (at least minRunFaces, and as many others) least like the others: the median similarity of its faces to theirs, null with too few faces; another person for a stretch when below minSameFaceSimilarity. */
      runSimilarity: number | null;
      runFaces: number;
      detectedFrames: number;
    };
    limit: { minOneFaceShare: number; minSameFaceSimilarity: number; maxFramesUnlike: string; minRunFaces: number };
  };
  /** Reported only (severity 'info'): the score does not separate live faces from attacks well enough to decide. */
  presentationAttack: {
    /** screenPattern: the recording's moiré (a screen replayed), null without frames; liveScore: the anti-spoofing model's, reported only. */
    measured: { screenPattern: number | null; liveScore: number; framesScored: number };
    limit: { maxScreenPattern: number; liveScore: 'reported only' };
  };
  quality: {
    measured: { faceLuma: number; faceSharpness: number; eyeDistancePx: number };
    limit: { minFaceLuma: number; minFaceSharpness: number; minEyeDistancePx: number };
  };
  /** The digits heard in the recogniser's transcript, against the challenge. */
  digits: { measured: { heard: string }; limit: { challenge: string; rule: string } };
}

/** The id of a liveness signal. */
export type SignalId = keyof SignalShapes;

/** One signal: a Finding with the codes it failed on. Narrow on `id` for typed `measured` and `limit`. */
export type SignalOf<K extends SignalId> = Outcome<K, SignalShapes[K]['measured'], SignalShapes[K]['limit']> & {
  /** The failure codes of this signal; empty when it passed. */
  codes: LivenessCode[];
};
/** One liveness signal; narrow on `id` for its typed `measured` and `limit`. */
export type LivenessSignal = { [K in SignalId]: SignalOf<K> }[SignalId];

/** analyzeReadingVideo's stages, as its `timings` name them. */
export type LivenessStage = 'audio' | 'decode' | 'faces' | 'signals' | 'digits';

/** analyzeReadingVideo's result: the verdict, every signal, the recording and its frames. */
export interface ReadingVideoAnalysis {
  /** No signal of severity 'error' failed (presentationAttack only reports). */
  passed: boolean;
  signals: { [K in SignalId]: SignalOf<K> };
  /** All failure codes, in signal order. */
  codes: LivenessCode[];
  /** The recording's facts and the sharp frames for compareFaces, as extractFramesFromReadingVideo returns them. */
  recording: ReadingVideoFrames;
  /** Per sampled frame: seconds, faces found (−1: not detected on this frame, tracked), mouth opening. */
  samples: Array<{ t: number; faces: number; mouthOpening: number | null }>;
  timings: Timings<LivenessStage>;
}

/** Every limit, in one place; each measured on the real and attack videos of `npm run eval:liveness`. */
export const LIVENESS_LIMITS = Object.freeze({
  /** Seconds of voice. */
  minSpeechSeconds: 1,
  /** Level of the voiced segments, dBFS (speech is typically −30 to −15). */
  minSpeechDbfs: -40,
  /**
   * The lips' own speed, eye distances a second (0: a photo or a rigid face). Chosen on the dev part of
   * eval:liveness's corpus, midway between the fastest photo-type attack (0.07) and the slowest real speaker (0.11).
   */
  minMouthMotion: 0.09,
  /**
   * z of the lips' opening against the voice (both less their 1 s trend), best lag. Chosen on the dev part of
   * eval:liveness's corpus, under its lowest real speaker (0.13) at the half-unit below: "not unrelated to
   * the voice". Dubbed voices reach 1.9 and shifted ones 2.3, as real speakers do: this limit does not stop them.
   */
  minSyncZ: 0,
  /** Lags searched for synchrony, ± seconds: a live recording's voice and picture are this close. */
  syncLagsS: 0.2,
  /**
   * Lags, ± seconds, that no live recording has: a voice this far behind or ahead of the lips was shifted
   * (or is someone else's). Phones and browsers keep picture and sound within ~0.1–0.2 s.
   */
  offsetLagsS: Object.freeze([0.4, 2] as const),
  /**
   * LIPS_OUT_OF_SYNC, too, when the voice follows the lips at one of those lags beyond chance (p below this,
   * Šidák-corrected over the lags) and better than at any live lag: the voice of this face, shifted. A
   * 1-in-100 level chosen before measuring; a real speaker is rejected this way only when, by chance, the far
   * lags fit better than the near ones and at p < 0.01.
   */
  maxOffsetSyncP: 0.01,
  /** Share of sampled frames with exactly one face. */
  minOneFaceShare: 0.8,
  /** Detections (a second apart) showing a second person before MULTIPLE_FACES: one was a false face in a real video. */
  minFramesWithSecondFace: 2,
  /** Similarity of a frame's face to the video's own face below which it is another person (THRESHOLDS[1e-2]). */
  minSameFaceSimilarity: THRESHOLDS[1e-2],
  /** Mean luma of the face, 0–255. */
  minFaceLuma: 50,
  /** Laplacian variance of the aligned 112×112 face. */
  minFaceSharpness: 20,
  /** Eye distance, pixels of the recording. */
  minEyeDistancePx: 30,
  /**
   * The recording's screen pattern (signals/presentation-attack.ts: the lower quartile over its patches of the
   * strongest spectral peak against its neighbourhood, ~4–6 by chance) over which it is a screen replayed,
   * SPOOF_SUSPECTED. Chosen on the dev part of eval:liveness's corpus: 1.4 times its highest real speaker (5.7).
   */
  maxScreenPattern: 8,
});

