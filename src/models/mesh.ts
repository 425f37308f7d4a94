/**
 * MediaPipe Face Mesh (468 points with depth) and Iris (eye contours) run on the face that face-api found.
 *
 * face-api's 68 landmarks place closed eyelids poorly (a closed eye still measures an aspect ratio
 * of 0.19–0.21, open ones 0.26 and up), and their 2D jaw outline gives a noisy yaw. The mesh's depth
 * gives the head pose; the iris model, run on a 64×64 crop of each eye as MediaPipe does, places the
 * eyelids: eye openness is read from its contour.
 */
import { yieldToLoop } from '../core/call-scope.js';
import type { DetectedFace, Point } from './detect.js';
import { useGraphModel } from './registry.js';
import { type PixelSource, withPixels } from './pixels.js';

export interface Point3 {
  x: number;
  y: number;
  /** Depth, same scale as x and y (pixels); smaller is nearer the camera. */
  z: number;
}

export interface FaceMesh {
  /** 468 points, pixels of the image passed in. */
  points: Point3[];
  /** The model's face-presence confidence 0–1. */
  score: number;
  /** Eye aspect ratio (lid gap / eye width) of each eye as seen, from the iris model's contour. */
  eyeOpenness: { left: number; right: number };
  /** Head pose in degrees: yaw + = turned towards the image's right, pitch + = chin up, roll + = clockwise. */
  pose: { yaw: number; pitch: number; roll: number };
}

const INPUT = 192;
// The square crop around the detector's box: 1.5× its longer side, as the mesh model was trained
// on crops with margin around the face.
const CROP_SCALE = 1.5;
// Outer crop (before de-rotation) so that rotating leaves no empty corners in the inner crop.
const OUTER = 1.5;
// The forehead-to-chin axis leans back in a level face: frontal ID photos measure a raw pitch of
// about −12° (test.jpg −11.8, IDPhotos −12.1, hivision test2 −15.0), taken here as zero.
const FRONTAL_PITCH = -12;
const EYE_INPUT = 64;
// Eye crop: a square 2.3× the corner-to-corner width (MediaPipe's and Human's value).
const EYE_SCALE = 2.3;

// Mesh corners of each eye as seen: image-left eye (subject's right) and image-right eye.
const EYES = [
  { corners: [33, 133], flip: false },
  { corners: [263, 362], flip: true }, // the iris model knows one side: the other eye is mirrored in
] as const;

type Tensor = { dispose(): void; data(): Promise<Float32Array | Int32Array | Uint8Array>; shape: number[] };

export async function faceMesh(image: PixelSource, face: DetectedFace): Promise<FaceMesh> {
  const { rt, model } = await useGraphModel('facemesh');
  const iris = (await useGraphModel('iris')).model;
  const { tf } = rt;
  const lm = face.landmarks;
  const eyeL = mean(lm.slice(36, 42));
  const eyeR = mean(lm.slice(42, 48));
  const roll = Math.atan2(eyeR.y - eyeL.y, eyeR.x - eyeL.x);
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const side = Math.max(face.box.width, face.box.height) * CROP_SCALE;
  const big = side * OUTER;
  const bigPx = Math.round(INPUT * OUTER);

  // The levelled face crop, 192×192, values 0–1: input of both models.
  const crop = await withPixels(rt, image, async (pixels) => tf.tidy(() => {
    const box = [[(cy - big / 2) / image.height, (cx - big / 2) / image.width, (cy + big / 2) / image.height, (cx + big / 2) / image.width]];
    const outer = tf.image.cropAndResize(tf.cast(tf.expandDims(pixels, 0), 'float32') as never, box, [0], [bigPx, bigPx]);
    const levelled = tf.image.rotateWithOffset(outer, roll, 0, 0.5);
    return tf.div(tf.slice(levelled, [0, (bigPx - INPUT) / 2, (bigPx - INPUT) / 2, 0], [1, INPUT, INPUT, 3]), 255);
  }));
  let meshValues: Float32Array;
  let score: number;
  let eyeValues: Float32Array;
  const eyeBoxes = EYES.map(() => ({ x0: 0, y0: 0, size: 0 }));
  try {
    const results = model.execute(crop) as Tensor[];
    try {
      meshValues = (await results.find((t) => t.shape[t.shape.length - 1] === 1404)!.data()) as Float32Array;
      score = (await results.find((t) => t.shape[t.shape.length - 1] === 1)!.data())[0];
    } finally {
      for (const t of results) t.dispose();
    }
    EYES.forEach((eye, i) => {
      const [a, b] = eye.corners;
      const ax = meshValues[a * 3];
      const ay = meshValues[a * 3 + 1];
      const bx = meshValues[b * 3];
      const by = meshValues[b * 3 + 1];
      const size = Math.max(Math.abs(bx - ax), Math.abs(by - ay)) * EYE_SCALE;
      eyeBoxes[i] = { x0: (ax + bx) / 2 - size / 2, y0: (ay + by) / 2 - size / 2, size };
    });
    await yieldToLoop();
    const eyes = tf.tidy(() => {
      const boxes = eyeBoxes.map((e) => [e.y0 / INPUT, e.x0 / INPUT, (e.y0 + e.size) / INPUT, (e.x0 + e.size) / INPUT]);
      const crops = tf.image.cropAndResize(crop as never, boxes, [0, 0], [EYE_INPUT, EYE_INPUT]);
      const [first, second] = tf.split(crops, 2, 0);
      return iris.execute(tf.concat([first, tf.reverse(second, 2)], 0)) as never;
    }) as Tensor;
    try {
      eyeValues = (await eyes.data()) as Float32Array;
    } finally {
      eyes.dispose();
    }
  } finally {
    crop.dispose();
  }

  // Back from the levelled 192-px crop to image pixels: undo the rotation around the crop centre.
  const scale = side / INPUT;
  const cos = Math.cos(roll);
  const sin = Math.sin(roll);
  const toImage = (u: number, v: number) => ({ x: cx + u * cos - v * sin, y: cy + u * sin + v * cos });
  const local: Point3[] = [];
  const points: Point3[] = [];
  for (let i = 0; i < 468; i++) {
    const u = (meshValues[i * 3] - INPUT / 2) * scale;
    const v = (meshValues[i * 3 + 1] - INPUT / 2) * scale;
    const z = meshValues[i * 3 + 2] * scale;
    local.push({ x: u, y: v, z });
    points.push({ ...toImage(u, v), z });
  }
  const upright = headPose(local);
  const openness = EYES.map((_, i) => eyeAspect(eyeValues.subarray(i * IRIS_VALUES, (i + 1) * IRIS_VALUES)));
  return {
    points,
    score,
    eyeOpenness: { left: openness[0], right: openness[1] },
    pose: { yaw: upright.yaw, pitch: upright.pitch - FRONTAL_PITCH, roll: upright.roll + (roll * 180) / Math.PI },
  };
}

// Iris model output per eye: 71 contour points then 5 iris points, x y z each, in 64-px crop space.
// Contour 0–8 run along the lower lid from corner to corner, 9–15 along the upper lid.
const IRIS_VALUES = 76 * 3;
const LID_PAIRS: ReadonlyArray<readonly [number, number]> = [[11, 3], [12, 4], [13, 5]];

/** Mean lid gap over three points across the eye, divided by the corner-to-corner width. Mirroring does not change it. */
function eyeAspect(values: Float32Array): number {
  const at = (i: number) => ({ x: values[i * 3], y: values[i * 3 + 1] });
  const d = (a: number, b: number) => Math.hypot(at(a).x - at(b).x, at(a).y - at(b).y);
  const gap = LID_PAIRS.reduce((sum, [upper, lower]) => sum + d(upper, lower), 0) / LID_PAIRS.length;
  return gap / Math.max(1e-6, d(0, 8));
}

/**
 * Euler angles from the mesh's own axes: forehead top (10) to chin (152) and cheek to cheek
 * (234 → 454), with depth. The same construction as Human's `calculateFaceAngle`.
 */
function headPose(p: Point3[]): { yaw: number; pitch: number; roll: number } {
  const sub = (a: Point3, b: Point3): [number, number, number] => [a.x - b.x, a.y - b.y, a.z - b.z];
  const norm = (v: [number, number, number]): [number, number, number] => {
    const l = Math.hypot(...v) || 1;
    return [v[0] / l, v[1] / l, v[2] / l];
  };
  const cross = (a: number[], b: number[]): [number, number, number] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const y = norm(sub(p[152], p[10]));
  let x = norm(sub(p[454], p[234]));
  const z = norm(cross(x, y));
  x = cross(y, z);
  const [r00, , , r10, r11, r12, r20] = [x[0], x[1], x[2], y[0], y[1], y[2], z[0]];
  const deg = (r: number) => (r * 180) / Math.PI;
  return {
    yaw: deg(Math.atan2(-r20, r00)),
    pitch: deg(Math.atan2(-r12, r11)),
    roll: deg(Math.atan2(r10, Math.hypot(r00, r20))),
  };
}

function mean(points: Point[]): Point {
  return { x: points.reduce((s, q) => s + q.x, 0) / points.length, y: points.reduce((s, q) => s + q.y, 0) / points.length };
}
