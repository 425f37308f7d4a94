/** speech: was the digits read aloud, loud enough? */
import { ENVELOPE_RATE, levelEnvelope } from '../../media/audio.js';
import type { ReadingVideoFrames } from '../../media/extract-frames.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { signal } from './signal.js';

export function speechSignal(recording: ReadingVideoFrames, pcm: Int16Array | undefined): SignalOf<'speech'> {
  const a = recording.audio;
  const seconds = a.speechSeconds ?? 0;
  const level = pcm ? voicedLevel(pcm, a.segments ?? []) : -120;
  const codes: LivenessCode[] = [];
  if (!a.present || seconds < LIVENESS_LIMITS.minSpeechSeconds) codes.push('NO_SOUND');
  else if (level < LIVENESS_LIMITS.minSpeechDbfs) codes.push('VOLUME_TOO_LOW');
  return signal('speech', codes, { speechSeconds: seconds, voicedDbfs: level, loudnessDbfs: a.loudnessDbfs ?? -120, audio: a.present ? 'present' : 'absent' }, { minSpeechSeconds: LIVENESS_LIMITS.minSpeechSeconds, minSpeechDbfs: LIVENESS_LIMITS.minSpeechDbfs }, {
    NO_SOUND: { en: 'No voice was heard. Read the digits aloud, and check that the microphone is allowed.', zh: '未检测到声音。请大声朗读数字，并确认已允许使用麦克风。' },
    VOLUME_TOO_LOW: { en: 'The voice is too quiet. Read the digits louder, closer to the phone.', zh: '声音太小。请靠近手机，大声朗读数字。' },
  });
}

/** RMS level of the voiced segments, dBFS: the whole track's loudness counts the pauses too. */
function voicedLevel(pcm: Int16Array, segments: ReadonlyArray<{ start: number; end: number }>): number {
  const env = levelEnvelope(pcm);
  let power = 0;
  let n = 0;
  for (const seg of segments) {
    for (let i = Math.floor(seg.start * ENVELOPE_RATE); i < Math.min(env.length, Math.ceil(seg.end * ENVELOPE_RATE)); i++) {
      power += 10 ** (env[i]! / 10);
      n++;
    }
  }
  return n ? Math.round(10 * Math.log10(power / n) * 10) / 10 : -120;
}

