/**
 * The power spectrum of a square grey patch (radix-2 FFT, rows then columns, Hann-windowed), and how far its
 * strongest periodic component stands above its neighbourhood: a screen's pixel grid photographed is a few sharp
 * peaks; print, plastic and text are a spectrum without them.
 */

// The strongest local maxima whose prominence is measured.
const CANDIDATES = 16;

/** In-place complex FFT of length n (a power of two). */
function fft(re: Float64Array, im: Float64Array, n: number, offset: number, stride: number): void {
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const [a, b] = [offset + i * stride, offset + j * stride];
      [re[a], re[b]] = [re[b]!, re[a]!];
      [im[a], im[b]] = [im[b]!, im[a]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const [wr, wi] = [Math.cos(angle), Math.sin(angle)];
    for (let i = 0; i < n; i += len) {
      let [cr, ci] = [1, 0];
      for (let k = 0; k < len / 2; k++) {
        const a = offset + (i + k) * stride;
        const b = offset + (i + k + len / 2) * stride;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
}

/** The n × n power spectrum of `patch` (row-major, n a power of two), its mean removed and Hann-windowed. Index (v · n + u), DC at 0. */
export function powerSpectrum(patch: Float32Array | Float64Array, n: number): Float64Array {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  let mean = 0;
  for (let i = 0; i < n * n; i++) mean += patch[i]!;
  mean /= n * n;
  const hann = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) re[y * n + x] = (patch[y * n + x]! - mean) * hann[x]! * hann[y]!;
  for (let y = 0; y < n; y++) fft(re, im, n, y * n, 1);
  for (let x = 0; x < n; x++) fft(re, im, n, x, n);
  const power = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) power[i] = re[i]! * re[i]! + im[i]! * im[i]!;
  return power;
}

/**
 * The strongest isolated peak of the spectrum at frequencies from `minFrequency` (cycles a pixel) to Nyquist: its
 * 3 × 3 mean power over the median power of the ring of bins around it (a 9 × 9 square less its middle 3 × 3),
 * among the CANDIDATES strongest local maxima. Bins on the 8-px grid of JPEG's blocks (multiples of n/8 on either
 * axis, ±`gridWidth`; with 1, the axes ±1 too) are left out. One 64-px patch without periodic structure gives ~5–15 by chance; the
 * mean of eight patches' spectra, under ~5; a screen's grid, tens to hundreds.
 */
export function peakProminence(power: Float64Array, n: number, minFrequency: number, gridWidth: 0 | 1 = 1): number {
  const at = (u: number, v: number) => power[(((v % n) + n) % n) * n + (((u % n) + n) % n)]!;
  const block = n / 8;
  // The block grid's lines (u or v a multiple of n/8, ±1) and the axes ±1 with them, where text's horizontal and
  // vertical strokes also put a ridge of power. A picture without text (a video's frame: gridWidth 0) leaves out
  // the grid's own lines alone: a screen's moiré runs nearly along the axes (the screen and the camera held
  // square to each other), and its frames' blocks are ours, encoded once.
  const onJpegGrid = (k: number) => {
    const r = ((k % block) + block) % block;
    return gridWidth === 0 ? r === 0 : Math.abs(k) <= 1 || r <= 1 || r >= block - 1;
  };
  // The local maxima, strongest first; the prominence of the strongest few (a grid's peaks are among them).
  const maxima: Array<{ u: number; v: number; p: number }> = [];
  // Half the plane: the spectrum of a real patch is symmetric.
  for (let v = 0; v <= n / 2; v++) {
    for (let u = -n / 2 + 1; u <= n / 2; u++) {
      if (Math.hypot(u, v) / n < minFrequency || onJpegGrid(u) || onJpegGrid(v)) continue;
      const p = at(u, v);
      let peak = true;
      for (let dv = -1; dv <= 1 && peak; dv++) for (let du = -1; du <= 1; du++) if ((du || dv) && at(u + du, v + dv) > p) { peak = false; break; }
      if (peak) maxima.push({ u, v, p });
    }
  }
  maxima.sort((a, b) => b.p - a.p);
  const ring: number[] = [];
  let best = 0;
  for (const { u, v } of maxima.slice(0, CANDIDATES)) {
    ring.length = 0;
    let own = 0;
    for (let dv = -4; dv <= 4; dv++) {
      for (let du = -4; du <= 4; du++) {
        if (Math.abs(du) <= 1 && Math.abs(dv) <= 1) own += at(u + du, v + dv);
        else ring.push(at(u + du, v + dv));
      }
    }
    ring.sort((a, b) => a - b);
    const floor = ring[ring.length >> 1]!;
    if (floor > 0) best = Math.max(best, own / 9 / floor);
  }
  return best;
}
