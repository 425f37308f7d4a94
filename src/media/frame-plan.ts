/**
 * Which frames to decode for extractFramesFromReadingVideo's candidates, from the packet listing alone:
 * only the keyframes when every slot holds one, else short bursts from the keyframes when they cost less
 * than decoding the whole span (the cost model below), else the span.
 */
// Candidate frames decoded per returned frame: the sharpest of each slot is kept.
export const CANDIDATES_PER_SLOT = 4;
// What the choice between bursts and one decode of the span weighs (planBursts), measured with the
// bundled ffmpeg on this project's 2-core machine: opening an input ~25 ms; decoding a frame ~0.7 ms
// a megapixel on the span's decode (two threads), twice that in a burst (one thread, -threads 1).
const INPUT_OPEN_MS = 25;
const DECODE_MS_PER_MEGAPIXEL = 0.7;


export interface KeyframePlan {
  /** Keyframes ffmpeg decodes: every one before this time, seconds on ffmpeg's `-ss` clock. */
  until: number;
  decoded: number;
  /** The candidates: position among the decoded keyframes, slot, time. */
  keyframes: Array<{ index: number; slot: number; time: number }>;
}

/**
 * Decoding only the keyframes costs a fraction of any other decode (8 s of 1080×1440 H.264 with one a
 * second: 87 ms against 272 ms for the whole file), and a keyframe is its encoder's best picture. Used
 * when each of the `count` slots of the span holds at least one; the sharpest of a slot's is kept.
 */
export function planKeyframes(packets: { keyframes: number[] }, span: { start: number; end: number }, count: number): KeyframePlan | undefined {
  const length = span.end - span.start;
  if (!(length > 0)) return undefined;
  // A little past the span's end, so that a keyframe on its last instant is decoded.
  const until = span.end + 0.05;
  const decodedTimes = packets.keyframes.filter((t) => t < until);
  const keyframes = decodedTimes.flatMap((time, index) =>
    time >= span.start && time <= span.end ? [{ index, slot: Math.min(count - 1, Math.floor(((time - span.start) / length) * count)), time }] : [],
  );
  const filled = new Set(keyframes.map((k) => k.slot));
  return filled.size === count ? { until, decoded: decodedTimes.length, keyframes } : undefined;
}

interface Burst {
  slot: number;
  /** Where ffmpeg seeks, seconds on its `-ss` clock: between the keyframe decoding starts from and the next one. */
  seek: number;
  /** Frames before this time, seconds after the seek, are decoded only to reach the burst (halfway to the frame before it). */
  from: number;
  /** Of the frames decoded, seconds on ffmpeg's `-ss` clock. */
  timestamps: number[];
}
export interface BurstPlan {
  bursts: Burst[];
  frames: number;
  /** Frames decoded by the bursts (those before each burst's start included), and by one decode of the whole span. */
  cost: { bursts: number; sequential: number };
}

/**
 * Where to decode a short burst of candidates in each slot: from a keyframe inside the slot when there
 * is one, else from the slot's start (decoding from the keyframe before it). Undefined when that would
 * cost more than one decode of the whole span: keyframes too sparse (one every few seconds, or a
 * browser WebM with one at the start), or frames so small that opening an input a burst costs more than
 * decoding the span (on 8 s of 1080×1440 with a keyframe every 1.2 s: 330 ms for the span against
 * 410 ms for 8 bursts; on 10 s of 1920×1080 with one a second, bursts took 0.55× of a full decode).
 * `megapixels`: of a stored frame (default 1920×1080).
 */
export function planBursts(packets: { times: number[]; keyframes: number[] }, span: { start: number; end: number }, count: number, perSlot = CANDIDATES_PER_SLOT, megapixels = 2.07): BurstPlan | undefined {
  const plan = burstPlan(packets, span, count, perSlot);
  if (!plan) return undefined;
  const frameMs = DECODE_MS_PER_MEGAPIXEL * megapixels;
  const burstsMs = plan.bursts.length * INPUT_OPEN_MS + plan.cost.bursts * 2 * frameMs;
  return burstsMs < plan.cost.sequential * frameMs ? plan : undefined;
}

/** The bursts, whatever they cost; undefined when a slot has no keyframe to start from. */
export function burstPlan(packets: { times: number[]; keyframes: number[] }, span: { start: number; end: number }, count: number, perSlot = CANDIDATES_PER_SLOT): BurstPlan | undefined {
  const { times, keyframes } = packets;
  if (times.length === 0 || keyframes.length === 0) return undefined;
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const keyBefore = (t: number) => keyframes.reduce((k, x) => (x <= t ? x : k), Number.NaN);
  const framesBetween = (a: number, b: number) => firstAtOrAfter(b) - firstAtOrAfter(a);
  const length = span.end - span.start;
  const bursts: Burst[] = [];
  let cost = 0;
  for (let slot = 0; slot < count; slot++) {
    const from = span.start + (slot * length) / count;
    const to = span.start + ((slot + 1) * length) / count;
    // Keyframes whose burst fits in the slot; the one nearest the slot's middle.
    const fitting = keyframes.filter((k) => k >= from && times[firstAtOrAfter(k) + perSlot - 1] <= to);
    const key = fitting.sort((a, b) => Math.abs(a - (from + to) / 2) - Math.abs(b - (from + to) / 2))[0];
    const first = key !== undefined ? firstAtOrAfter(key) : firstAtOrAfter(from);
    const burstTimes = times.slice(first, first + perSlot).filter((t) => t <= to);
    if (burstTimes.length === 0) return undefined;
    const seekKey = key ?? keyBefore(times[first]);
    if (Number.isNaN(seekKey)) return undefined;
    cost += framesBetween(seekKey, times[first]) + burstTimes.length;
    // ffmpeg's MP4 demuxer lands on a keyframe some way before the time asked for (0.14 s before, with
    // B-frames, in the bundled ffmpeg 4.1): asking halfway to the next keyframe lands on this one.
    const nextKey = keyframes.find((k) => k > seekKey) ?? seekKey + 1;
    const seek = Math.min((seekKey + nextKey) / 2, seekKey + 1);
    // The burst's first frame is found by time, not by where the seek landed.
    const after = (times[first] + (times[first - 1] ?? times[first] - 0.02)) / 2 - seek;
    bursts.push({ slot, seek, from: after, timestamps: burstTimes });
  }
  const sequential = framesBetween(keyBefore(span.start) || 0, span.end + 1e-6);
  const plan = { bursts, frames: bursts.reduce((n, b) => n + b.timestamps.length, 0), cost: { bursts: cost, sequential } };
  return plan;
}

/**
 * One ffmpeg run, one input per burst: each input seeks to its keyframe, decodes from there, keeps
 * the burst's frames (from its time on) and is turned upright; concat puts the bursts one after the
 * other, and the frames are scaled once.
 */
export function burstArgs(path: string, plan: BurstPlan, split: string): string[] {
  const inputs: string[] = [];
  const chains: string[] = [];
  plan.bursts.forEach((b, i) => {
    // One decoding thread per input: eight decoders with their own thread pools cost more to start
    // than a 4-frame burst takes to decode.
    inputs.push('-threads', '1', '-an', '-sn', '-dn', '-noaccurate_seek', '-ss', b.seek.toFixed(6), '-i', path);
    chains.push(`[${i}:v]select='gte(t,${b.from.toFixed(6)})',trim=end_frame=${b.timestamps.length},setpts=PTS-STARTPTS[b${i}]`);
  });
  const graph = `${chains.join(';')};${plan.bursts.map((_, i) => `[b${i}]`).join('')}concat=n=${plan.bursts.length}:v=1:a=0,${split}`;
  return ['-v', 'error', ...inputs, '-filter_complex', graph];
}
