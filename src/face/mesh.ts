/**
 * MediaPipe Face Mesh (468 points with depth) run on the face that face-api found.
 *
 * face-api's 68 landmarks place closed eyelids poorly (a closed eye still measures an aspect ratio
 * of 0.19–0.21, open ones 0.26 and up), and their 2D jaw outline gives a noisy yaw. The mesh's eyelid
 * points and its depth coordinate fix both: eye openness and head pose are read from it.
 */
import type { RgbImage } from '../image/decode.js';
import type { DetectedFace, Point } from './detect.js';
import { useGraphModel } from './models.js';

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
  /** Eye aspect ratio (lid gap / eye width) of each eye as seen: about 0.25–0.35 open, under 0.12 closed. */
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
const FRONTAL_PITCH = -12;

export async function faceMesh(image: RgbImage, face: DetectedFace): Promise<FaceMesh> {
  const { rt, model } = await useGraphModel('facemesh');
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
  const [meshValues, scoreValue] = await (async () => {
    const outputs = tf.tidy(() => {
      const pixels = tf.tensor4d(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), [1, image.height, image.width, 3], 'int32');
      const box = [[(cy - big / 2) / image.height, (cx - big / 2) / image.width, (cy + big / 2) / image.height, (cx + big / 2) / image.width]];
      const outer = tf.image.cropAndResize(tf.cast(pixels, 'float32'), box, [0], [bigPx, bigPx]);
      const levelled = tf.image.rotateWithOffset(outer, roll, 0, 0.5);
      const inner = tf.slice(levelled, [0, (bigPx - INPUT) / 2, (bigPx - INPUT) / 2, 0], [1, INPUT, INPUT, 3]);
      const results = model.execute(tf.div(inner, 255)) as ReturnType<typeof tf.tensor>[];
      const mesh = results.find((t) => t.shape[t.shape.length - 1] === 1404)!;
      const flag = results.find((t) => t.shape[t.shape.length - 1] === 1)!;
      return [tf.keep(mesh.clone()), tf.keep(flag.clone())] as const;
    });
    try {
      return [await outputs[0].data(), (await outputs[1].data())[0]] as const;
    } finally {
      tf.dispose(outputs as unknown as Parameters<typeof tf.dispose>[0]);
    }
  })();

  // Back from the levelled 192-px crop to image pixels: undo the rotation around the crop centre.
  const scale = side / INPUT;
  const cos = Math.cos(roll);
  const sin = Math.sin(roll);
  const local: Point3[] = [];
  const points: Point3[] = [];
  for (let i = 0; i < 468; i++) {
    const u = (meshValues[i * 3] - INPUT / 2) * scale;
    const v = (meshValues[i * 3 + 1] - INPUT / 2) * scale;
    const z = meshValues[i * 3 + 2] * scale;
    local.push({ x: u, y: v, z });
    points.push({ x: cx + u * cos - v * sin, y: cy + u * sin + v * cos, z });
  }
  const upright = headPose(local);
  // The forehead-to-chin axis leans back in a level face: frontal ID photos measure a raw pitch of
  // about −12° (test.jpg −11.8, IDPhotos −12.1, hivision test2 −15.0), taken here as zero.
  return {
    points,
    score: scoreValue,
    eyeOpenness: { left: eyeAspect(points, LEFT_EYE), right: eyeAspect(points, RIGHT_EYE) },
    pose: { yaw: upright.yaw, pitch: upright.pitch - FRONTAL_PITCH, roll: upright.roll + (roll * 180) / Math.PI },
  };
}

// Mesh indices of the eye as seen in the image: corners, then two upper/lower lid pairs.
const LEFT_EYE = { corners: [33, 133], lids: [[160, 144], [158, 153]] } as const;
const RIGHT_EYE = { corners: [362, 263], lids: [[385, 380], [387, 373]] } as const;

function eyeAspect(p: Point3[], eye: typeof LEFT_EYE | typeof RIGHT_EYE): number {
  const d = (a: number, b: number) => Math.hypot(p[a].x - p[b].x, p[a].y - p[b].y);
  const gap = (d(eye.lids[0][0], eye.lids[0][1]) + d(eye.lids[1][0], eye.lids[1][1])) / 2;
  return gap / Math.max(1e-6, d(eye.corners[0], eye.corners[1]));
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
