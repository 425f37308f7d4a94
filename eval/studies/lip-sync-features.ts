/**
 * A study, run by hand: which pair of mouth and voice series separates real speakers from dubbed and
 * shifted voices, by the synchrony test's z (synchrony.ts) at the best lag within ±0.2 s. Mouth: the
 * landmark lip gap (lm), the mouth interior's darkness (dark), the first three principal components of the
 * mouth region's pixels (pc1–3, pcmax), its speed (dlm); voice: the level of the 1–3 kHz band (b13), the
 * whole band (full), 0.3–0.8 kHz (b038); and relative measures (the best near lag against circular shifts
 * ≥ 1 s away: rel, rank; mouth speed while the voice is on against pauses: contrast; outZ, the best lag
 * 0.3–2 s away). Prints each one's AUC and the APCER it would give with no real speaker rejected.
 *
 *   FPS=25 npx tsx eval/studies/lip-sync-features.ts   # after lip-sync-cache.ts; SUB=2 halves the rate
 *
 * Results of 2026-12-02 are in docs/accuracy.md (analyzeReadingVideo, "what was tried").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { bandEnvelope, levelEnvelope } from '../../src/media/audio.js';
import { synchrony } from '../../src/liveness/synchrony.js';
import { pearson } from '../../src/core/stats.js';

const fps = Number(process.env.FPS ?? 25);
const DIR = `eval/out/sync-exp-${fps}`;
const sub = Number(process.env.SUB ?? 1); // subsample frames
type Rec = any;
const recs: Rec[] = readdirSync(DIR).map((f) => JSON.parse(gunzipSync(readFileSync(`${DIR}/${f}`)).toString()));

const W = 64;
function region(ff: Uint8Array, x0: number, x1: number, y0: number, y1: number): number[] {
  const v: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) v.push(ff[y * W + x]!);
  return v;
}
function norm(v: number[]): number[] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) || 1;
  return v.map((x) => (x - m) / s);
}
// top-k PCA scores via Gram matrix power iteration
function pcaScores(X: number[][], k: number): number[][] {
  const n = X.length, d = X[0]!.length;
  const mu = new Array(d).fill(0);
  for (const x of X) for (let j = 0; j < d; j++) mu[j] += x[j]! / n;
  const C = X.map((x) => x.map((v, j) => v - mu[j]));
  const G = C.map((a) => C.map((b) => a.reduce((s, v, j) => s + v * b[j]!, 0)));
  const out: number[][] = [];
  const Gd = G.map((r) => r.slice());
  for (let c = 0; c < k; c++) {
    let v = new Array(n).fill(0).map((_, i) => Math.sin(i + 1 + c));
    let lam = 0;
    for (let it = 0; it < 100; it++) {
      const w = Gd.map((r) => r.reduce((s, g, j) => s + g * v[j]!, 0));
      lam = Math.sqrt(w.reduce((s, x) => s + x * x, 0)) || 1;
      v = w.map((x) => x / lam);
    }
    out.push(v.map((x) => x * Math.sqrt(lam)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Gd[i]![j]! -= lam * v[i]! * v[j]!;
  }
  return out;
}
function levelAt(env: Float64Array, times: number[], t0: number, half: number): number[] {
  return times.map((t) => {
    const c = Math.round((t - t0) * 50);
    let s = 0, n = 0;
    for (let i = c - half; i <= c + half; i++) if (i >= 0 && i < env.length) (s += Math.max(-70, env[i]!)), n++;
    return n ? s / n : -70;
  });
}
function diff(x: number[]): number[] { return x.slice(1).map((v, i) => v - x[i]!); }

// Per video: id, kind, near z, best far z, its lag (LAGS=1 prints them).
const lagInfo: string[][] = [];
interface Row { id: string; kind: string; split: string; z: Record<string, number> }
const rows: Row[] = [];
for (const r of recs) {
  if (!r.pcm) continue;
  const buf = Buffer.from(r.pcm, 'base64');
  const pcm = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  const t0 = r.pcmFrom / 16000;
  const frames = r.frames.filter((_: any, i: number) => i % sub === 0).filter((f: any) => f.ff && f.mouth !== null);
  if (frames.length < 10) continue;
  const times = frames.map((f: any) => f.t);
  const ffs = frames.map((f: any) => new Uint8Array(Buffer.from(f.ff, 'base64')));
  const step = (times.at(-1) - times[0]) / (times.length - 1);
  const maxLag = Math.max(1, Math.round(0.2 / step));
  const half = Math.max(1, Math.round(step * 50 / 2));
  const audio: Record<string, number[]> = {
    b13: levelAt(bandEnvelope(pcm, 1000, 3000), times, t0, half),
    full: levelAt(levelEnvelope(pcm), times, t0, half),
    b038: levelAt(bandEnvelope(pcm, 300, 800), times, t0, half),
  };
  const mouthRegion = ffs.map((f: Uint8Array) => norm(region(f, 18, 46, 44, 70)));
  const pcs = pcaScores(mouthRegion, 3);
  const interior = ffs.map((f: Uint8Array) => { const a = region(f, 24, 40, 52, 62); const b = region(f, 16, 48, 22, 44); return a.reduce((s, v) => s + v, 0) / a.length / (b.reduce((s, v) => s + v, 0) / b.length); });
  const mouth: Record<string, number[]> = {
    lm: frames.map((f: any) => f.mouth),
    dark: interior.map((v: number) => -v),
    pc1: pcs[0]!, pc2: pcs[1]!, pc3: pcs[2]!,
  };
  const z: Record<string, number> = {};
  for (const [mk, m] of Object.entries(mouth)) for (const [ak, a] of Object.entries(audio)) {
    z[`${mk}/${ak}`] = synchrony(m, a, maxLag).z;
    if (mk.startsWith('pc')) z[`${mk}/${ak}`] = Math.max(synchrony(m, a, maxLag).z, synchrony(m.map((x) => -x), a, maxLag).z);
  }
  // pc best-of-3 both signs
  for (const ak of Object.keys(audio)) z[`pcmax/${ak}`] = Math.max(...['pc1', 'pc2', 'pc3'].map((p) => z[`${p}/${ak}`]!));
  // relative to off-sync circular lags
  const circ = (m: number[], a: number[], l: number) => { const n = m.length; const b = a.map((_, i) => a[(i + l + n) % n]!); return pearson(m, b); };
  const n = times.length; const far = Math.round(1 / step);
  for (const ak of ['b13', 'full']) {
    const m = mouth.lm!, a = audio[ak]!;
    let inMax = -1; for (let l = -maxLag; l <= maxLag; l++) inMax = Math.max(inMax, circ(m, a, l));
    const off: number[] = []; for (let l = far; l <= n - far; l++) off.push(circ(m, a, l));
    const mu = off.reduce((s, v) => s + v, 0) / off.length; const sd = Math.sqrt(off.reduce((s, v) => s + (v - mu) ** 2, 0) / off.length) || 1;
    z[`rel/${ak}`] = off.length > 5 ? (inMax - mu) / sd : 0;
    z[`rank/${ak}`] = off.length > 5 ? off.filter((v) => v < inMax).length / off.length : 0;
  }
  // contrast: mouth speed during voice vs pauses (level VAD on b13 level: above median+6dB?)
  {
    const lv = audio.full!; const sorted = [...lv].sort((a, b) => a - b); const floor = sorted[Math.floor(sorted.length * 0.1)]!;
    const on = lv.map((v) => v > Math.max(-50, floor + 12));
    const sp = diff(mouth.lm!).map(Math.abs);
    const a1 = sp.filter((_, i) => on[i + 1] || on[i]), a0 = sp.filter((_, i) => !on[i + 1] && !on[i]);
    const mu = (x: number[]) => x.reduce((s, v) => s + v, 0) / Math.max(1, x.length);
    const va = (x: number[]) => { const m = mu(x); return x.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, x.length - 1); };
    z['contrast'] = a0.length > 3 && a1.length > 3 ? (mu(a1) - mu(a0)) / Math.sqrt(va(a1) / a1.length + va(a0) / a0.length) : 0;
    z['speechShare'] = on.filter(Boolean).length / on.length;
  }
  // out-of-window peak
  {
    const m = mouth.lm!, a = audio.b13!;
    const inS = synchrony(m, a, maxLag);
    let best = -9, bestLag = 0;
    const far = Math.round(2 / step);
    // z at each lag via synchrony with maxLag 0 on shifted copies
    for (let l = -far; l <= far; l++) {
      if (Math.abs(l) <= Math.round(0.3 / step)) continue;
      const mm = l > 0 ? m.slice(0, m.length - l) : m.slice(-l);
      const aa = l > 0 ? a.slice(l) : a.slice(0, a.length + l);
      if (mm.length < 20) continue;
      const zz = synchrony(mm, aa, 0).z;
      if (zz > best) (best = zz), (bestLag = l * step);
    }
    z['outZ'] = best;
    z['outMinusIn'] = best - inS.z;
    lagInfo.push([r.id, r.kind, inS.z.toFixed(2), best.toFixed(2), bestLag.toFixed(2)]);
  }
  // velocity
  z['dlm/dfull'] = synchrony(diff(mouth.lm!), diff(audio.full!), maxLag).z;
  rows.push({ id: r.id, kind: r.kind, split: r.split, z });
}
const keys = Object.keys(rows[0]!.z);
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]! : NaN; };
const bona = rows.filter((r) => r.kind === 'bona');
const att = rows.filter((r) => r.kind !== 'bona');
console.log(`fps ${fps}/${sub}: bona ${bona.length}, attacks ${att.length}`);
console.log('feature'.padEnd(14), 'AUC   bona min/10%/med | att med/90%/max | APCER@bona-min APCER@2nd-min');
for (const k of keys) {
  const b = bona.map((r) => r.z[k]!), a = att.map((r) => r.z[k]!);
  let auc = 0; for (const x of b) for (const y of a) auc += x > y ? 1 : x === y ? 0.5 : 0; auc /= b.length * a.length;
  const sb = [...b].sort((x, y) => x - y);
  const ap = (lim: number) => a.filter((y) => y >= lim).length / a.length;
  console.log(k.padEnd(14), auc.toFixed(3), [sb[0], q(b, 0.1), q(b, 0.5)].map((x) => x!.toFixed(2)).join('/'), '|', [q(a, 0.5), q(a, 0.9), q(a, 1)].map((x) => x.toFixed(2)).join('/'), '|', (ap(sb[0]!) * 100).toFixed(0) + '%', (ap(sb[1]!) * 100).toFixed(0) + '%');
}
if (process.env.LAGS) for (const l of lagInfo) console.log(l.join('\t'));
if (process.env.SHOW) for (const r of bona) console.log(r.id.padEnd(42), r.z[process.env.SHOW]!.toFixed(2));
