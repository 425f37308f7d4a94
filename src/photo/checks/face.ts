/** Checks on the face: how many, where the head sits, pose, eyes. */
import type { DetectedFace } from '../../models/detect.js';
import type { FaceGeometry } from '../../models/face-geometry.js';
import type { FaceMesh } from '../../models/mesh.js';
import type { PersonMask } from '../../models/segment.js';
import type { PhotoSpec } from '../../core/spec.js';
import type { Check } from '../types.js';
import { SKIPPED_NO_FACE, result, skipped } from './check.js';
import { round } from '../../core/stats.js';

// Faces smaller than this share of the photo height are not counted (prints on clothing, posters).
// Stricter on purpose than the rule for frames (models/detect.ts peopleInView): an ID photo must show
// no one else at all, a bystander far behind included.
const MIN_FACE_HEIGHT_SHARE = 0.05;

export function countFaces(faces: DetectedFace[], imageHeight: number, spec: PhotoSpec): DetectedFace[] {
  return faces.filter((f) => f.score >= spec.minFaceConfidence && f.box.height >= imageHeight * MIN_FACE_HEIGHT_SHARE);
}

export function checkFaceCount(counted: DetectedFace[], spec: PhotoSpec): Check {
  const n = counted.length;
  const measured = { faces: n, scores: counted.map((f) => round(f.score, 3)) };
  const limit = { faces: 1, minConfidence: spec.minFaceConfidence };
  if (n === 1) return result('faceCount', 'error', true, measured, limit, { zh: '检测到一张人脸。', en: 'One face.' });
  return result('faceCount', 'error', false, measured, limit, n === 0
    ? { zh: '照片中未检测到人脸：请正对镜头，露出完整面部。', en: 'No face was found: face the camera with the whole face visible.' }
    : { zh: `照片中检测到${n}张人脸，只能有本人一人。`, en: `${n} faces were found; the photo must show only you.` });
}

/**
 * Top of the head: the first row, from the top, in which the person mask covers at least 30% of the
 * central half of the face's width. Hair counts (the spec measures to the top of the hair).
 */
export function findCrown(mask: PersonMask, face: DetectedFace): number | undefined {
  const x0 = Math.max(0, Math.round(face.box.x + face.box.width * 0.25));
  const x1 = Math.min(mask.width, Math.round(face.box.x + face.box.width * 0.75));
  const bottom = Math.min(mask.height, Math.round(face.box.y + face.box.height / 2));
  if (x1 <= x0) return undefined;
  for (let y = 0; y < bottom; y++) {
    let on = 0;
    for (let x = x0; x < x1; x++) if (mask.data[y * mask.width + x] >= 0.5) on++;
    if (on >= (x1 - x0) * 0.3) return y;
  }
  return undefined;
}

export interface HeadMeasure {
  crownMarginPx: number;
  chinMarginPx: number;
  headHeightRatio: number;
  /** Face centre minus photo centre, share of the width (+ = right). */
  centreOffsetRatio: number;
}

/** Head geometry in pixels at the spec's size (so that limits in spec pixels apply to any photo). */
export function measureHead(crownY: number, geometry: FaceGeometry, face: DetectedFace, width: number, height: number, spec: PhotoSpec): HeadMeasure {
  const toSpec = spec.height / height;
  const jawMid = (face.landmarks[0].x + face.landmarks[16].x) / 2;
  return {
    crownMarginPx: crownY * toSpec,
    chinMarginPx: (height - geometry.chin.y) * toSpec,
    headHeightRatio: (geometry.chin.y - crownY) / height,
    centreOffsetRatio: jawMid / width - 0.5,
  };
}

export function checkHeadPosition(head: HeadMeasure | undefined, spec: PhotoSpec): Check {
  const h = spec.head;
  const limit = {
    crownMarginPx: h.crownMarginPx,
    chinMarginPx: h.chinMarginPx,
    headHeightRatio: h.heightRatio,
    maxCentreOffsetRatio: h.maxCentreOffset,
  };
  if (!head) return skipped('headPosition', 'error', limit, SKIPPED_NO_FACE);
  const measured = {
    crownMarginPx: Math.round(head.crownMarginPx),
    chinMarginPx: Math.round(head.chinMarginPx),
    headHeightRatio: round(head.headHeightRatio, 3),
    centreOffsetRatio: round(head.centreOffsetRatio, 3),
  };
  const problems: Array<{ zh: string; en: string }> = [];
  if (head.crownMarginPx < 1) {
    problems.push({ zh: '头顶被裁掉了', en: 'the top of the head is cut off' });
  } else if (head.crownMarginPx < h.crownMarginPx[0]) {
    problems.push({ zh: `头顶离上边缘太近（${measured.crownMarginPx}像素，应为${h.crownMarginPx[0]}–${h.crownMarginPx[1]}）`, en: `the head is too close to the top (${measured.crownMarginPx} px; ${h.crownMarginPx[0]}–${h.crownMarginPx[1]} px expected)` });
  } else if (head.crownMarginPx > h.crownMarginPx[1]) {
    problems.push({ zh: `头顶上方空白太多（${measured.crownMarginPx}像素，应为${h.crownMarginPx[0]}–${h.crownMarginPx[1]}）`, en: `there is too much space above the head (${measured.crownMarginPx} px; ${h.crownMarginPx[0]}–${h.crownMarginPx[1]} px expected)` });
  }
  if (head.chinMarginPx < 1) {
    problems.push({ zh: '下巴被裁掉了', en: 'the chin is cut off' });
  } else if (head.chinMarginPx < h.chinMarginPx[0]) {
    problems.push({ zh: `下巴离下边缘太近（${measured.chinMarginPx}像素，应为${h.chinMarginPx[0]}–${h.chinMarginPx[1]}）`, en: `the chin is too low (${measured.chinMarginPx} px above the bottom; ${h.chinMarginPx[0]}–${h.chinMarginPx[1]} px expected)` });
  } else if (head.chinMarginPx > h.chinMarginPx[1]) {
    problems.push({ zh: `下巴离下边缘太远（${measured.chinMarginPx}像素，应为${h.chinMarginPx[0]}–${h.chinMarginPx[1]}）`, en: `the chin is too high (${measured.chinMarginPx} px above the bottom; ${h.chinMarginPx[0]}–${h.chinMarginPx[1]} px expected)` });
  }
  if (head.headHeightRatio < h.heightRatio[0]) {
    problems.push({ zh: `头部太小（占照片高度${Math.round(head.headHeightRatio * 100)}%）`, en: `the head is too small (${Math.round(head.headHeightRatio * 100)}% of the height)` });
  } else if (head.headHeightRatio > h.heightRatio[1]) {
    problems.push({ zh: `头部太大（占照片高度${Math.round(head.headHeightRatio * 100)}%）`, en: `the head is too large (${Math.round(head.headHeightRatio * 100)}% of the height)` });
  }
  if (Math.abs(head.centreOffsetRatio) > h.maxCentreOffset) {
    problems.push({ zh: '头部没有水平居中', en: `the head is off-centre by ${Math.round(Math.abs(head.centreOffsetRatio) * 100)}% of the width` });
  }
  if (problems.length === 0) {
    return result('headPosition', 'error', true, measured, limit, { zh: '头部位置和大小合适。', en: 'The head is well placed and sized.' });
  }
  return result('headPosition', 'error', false, measured, limit, {
    zh: `头部位置不符合要求：${problems.map((p) => p.zh).join('；')}。`,
    en: `Head position: ${problems.map((p) => p.en).join('; ')}.`,
  });
}

/** The head's pose (the mesh) and the shoulder line's lean (checks/shoulders.ts; undefined where the shoulders do not both show). */
export function checkPose(mesh: FaceMesh | undefined, shoulders: number | undefined, spec: PhotoSpec): Check {
  const limit = { maxYawDeg: spec.pose.maxYaw, maxPitchDeg: spec.pose.maxPitch, maxRollDeg: spec.pose.maxRoll, maxShoulderRollDeg: spec.pose.maxShoulderRoll };
  if (!mesh) return skipped('pose', 'error', limit, SKIPPED_NO_FACE);
  const { yaw, pitch, roll } = mesh.pose;
  const measured = { yawDeg: round(yaw, 1), pitchDeg: round(pitch, 1), rollDeg: round(roll, 1), shoulderRollDeg: shoulders === undefined ? null : round(shoulders, 1) };
  const problems: Array<{ zh: string; en: string }> = [];
  if (Math.abs(yaw) > spec.pose.maxYaw) problems.push({ zh: '脸转向了一侧', en: `the face is turned to the side (${measured.yawDeg}°)` });
  if (Math.abs(pitch) > spec.pose.maxPitch) problems.push({ zh: pitch > 0 ? '头抬得太高' : '头低得太多', en: `the head is tilted ${pitch > 0 ? 'up' : 'down'} (${measured.pitchDeg}°)` });
  if (Math.abs(roll) > spec.pose.maxRoll) problems.push({ zh: '头歪向一边', en: `the head leans to one side (${measured.rollDeg}°)` });
  if (shoulders !== undefined && Math.abs(shoulders) > spec.pose.maxShoulderRoll) problems.push({ zh: '肩膀倾斜', en: `the shoulders lean (${measured.shoulderRollDeg}°)` });
  if (problems.length === 0) return result('pose', 'error', true, measured, limit, { zh: '正脸面对镜头。', en: 'The face looks straight at the camera.' });
  return result('pose', 'error', false, measured, limit, {
    zh: `请正对镜头：${problems.map((p) => p.zh).join('，')}。`,
    en: `Face the camera squarely: ${problems.map((p) => p.en).join('; ')}.`,
  });
}

export function checkEyesOpen(mesh: FaceMesh | undefined, spec: PhotoSpec): Check {
  const limit = { minEyeOpenness: spec.minEyeOpenness };
  if (!mesh) return skipped('eyesOpen', 'error', limit, SKIPPED_NO_FACE);
  const { left, right } = mesh.eyeOpenness;
  const measured = { leftEyeOpenness: round(left, 3), rightEyeOpenness: round(right, 3) };
  const passed = Math.min(left, right) >= spec.minEyeOpenness;
  return result('eyesOpen', 'error', passed, measured, limit, passed
    ? { zh: '双眼睁开。', en: 'Both eyes are open.' }
    : { zh: '请睁开双眼（检测到闭眼或眯眼）。', en: 'Keep both eyes open (closed or narrowed eyes were detected).' });
}
