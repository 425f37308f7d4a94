/**
 * The shoulder line: how far it leans in the picture, from the person mask. A head tilted on level
 * shoulders leans alone; a photo turned as a whole (or levelled by the head alone) leans the shoulders too.
 */
import type { DetectedFace } from '../../models/detect.js';
import type { PersonMask } from '../../models/segment.js';

// The columns the shoulders' tops are looked for in: this far either side of the face's centre, in face
// widths (clear of the neck and of hair that falls straight down), and this many of them a side.
const FROM = 0.75;
const TO = 1.3;
const COLUMNS = 7;
// A column counts where the scan starts in background (not on hair or an arm) and finds person below it
// that stays person for this share of a face height (not a strand of hair).
const SOLID = 0.3;
const PERSON = 0.5;
const MIN_COLUMNS = 3;

/**
 * Roll of the shoulder line in degrees, + when the image-right shoulder sits lower (as eyeRollDeg and
 * the mesh's roll): the line between the mean tops of the two shoulders, over the columns at the same
 * offsets that show both. Undefined with fewer than 3 such pairs (a shoulder cut off by the frame or
 * covered by hair).
 */
export function shoulderRollDeg(mask: PersonMask, face: DetectedFace): number | undefined {
  const l = face.landmarks;
  const cx = (l[0]!.x + l[16]!.x) / 2;
  const w = Math.abs(l[16]!.x - l[0]!.x);
  const h = face.box.height;
  const chin = l[8]!.y;
  const start = Math.max(0, Math.round(chin - 0.5 * h));
  const solid = Math.max(2, Math.round(SOLID * h));
  // The top of the shoulder in the column `offset` face widths to one side; undefined where none shows.
  const top = (side: number, offset: number): { x: number; y: number } | undefined => {
    const x = Math.round(cx + side * offset * w);
    if (x < 0 || x >= mask.width) return undefined;
    const at = (y: number) => mask.data[y * mask.width + x]! >= PERSON;
    if (at(start)) return undefined;
    let y = start;
    while (y < mask.height && !at(y)) y++;
    if (y + solid >= mask.height) return undefined;
    for (let v = y; v < y + solid; v++) if (!at(v)) return undefined;
    return { x, y };
  };
  // Columns at the same offsets on both sides: a shoulder slopes down from the neck, and only pairs
  // cancel that slope out of the line between them.
  const left: Array<{ x: number; y: number }> = [];
  const right: Array<{ x: number; y: number }> = [];
  for (let k = 0; k < COLUMNS; k++) {
    const offset = FROM + ((TO - FROM) * k) / (COLUMNS - 1);
    const l0 = top(-1, offset);
    const r0 = top(1, offset);
    if (l0 && r0) {
      left.push(l0);
      right.push(r0);
    }
  }
  if (left.length < MIN_COLUMNS) return undefined;
  const mean = (ps: Array<{ x: number; y: number }>) => ({ x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length });
  const a = mean(left);
  const b = mean(right);
  return (Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI;
}
