import { type RgbImage, cropRgb, fromRgb, toRgb } from '../image/decode.js';
import { useFaceApi } from './models.js';
import { type PixelSource, withPixels } from './pixels.js';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  /** Pixels in the image passed in. */
  box: Box;
  /** Detector confidence 0–1. */
  score: number;
  /** The 68 iBUG landmarks, pixels in the image passed in. */
  landmarks: Point[];
}

export type DetectorName = 'ssd' | 'tiny';

export interface DetectOptions {
  /** 'ssd' (SSD MobileNet v1, default: most reliable) or 'tiny' (Tiny Face Detector, ~3× faster). */
  detector?: DetectorName;
  /** Faces below this confidence are not returned. */
  minConfidence?: number;
  /** The image is reduced so that its longer side is at most this many pixels before detection. */
  maxSide?: number;
  /** Run face-api's 68-point net (default true). False: boxes and scores only, `landmarks` empty, for callers that place their own. */
  landmarks?: boolean;
}

/** Finds faces and, unless `landmarks: false`, their 68 landmarks; the tensors it makes are released before it returns. */
export async function detectFaces(image: PixelSource, options: DetectOptions = {}): Promise<DetectedFace[]> {
  const detector = options.detector ?? 'ssd';
  const minConfidence = options.minConfidence ?? 0.3;
  const maxSide = options.maxSide ?? 640;
  const withLandmarks = options.landmarks ?? true;
  const detectorModel = detector === 'ssd' ? 'ssdMobilenetv1' : 'tinyFaceDetector';
  const rt = await useFaceApi(withLandmarks ? [detectorModel, 'faceLandmark68'] : [detectorModel]);
  const { tf, faceapi } = rt;

  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const input: PixelSource = scale < 1 ? await resizeRgb(image, Math.round(image.width * scale), Math.round(image.height * scale)) : image;
  const netOptions =
    detector === 'ssd'
      ? new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 20 })
      : new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: minConfidence });
  const detect = async (tensor: unknown): Promise<Found[]> => {
    const task = faceapi.detectAllFaces(tensor as never, netOptions);
    if (withLandmarks) return task.withFaceLandmarks();
    return (await task).map((detection) => ({ detection }));
  };
  const { results, shift } = await withPixels(rt, input, async (tensor) => {
    const found = await detect(tensor);
    if (found.length > 0) return { results: found, shift: 0 };
    // SSD misses a face that fills the whole frame (a tight crop); a margin brings it back into
    // the range of sizes it was trained on. Only paid for when nothing was found.
    const pad = Math.round(Math.max(input.width, input.height) * 0.3);
    const padded = tf.pad(tensor, [[pad, pad], [pad, pad], [0, 0]], 127);
    try {
      return { results: await detect(padded), shift: pad };
    } finally {
      padded.dispose();
    }
  });
  const inv = 1 / scale;
  return results
    .map((r) => ({
      box: {
        x: (r.detection.box.x - shift) * inv,
        y: (r.detection.box.y - shift) * inv,
        width: r.detection.box.width * inv,
        height: r.detection.box.height * inv,
      },
      score: r.detection.score,
      landmarks: (r.landmarks?.positions ?? []).map((p) => ({ x: (p.x - shift) * inv, y: (p.y - shift) * inv })),
    }))
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}

/** What face-api returns per face, with or without its landmark net. */
interface Found {
  detection: { box: Box; score: number };
  landmarks?: { positions: Point[] };
}

export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  return toRgb(fromRgb(image).resize(width, height, { fit: 'fill', kernel: 'linear' }));
}

/**
 * The 68 landmarks of a face already located (a box carried over from a detection in an earlier
 * video frame), without running the detector: the landmark network on the box, as face-api does after detection.
 */
export async function landmarksInBox(image: RgbImage, box: Box): Promise<Point[]> {
  const rt = await useFaceApi(['faceLandmark68']);
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const width = Math.min(image.width - left, Math.ceil(box.width));
  const height = Math.min(image.height - top, Math.ceil(box.height));
  if (width < 8 || height < 8) return [];
  const crop = await cropRgb(image, { left, top, width, height }, { width: LANDMARK_INPUT, height: LANDMARK_INPUT });
  const tensor = rt.tf.tensor3d(crop.data, [LANDMARK_INPUT, LANDMARK_INPUT, 3], 'int32');
  try {
    const found = (await rt.faceapi.nets.faceLandmark68Net.detectLandmarks(tensor as never)) as unknown as { positions: Point[] };
    return found.positions.map((p) => ({ x: left + (p.x * width) / LANDMARK_INPUT, y: top + (p.y * height) / LANDMARK_INPUT }));
  } finally {
    tensor.dispose();
  }
}

// The landmark network's input side.
const LANDMARK_INPUT = 112;
