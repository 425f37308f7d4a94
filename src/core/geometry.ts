/** The one point and box type of the library: pixels, origin at the top left of the image as displayed. */

export interface Point {
  x: number;
  y: number;
}

/** A box in pixels: its top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A region by its corners, pixels: [x0, x1) × [y0, y1). */
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const area = (b: Box): number => b.width * b.height;

/** The smallest box holding every box given (at least one). */
export function enclosingBox(boxes: readonly Box[]): Box {
  const [x0, y0] = [Math.min(...boxes.map((b) => b.x)), Math.min(...boxes.map((b) => b.y))];
  const [x1, y1] = [Math.max(...boxes.map((b) => b.x + b.width)), Math.max(...boxes.map((b) => b.y + b.height))];
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The area the two boxes share. */
export function overlapArea(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return w * h;
}

/** Intersection over union, 0–1. */
export function iou(a: Box, b: Box): number {
  const shared = overlapArea(a, b);
  const union = area(a) + area(b) - shared;
  return union > 0 ? shared / union : 0;
}

/** The box in an image `k` times larger, to 0.1 px. */
export function scaleBox(box: Box, k: number): Box {
  const r = (v: number) => Math.round(v * k * 10) / 10;
  return { x: r(box.x), y: r(box.y), width: r(box.width), height: r(box.height) };
}

export const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** A box's corners: top left, top right, bottom right, bottom left. */
export const corners = (b: Box): Point[] => [{ x: b.x, y: b.y }, { x: b.x + b.width, y: b.y }, { x: b.x + b.width, y: b.y + b.height }, { x: b.x, y: b.y + b.height }];

/** The smallest box holding every point given (at least one). */
export const pointsBox = (points: readonly Point[]): Box => enclosingBox(points.map((p) => ({ ...p, width: 0, height: 0 })));
