import { type Box, type Point, area } from '../core/geometry.js';
import { type RgbImage, cropRgb, fromRgb, toRgb } from '../image/decode.js';
import { useFaceApi } from './registry.js';
import { type PixelSource, withPixels } from './pixels.js';
import { onnxLandmarks } from './landmarks.js';
import { detectUltraFace } from './ultraface.js';

export type { Box, Point };

export interface DetectedFace {
  /** Pixels in the image passed in. */
  box: Box;
  /** Detector confidence 0–1. */
  score: number;
  /** The 68 iBUG landmarks, pixels in the image passed in. */
  landmarks: Point[];
}

/**
 * 'auto': UltraFace, and when it finds no face, UltraFace on the image turned ±45° (a strongly rolled
 * head): UltraFace's speed, and a photo without a face costs about what one with a face does.
 */
export type DetectorName = 'auto' | 'ultraface' | 'ssd' | 'tiny';

export const DETECTOR_NAMES: readonly DetectorName[] = ['auto', 'ultraface', 'ssd', 'tiny'];

export interface DetectOptions {
  /** 'auto' (default: UltraFace, SSD when it finds nothing), 'ultraface' (UltraFace RFB-320 on ONNX, ~9 ms), 'ssd' (SSD MobileNet v1 on tfjs, ~300–600 ms) or 'tiny'. */
  detector?: DetectorName;
  /** Faces below this confidence are not returned. */
  minConfidence?: number;
  /** The image is reduced so that its longer side is at most this many pixels before detection. */
  maxSide?: number;
  /**
   * Run face-api's 68-point net (default true). False: boxes and scores only, `landmarks` empty, for
   * callers that place their own. 'box': UltraFace's box refined into SSD's shape (from fr_landmark's
   * points) without face-api's net, `landmarks` empty: for callers that place their own points on that
   * box (compareFaces' fr_landmark).
   */
  landmarks?: boolean | 'box';
  /** SSD and tiny: when nothing is found, look again with a margin around the image (a face filling the frame). Default true. */
  padded?: boolean;
}

/** Finds faces and, unless `landmarks: false`, their 68 landmarks; the tensors it makes are released before it returns. */
export async function detectFaces(image: PixelSource, options: DetectOptions = {}): Promise<DetectedFace[]> {
  const detector = options.detector ?? 'auto';
  const minConfidence = options.minConfidence ?? 0.3;
  const maxSide = options.maxSide ?? 640;
  const withLandmarks = options.landmarks ?? true;
  if (detector === 'ultraface' || detector === 'auto') {
    const found = await detectUltraFace(image, { minConfidence });
    if (found.length === 0 && detector === 'auto') return detectRolled(image, minConfidence, withLandmarks);
    // face-api's 68-point net on a box in SSD's shape, as SSD's path runs it: the photo checks were tuned on its points.
    const faces: DetectedFace[] = [];
    for (const f of found) {
      if (!withLandmarks) {
        faces.push({ ...f, landmarks: [] });
        continue;
      }
      // The net's points depend on the box it is given: on the box SSD would draw (placed from fr_landmark's
      // points, refinePoints) it gives the points SSD's path gives, on which the photo checks were tuned.
      // Measured with the net's points on UltraFace's own box instead (eval:validate --detector auto,
      // 2026-12-01): pose failed 40.8% of the ordinary photos against 39.2%.
      const first = await refinePoints(image, f.box);
      // A box under 8 px has no landmarks: too small to be anyone's face in these photos.
      if (first.length !== 68) continue;
      const box = landmarkBox(first, image, REFINE_BOX);
      if (withLandmarks === 'box') {
        faces.push({ box, score: f.score, landmarks: [] });
        continue;
      }
      const landmarks = await landmarksInBox(image, box);
      if (landmarks.length === 68) faces.push({ box, score: f.score, landmarks });
    }
    return faces;
  }
  const detectorModel = detector === 'ssd' ? 'ssdMobilenetv1' : 'tinyFaceDetector';
  const rt = await useFaceApi(withLandmarks === true ? [detectorModel, 'faceLandmark68'] : [detectorModel]);
  const { tf, faceapi } = rt;

  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const input: PixelSource = scale < 1 ? await resizeRgb(image, Math.round(image.width * scale), Math.round(image.height * scale)) : image;
  const netOptions =
    detector === 'ssd'
      ? new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 20 })
      : new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: minConfidence });
  const detect = async (tensor: unknown): Promise<Found[]> => {
    const task = faceapi.detectAllFaces(tensor as never, netOptions);
    if (withLandmarks === true) return task.withFaceLandmarks();
    return (await task).map((detection) => ({ detection }));
  };
  const { results, shift } = await withPixels(rt, input, async (tensor) => {
    const found = await detect(tensor);
    if (found.length > 0 || options.padded === false) return { results: found, shift: 0 };
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

// The views 'auto' looks at when UltraFace finds no face upright: a head rolled far comes upright in one.
const ROLL_VIEWS_DEG = [45, -45] as const;
// A face found in a turned view has its eye line within this of level there: a blob UltraFace takes for a
// face (the pixelated face of no-face.jpg) gives points at any angle, real rolled heads well inside it.
const MAX_VIEW_ROLL_DEG = 45;

/**
 * 'auto' where UltraFace finds no face: UltraFace again on the image turned ±45° (a head rolled past what
 * it sees upright), the face's fr_landmark points turned back, and the box and landmarks placed on the
 * image from them as for an upright face. Two cheap runs where SSD's fallback cost several photos' time,
 * so that faceless uploads do not set the p95 (bench:validate's faceless rows; recall in
 * eval/results/validate-photo-auto.md and eval/results/detectors.md).
 */
async function detectRolled(image: PixelSource, minConfidence: number, withLandmarks: boolean | 'box'): Promise<DetectedFace[]> {
  for (const turn of ROLL_VIEWS_DEG) {
    const view = await toRgb(fromRgb(image).rotate(turn, { background: { r: 127, g: 127, b: 127 } }));
    const found = await detectUltraFace(view, { minConfidence });
    if (found.length === 0) continue;
    const t = (turn * Math.PI) / 180;
    const [cx, cy, vx, vy] = [image.width / 2, image.height / 2, view.width / 2, view.height / 2];
    // A point of the turned view back in the image: the turn about the centres undone.
    const back = (p: Point): Point => ({
      x: cx + (p.x - vx) * Math.cos(t) + (p.y - vy) * Math.sin(t),
      y: cy - (p.x - vx) * Math.sin(t) + (p.y - vy) * Math.cos(t),
    });
    const faces: DetectedFace[] = [];
    for (const f of found) {
      const inView = await refinePoints(view, f.box);
      if (inView.length !== 68 || Math.abs(eyeLineDeg(inView)) >= MAX_VIEW_ROLL_DEG) continue;
      const points = inView.map(back);
      const box = landmarkBox(points, image, REFINE_BOX);
      if (withLandmarks !== true) {
        faces.push({ box, score: f.score, landmarks: [] });
        continue;
      }
      const landmarks = await landmarksInBox(image, box);
      if (landmarks.length === 68) faces.push({ box, score: f.score, landmarks });
    }
    if (faces.length > 0) return faces.sort((a, b) => area(b.box) - area(a.box));
  }
  return [];
}

/** The angle of the line from the left eye's centre to the right eye's (68-point indices 36–41, 42–47), degrees. */
function eyeLineDeg(points: readonly Point[]): number {
  const centre = (from: number) => {
    let [x, y] = [0, 0];
    for (let i = from; i < from + 6; i++) [x, y] = [x + points[i]!.x / 6, y + points[i]!.y / 6];
    return { x, y };
  };
  const [l, r] = [centre(36), centre(42)];
  return (Math.atan2(r.y - l.y, r.x - l.x) * 180) / Math.PI;
}

/** What face-api returns per face, with or without its landmark net. */
interface Found {
  detection: { box: Box; score: number };
  landmarks?: { positions: Point[] };
}

// SSD's box around face-api's 68 landmarks, in units of their extent: same width and centre across,
// 1.346× as tall and centred 0.150 extent heights higher (it takes in the forehead). Medians over 613
// photos of ../shared/data (npm run eval:detectors).
/**
 * A second face at least this share of the largest face's area is a second person in view; smaller ones
 * are background (a print on clothing, a poster, someone far behind). The one rule of compareFaces'
 * frames, the reading video's tracker and compressToSpec.
 */
export const SECOND_PERSON_AREA = 0.25;

/** The faces (largest first, as detectFaces returns them) that stand for people in view. */
export function peopleInView<F extends { box: Box }>(faces: readonly F[]): F[] {
  const main = faces[0];
  return main ? faces.filter((f) => area(f.box) >= SECOND_PERSON_AREA * area(main.box)) : [];
}

/** More than one person in view. */
export const secondPerson = (faces: ReadonlyArray<{ box: Box }>): boolean => peopleInView(faces).length > 1;

const LANDMARK_BOX = { dx: 0.0031, dy: -0.1501, width: 1.0003, height: 1.346 };

// The same around fr_landmark's 68 points on SSD's box (npm run eval:detectors).
export const FR_LANDMARK_BOX = { dx: -0.0087, dy: -0.1624, width: 1.0101, height: 1.3125 };

type BoxCalibration = typeof LANDMARK_BOX;

/**
 * The points that place UltraFace's refined box: fr_landmark's (ONNX, ~3 ms a run) through
 * FR_LANDMARK_BOX, in place of a first run of face-api's net (~17 ms) through LANDMARK_BOX. Measured on
 * the same commands before and after (2026-12-01): eval:validate --detector auto, per-check failure rates
 * on 306 ordinary photos within a few photos of each other (headPosition 77.5% against 76.5%, pose 38.6%
 * against 39.2%, sharpness 17.0% against 17.4%, exposure 9.6% against 10.0%), every labelled defect
 * caught, the ID photos' verdicts unchanged; eval:liveness, the same verdicts on every live video and
 * attack; eval:compare, docs/accuracy.md.
 */
async function refinePoints(image: PixelSource, box: Box): Promise<Point[]> {
  return box.width < 8 || box.height < 8 ? [] : onnxLandmarks(image, box);
}
const REFINE_BOX = FR_LANDMARK_BOX;


/** The box SSD would draw around a face with these landmarks (face-api's, or fr_landmark's with FR_LANDMARK_BOX), clipped to the image. */
export function landmarkBox(landmarks: readonly Point[], image: { width: number; height: number }, calibration: BoxCalibration = LANDMARK_BOX): Box {
  const e = extent(landmarks);
  const width = e.width * calibration.width;
  const height = e.height * calibration.height;
  const cx = e.x + e.width / 2 + calibration.dx * e.width;
  const cy = e.y + e.height / 2 + calibration.dy * e.height;
  const x = Math.max(0, cx - width / 2);
  const y = Math.max(0, cy - height / 2);
  return { x, y, width: Math.min(image.width, cx + width / 2) - x, height: Math.min(image.height, cy + height / 2) - y };
}

/** The smallest box holding every point. */
export function extent(points: readonly Point[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  return toRgb(fromRgb(image).resize(width, height, { fit: 'fill', kernel: 'linear' }));
}

/**
 * The 68 landmarks of a face already located (UltraFace's box, or a box carried over from a detection in
 * an earlier video frame), without running a detector: face-api's landmark net on the box exactly as its
 * withFaceLandmarks runs it after SSD — the box floored and clipped to the image, cut out unscaled, and
 * padded to a square by the net — so that the photo checks, tuned on those points, see the same points.
 */
export async function landmarksInBox(image: RgbImage, box: Box): Promise<Point[]> {
  const rt = await useFaceApi(['faceLandmark68']);
  const left = Math.floor(Math.max(0, box.x));
  const top = Math.floor(Math.max(0, box.y));
  const width = Math.floor(Math.min(box.x + box.width - Math.max(0, box.x), image.width - Math.max(0, box.x)));
  const height = Math.floor(Math.min(box.y + box.height - Math.max(0, box.y), image.height - Math.max(0, box.y)));
  if (width < 8 || height < 8) return [];
  const crop = await cropRgb(image, { left, top, width, height });
  const tensor = rt.tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
  try {
    const found = (await rt.faceapi.nets.faceLandmark68Net.detectLandmarks(tensor as never)) as unknown as { positions: Point[] };
    return found.positions.map((p) => ({ x: left + p.x, y: top + p.y }));
  } finally {
    tensor.dispose();
  }
}
