/**
 * Frames leave ffmpeg as planar YUV 4:2:0 and are turned into RGB here, only those kept: ffmpeg's own
 * conversion to rgb24 cost more than decoding the frames (on a 6 s 720×960 clip, 32 candidates: 205 ms
 * against 117 ms for the same run writing YUV).
 */

/** Bytes of one width × height yuv420p frame (width and height even). */
export const yuv420Bytes = (width: number, height: number): number => (width * height * 3) / 2;

/**
 * yuv420p (limited range, BT.601: what ffmpeg's conversion to rgb24 assumes for a video that does not
 * say otherwise) to packed RGB, each chroma sample shared by its 2×2 pixels.
 */
export function yuv420ToRgb(yuv: Uint8Array, width: number, height: number): Buffer {
  const rgb = Buffer.allocUnsafe(width * height * 3);
  const uPlane = width * height;
  const cw = width >> 1;
  const vPlane = uPlane + cw * (height >> 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const crow = (y >> 1) * cw;
    for (let cx = 0; cx < cw; cx++) {
      const u = yuv[uPlane + crow + cx]! - 128;
      const v = yuv[vPlane + crow + cx]! - 128;
      const r = 1.596 * v;
      const g = -0.392 * u - 0.813 * v;
      const b = 2.017 * u;
      for (let x = cx * 2; x < cx * 2 + 2; x++) {
        const c = (yuv[row + x]! - 16) * 1.164;
        const o = (row + x) * 3;
        rgb[o] = clamp(c + r);
        rgb[o + 1] = clamp(c + g);
        rgb[o + 2] = clamp(c + b);
      }
    }
  }
  return rgb;
}

const clamp = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0);
