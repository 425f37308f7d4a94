/** What a recording is, from ffprobe: container, streams, rotation, duration, frame rate. */
import { ErrorCode, VerifyError } from '../core/errors.js';
import { type BinaryOptions, locate, run } from './ffmpeg.js';

/** The video stream's facts, as displayed (rotation applied). */
export interface VideoFacts {
  /** ffprobe's format name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm'. */
  container: string;
  codec: string;
  /** Pixels as displayed (rotation applied). */
  width: number;
  height: number;
  /** Pixels as stored. */
  storedWidth: number;
  storedHeight: number;
  /** Clockwise degrees the stored picture must turn to be upright: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** Seconds; from the container, else the stream, else the last packet's timestamp (WebM from browsers). */
  durationS: number;
  /** Where the duration came from. */
  durationSource: 'container' | 'stream' | 'packets';
  /** Frames per second (average). */
  fps: number;
  /** The nominal and average frame rates differ by more than 5%: variable frame rate. */
  variableFrameRate: boolean;
}

/** The audio stream's facts. */
export interface AudioFacts {
  present: boolean;
  codec?: string;
  /** Hz. */
  sampleRate?: number;
  channels?: number;
  /** Seconds. */
  durationS?: number;
}

export interface ProbeResult {
  video: VideoFacts;
  audio: AudioFacts;
  /**
   * With `packets: true`, the video stream's packets, read without decoding: presentation times in
   * order and which are keyframes, seconds on ffmpeg's `-ss` clock (the file's start time is 0).
   */
  packets?: { times: number[]; keyframes: number[] };
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number | string }>;
}

export async function probe(path: string, options: BinaryOptions & { timeoutMs: number; signal?: AbortSignal; packets?: boolean }): Promise<ProbeResult> {
  const ffprobe = locate('ffprobe', options).path;
  let json: { streams?: FfprobeStream[]; format?: { format_name?: string; duration?: string; start_time?: string }; packets?: FfprobePacket[] };
  try {
    // The packet listing reads the container only; in the same run it costs no second start of ffprobe.
    const packets = options.packets ? ['-show_entries', 'packet=stream_index,pts_time,flags'] : [];
    const { stdout } = await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...packets, '-i', path], options);
    json = JSON.parse(stdout.toString('utf8'));
  } catch (error) {
    if ((error as VerifyError).code === ErrorCode.FFMPEG_FAILED) {
      throw new VerifyError(ErrorCode.NOT_A_VIDEO, `The file is not a readable video (${(error as Error).message.replace(/^ffprobe failed \([^)]*\): /, '')}).`, { cause: error });
    }
    throw error;
  }
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.width && s.height);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!json.format || streams.length === 0) throw new VerifyError(ErrorCode.NOT_A_VIDEO, 'The file holds no audio or video streams.');
  if (!video) throw new VerifyError(ErrorCode.NO_VIDEO_STREAM, 'The file has no video picture (audio only?). Record a video of yourself.', { details: { audio: Boolean(audio) } });

  const declared = rotationOf(video);
  // The display matrix's sign convention differs between ffmpeg versions; what matters is what
  // ffmpeg's own autorotation does, so that is measured on the first frame.
  const rotation = declared === 0 ? 0 : ((await appliedRotation(path, options)) ?? declared);
  const swap = rotation === 90 || rotation === 270;
  let durationS = num(json.format.duration);
  let durationSource: VideoFacts['durationSource'] = 'container';
  if (!(durationS > 0)) {
    durationS = num(video.duration);
    durationSource = 'stream';
  }
  if (!(durationS > 0)) {
    // Browser recordings (MediaRecorder WebM) carry no duration: read the packets' timestamps
    // (no decoding) and take the last one.
    const { stdout } = await run(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', '-i', path], options);
    const times = stdout.toString('utf8').split('\n').map(Number).filter((t) => Number.isFinite(t));
    const frame = rate(video.avg_frame_rate) || rate(video.r_frame_rate);
    durationS = times.length ? Math.max(...times) + (frame > 0 ? 1 / frame : 0) : 0;
    durationSource = 'packets';
  }
  const nominal = rate(video.r_frame_rate);
  const average = rate(video.avg_frame_rate);
  return {
    ...(options.packets ? { packets: packetsOf(json.packets ?? [], video.index ?? 0, num(json.format.start_time) || 0) } : {}),
    video: {
      container: json.format.format_name ?? 'unknown',
      codec: video.codec_name ?? 'unknown',
      width: swap ? video.height! : video.width!,
      height: swap ? video.width! : video.height!,
      storedWidth: video.width!,
      storedHeight: video.height!,
      rotation,
      durationS,
      durationSource,
      fps: average || nominal,
      variableFrameRate: nominal > 0 && average > 0 && Math.abs(nominal - average) / nominal > 0.05,
    },
    audio: audio
      ? { present: true, codec: audio.codec_name, sampleRate: num(audio.sample_rate) || undefined, channels: audio.channels, durationS: num(audio.duration) || undefined }
      : { present: false },
  };
}

interface FfprobePacket {
  stream_index?: number;
  pts_time?: string;
  flags?: string;
}

function packetsOf(all: FfprobePacket[], stream: number, start: number): NonNullable<ProbeResult['packets']> {
  const packets = all
    .filter((p) => p.stream_index === stream && p.pts_time !== undefined && p.pts_time !== 'N/A' && Number.isFinite(Number(p.pts_time)))
    // ffmpeg's -ss counts from the file's start time; ffprobe prints absolute times.
    .map((p) => ({ t: Number(p.pts_time) - start, key: (p.flags ?? '').includes('K') }))
    .sort((x, y) => x.t - y.t);
  return { times: packets.map((p) => p.t), keyframes: packets.filter((p) => p.key).map((p) => p.t) };
}

const THUMB = 24;

/**
 * The clockwise rotation ffmpeg applies when it decodes: the first frame decoded with and without
 * autorotation, as 24×24 grey thumbnails, compared under each quarter turn. Undefined for a picture
 * too uniform to tell.
 */
async function appliedRotation(path: string, options: BinaryOptions & { timeoutMs: number; signal?: AbortSignal }): Promise<VideoFacts['rotation'] | undefined> {
  const ffmpeg = locate('ffmpeg', options).path;
  const thumb = async (auto: boolean) =>
    (
      await run(
        ffmpeg,
        ['-v', 'error', ...(auto ? [] : ['-noautorotate']), '-i', path, '-frames:v', '1', '-vf', `scale=${THUMB}:${THUMB}`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
        options,
      )
    ).stdout;
  const [shown, stored] = await Promise.all([thumb(true), thumb(false)]);
  if (shown.length !== THUMB * THUMB || stored.length !== THUMB * THUMB) return undefined;
  const turned = (k: number) => (x: number, y: number) => {
    // pixel (x, y) of `stored` turned k quarter turns clockwise
    const n = THUMB - 1;
    const [sx, sy] = k === 0 ? [x, y] : k === 1 ? [y, n - x] : k === 2 ? [n - x, n - y] : [n - y, x];
    return stored[sy * THUMB + sx];
  };
  const errors = [0, 1, 2, 3].map((k) => {
    const at = turned(k);
    let e = 0;
    for (let y = 0; y < THUMB; y++) for (let x = 0; x < THUMB; x++) e += (shown[y * THUMB + x] - at(x, y)) ** 2;
    return e;
  });
  const sorted = [...errors].sort((a, b) => a - b);
  if (sorted[1] - sorted[0] < sorted[1] * 0.2) return undefined;
  return (errors.indexOf(sorted[0]) * 90) as VideoFacts['rotation'];
}

/**
 * Rotation from the display matrix (ffprobe reports it counter-clockwise, e.g. -90 for a phone
 * held upright) or the legacy `rotate` tag (clockwise), as clockwise degrees to display.
 */
function rotationOf(stream: FfprobeStream): VideoFacts['rotation'] {
  const matrix = stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  let clockwise = 0;
  if (matrix !== undefined) clockwise = -Number(matrix);
  else if (stream.tags?.rotate !== undefined) clockwise = Number(stream.tags.rotate);
  const normal = (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
  return normal as VideoFacts['rotation'];
}

const num = (v: string | undefined) => (v === undefined || v === 'N/A' ? Number.NaN : Number(v));
function rate(v: string | undefined): number {
  if (!v) return 0;
  const [n, d] = v.split('/').map(Number);
  return d ? n / d : n || 0;
}
