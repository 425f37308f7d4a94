/**
 * Synthetic photos of Chinese second-generation resident ID cards (居民身份证), with ground-truth labels, for
 * evaluating the OCR reader. Both sides are drawn at 856 × 540 px (85.6 × 54 mm at 10 px/mm) by sharp (librsvg) in
 * WenQuanYi Micro Hei (fonts-wqy-microhei), the number in DejaVu Sans Mono; the portraits are crops of
 * fixtures/faces/person-*.jpg. Each card is then "photographed": put on a desk-coloured 1280 × 960 background, tilted
 * (±5°), sheared (±3%), turned by 0/90/180/270°, sometimes blurred or given a glare, saved as JPEG q70–80.
 * Names, dates, addresses and numbers are invented; the region codes are real county-level codes. About 12% of the
 * numbers carry a wrong check character on purpose (`checksumValid: false`).
 *
 *   npx tsx scripts/make-synthetic-cards.ts [--out eval/out/synthetic-cards] [--count 240] [--seed 1]
 *   npx tsx scripts/make-synthetic-cards.ts --fixtures [--seed 1] [--only synthetic-portrait-stamp-blue.jpg]
 *
 * The default writes card-0001.jpg … and labels.json (one entry per file) into --out (gitignored; stale card-*.jpg
 * there are removed first). `--fixtures` writes eight small cards (800 px on the long side) and synthetic.json into
 * fixtures/cards/ for the unit tests; commit those. Deterministic for a given sharp/libvips and fonts: card i depends
 * only on the seed and i, so `--count 12` gives the first 12 cards of the default run.
 *
 * `rotation` in the labels is the clockwise angle the photo was turned by: turning it a further (360 - rotation)°
 * clockwise makes the card upright. `tiltDeg` is the card's small rotation on the desk before that (positive =
 * clockwise), `shear` the horizontal shear factor, `blur` the Gaussian sigma (0 = none).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CARD_W = 856;
export const CARD_H = 540;
export const PHOTO_W = 1280;
export const PHOTO_H = 960;
export const FONT = 'WenQuanYi Micro Hei';
const MONO = 'DejaVu Sans Mono,WenQuanYi Micro Hei Mono';
const ROTATIONS = [0, 90, 180, 270] as const;
const FACES = ['person-a.jpg', 'person-b.jpg', 'person-c.jpg'].map((f) => join(ROOT, 'fixtures', 'faces', f));

export type Rotation = (typeof ROTATIONS)[number];
type Side = 'portrait' | 'emblem';
export type Rng = () => number;

interface Region {
  code: string;
  province: string;
  /** '' for the municipalities (北京 上海 天津 重庆), whose address does not repeat the city. */
  city: string;
  district: string;
}

export interface PortraitFields {
  name: string;
  sex: '男' | '女';
  ethnicity: string;
  birthDate: string;
  address: string;
  idNumber: string;
}

interface EmblemFields {
  authority: string;
  validFrom: string;
  validTo: string;
}

export interface PhotoParams {
  tiltDeg: number;
  shear: number;
  blur: number;
  glare: boolean;
  quality: number;
}

type CardLabel = { side: 'portrait'; fields: PortraitFields; checksumValid: boolean } | { side: 'emblem'; fields: EmblemFields };

/** One entry of labels.json. */
type Label = { file: string; rotation: Rotation } & PhotoParams & CardLabel;

/** What a card must be; the rest is drawn from its PRNG. */
export interface CardPlan {
  side: Side;
  rotation: Rotation;
  /** The face fixture of the portrait (person-a.jpg …); random when absent. */
  face?: string;
  badCheck?: boolean;
  forceX?: boolean;
  glare?: boolean;
  blur?: number;
  widthFrac?: [number, number];
  /** Portrait side: these fields as given (a rare-character name, an ethnicity), the rest drawn. */
  fields?: Partial<PortraitFields>;
  /** Portrait side: the number line printed as this instead of the number (a 22-digit string). */
  printedNumber?: string;
  /** SVG drawn over the card's contents, inside its outline (a watermark). */
  overlay?: (rng: Rng) => string;
}

interface Card {
  png: Buffer;
  label: CardLabel;
}

// ---------------------------------------------------------------- random

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for card i that depends only on the run's seed and i. */
export function cardSeed(seed: number, i: number): number {
  const h = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
  return Math.floor(h() * 4294967296);
}

export const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
export const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
export const chance = (rng: Rng, p: number) => rng() < p;
const round = (x: number, digits: number) => Number(x.toFixed(digits));

// ---------------------------------------------------------------- content tables

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const DOUBLE_SURNAMES = ['欧阳', '司马', '诸葛', '上官', '东方', '慕容'];
const GIVEN = [
  ...new Set(
    '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文玉兰建国红金海燕鹏辉宇浩晨欣怡子涵梓轩博雨思佳婷雪琳晓志宏斌俊峰凯飞云龙鑫波亮春梅丹萍莉慧颖瑶晶宁帆昊然睿泽嘉欢倩璐阳帅成翔荣琦彬健昕悦诗可一家天德永新利民福安美凤霖',
  ),
];
const MINORITIES = ['回', '满', '壮', '苗', '维吾尔', '蒙古', '土家', '藏', '彝', '朝鲜'];

// Real county-level region codes (GB/T 2260).
const REGIONS: Region[] = [
  ['110101', '北京市', '', '东城区'],
  ['110102', '北京市', '', '西城区'],
  ['110105', '北京市', '', '朝阳区'],
  ['110108', '北京市', '', '海淀区'],
  ['310101', '上海市', '', '黄浦区'],
  ['310104', '上海市', '', '徐汇区'],
  ['310106', '上海市', '', '静安区'],
  ['310115', '上海市', '', '浦东新区'],
  ['120101', '天津市', '', '和平区'],
  ['120103', '天津市', '', '河西区'],
  ['500103', '重庆市', '', '渝中区'],
  ['500106', '重庆市', '', '沙坪坝区'],
  ['420102', '湖北省', '武汉市', '江岸区'],
  ['420103', '湖北省', '武汉市', '江汉区'],
  ['420106', '湖北省', '武汉市', '武昌区'],
  ['420111', '湖北省', '武汉市', '洪山区'],
  ['421002', '湖北省', '荆州市', '沙市区'],
  ['421087', '湖北省', '荆州市', '松滋市'],
  ['420502', '湖北省', '宜昌市', '西陵区'],
  ['420602', '湖北省', '襄阳市', '襄城区'],
  ['420822', '湖北省', '荆门市', '沙洋县'],
  ['440103', '广东省', '广州市', '荔湾区'],
  ['440106', '广东省', '广州市', '天河区'],
  ['440304', '广东省', '深圳市', '福田区'],
  ['440305', '广东省', '深圳市', '南山区'],
  ['330102', '浙江省', '杭州市', '上城区'],
  ['330106', '浙江省', '杭州市', '西湖区'],
  ['330203', '浙江省', '宁波市', '海曙区'],
  ['320102', '江苏省', '南京市', '玄武区'],
  ['320106', '江苏省', '南京市', '鼓楼区'],
  ['320508', '江苏省', '苏州市', '姑苏区'],
  ['510104', '四川省', '成都市', '锦江区'],
  ['510107', '四川省', '成都市', '武侯区'],
  ['430102', '湖南省', '长沙市', '芙蓉区'],
  ['430104', '湖南省', '长沙市', '岳麓区'],
  ['410102', '河南省', '郑州市', '中原区'],
  ['410105', '河南省', '郑州市', '金水区'],
  ['370102', '山东省', '济南市', '历下区'],
  ['370202', '山东省', '青岛市', '市南区'],
  ['130102', '河北省', '石家庄市', '长安区'],
  ['140105', '山西省', '太原市', '小店区'],
  ['210102', '辽宁省', '沈阳市', '和平区'],
  ['210202', '辽宁省', '大连市', '中山区'],
  ['220102', '吉林省', '长春市', '南关区'],
  ['230102', '黑龙江省', '哈尔滨市', '道里区'],
  ['340104', '安徽省', '合肥市', '蜀山区'],
  ['350102', '福建省', '福州市', '鼓楼区'],
  ['350203', '福建省', '厦门市', '思明区'],
  ['360102', '江西省', '南昌市', '东湖区'],
  ['450103', '广西壮族自治区', '南宁市', '青秀区'],
  ['530102', '云南省', '昆明市', '五华区'],
  ['520102', '贵州省', '贵阳市', '南明区'],
  ['610103', '陕西省', '西安市', '碑林区'],
  ['610113', '陕西省', '西安市', '雁塔区'],
  ['620102', '甘肃省', '兰州市', '城关区'],
  ['460106', '海南省', '海口市', '龙华区'],
  ['150102', '内蒙古自治区', '呼和浩特市', '新城区'],
  ['650102', '新疆维吾尔自治区', '乌鲁木齐市', '天山区'],
  ['640104', '宁夏回族自治区', '银川市', '兴庆区'],
  ['630102', '青海省', '西宁市', '城东区'],
  ['540102', '西藏自治区', '拉萨市', '城关区'],
].map(([code, province, city, district]) => ({ code, province, city, district }));

const ROADS = [
  '解放大道', '中山路', '人民路', '建设路', '和平路', '胜利街', '新华路', '长江路', '黄河路', '友谊大道', '光明路',
  '文化路', '青年路', '东风路', '民主路', '团结路', '幸福路', '滨江路', '学府路', '朝阳路', '沿江大道', '科技路',
  '花园路', '公园路', '北京路', '南京路', '复兴路', '工农路', '红旗街', '建国路', '育才路', '体育路', '桥西街',
  '中华路', '劳动街', '健康路', '前进路', '五一路', '八一路', '新村路', '府前街', '书院街', '金融街', '车站路',
];
const ESTATES = [
  '阳光', '锦绣', '翠园', '金桥', '丽景', '华府', '东湖', '南湖', '绿洲', '怡景', '名都', '锦江', '春华', '新城',
  '香樟', '玉兰', '紫荆', '清华', '康乐', '和谐',
];

// ---------------------------------------------------------------- fields

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** The check character of an 18-digit number from its first 17 digits (ISO 7064 MOD 11-2). */
function checkChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * WEIGHTS[i];
  return '10X98765432'[sum % 11];
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const iso = ({ y, m, d }: Ymd) => `${y}-${pad(m)}-${pad(d)}`;
const dotted = ({ y, m, d }: Ymd) => `${y}.${pad(m)}.${pad(d)}`;

/** A uniformly random real date between two dates, inclusive. */
function randomDate(rng: Rng, from: Ymd, to: Ymd): Ymd {
  const day = 86_400_000;
  const a = Date.UTC(from.y, from.m - 1, from.d) / day;
  const b = Date.UTC(to.y, to.m - 1, to.d) / day;
  const t = new Date(int(rng, a, b) * day);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function makeName(rng: Rng): string {
  const surname = chance(rng, 0.03) ? pick(rng, DOUBLE_SURNAMES) : pick(rng, SURNAMES);
  const given = chance(rng, 0.3) ? pick(rng, GIVEN) : pick(rng, GIVEN) + pick(rng, GIVEN);
  return surname + given;
}

/** 小区/栋/室 and the like after the house number, or nothing. */
function addressTail(rng: Rng): string {
  switch (int(rng, 0, 4)) {
    case 0:
      return '';
    case 1:
      return `${int(rng, 1, 30)}号楼${int(rng, 1, 6)}单元${int(rng, 1, 28)}0${int(rng, 1, 4)}号`;
    case 2:
      return `${pick(rng, ESTATES)}小区${int(rng, 1, 40)}栋${int(rng, 1, 33)}0${int(rng, 1, 6)}室`;
    case 3:
      return `${int(rng, 1, 20)}栋${int(rng, 1, 4)}单元${int(rng, 1, 6)}层${int(rng, 1, 8)}号`;
    default:
      return `附${int(rng, 1, 60)}号`;
  }
}

/** Province + city + district + road + number (+ tail), at most 33 characters (3 lines of 11), now and then one line. */
function makeAddress(rng: Rng, region: Region): string {
  const head = region.province + region.city + region.district;
  // Now and then a one-line address: a municipality, a short road, a one-digit number.
  if (!region.city && chance(rng, 0.3)) {
    const short = head + pick(rng, ROADS.filter((r) => r.length === 3)) + `${int(rng, 1, 9)}号`;
    if (short.length <= 11) return short;
  }
  for (;;) {
    const address = head + pick(rng, ROADS) + `${int(rng, 1, 999)}号` + addressTail(rng);
    if (address.length <= 33) return address;
  }
}

/** The address as printed: 11 characters a line, at most 3 lines. */
function wrap(text: string, perLine = 11): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += perLine) lines.push(text.slice(i, i + perLine));
  return lines.slice(0, 3);
}

/** Region + birth date + 2 random digits + a sex digit (odd = 男) + the check character, right or (badCheck) wrong. */
function makeIdNumber(rng: Rng, code: string, birth: Ymd, sex: '男' | '女', badCheck: boolean, forceX: boolean) {
  for (let attempt = 0; ; attempt++) {
    const body = code + `${birth.y}${pad(birth.m)}${pad(birth.d)}` + pad(int(rng, 0, 99)) + String(2 * int(rng, 0, 4) + (sex === '男' ? 1 : 0));
    const good = checkChar(body);
    if (forceX && !badCheck && good !== 'X' && attempt < 500) continue;
    if (!badCheck) return { idNumber: body + good, checksumValid: true };
    const wrong = pick(rng, [...'0123456789X'].filter((c) => c !== good));
    return { idNumber: body + wrong, checksumValid: false };
  }
}

export function makePortraitFields(rng: Rng, badCheck: boolean, forceX: boolean) {
  const region = pick(rng, REGIONS);
  const name = makeName(rng);
  const sex = chance(rng, 0.5) ? ('男' as const) : ('女' as const);
  const ethnicity = chance(rng, 0.8) ? '汉' : pick(rng, MINORITIES);
  const birth = randomDate(rng, { y: 1950, m: 1, d: 1 }, { y: 2008, m: 12, d: 31 });
  const address = makeAddress(rng, region);
  const { idNumber, checksumValid } = makeIdNumber(rng, region.code, birth, sex, badCheck, forceX);
  const fields: PortraitFields = { name, sex, ethnicity, birthDate: iso(birth), address, idNumber };
  return { fields, birth, checksumValid };
}

/** The issuing police authority for a region, e.g. 武汉市公安局江岸分局, 沙洋县公安局. */
function authorityOf(region: Region): string {
  if (!region.district.endsWith('区')) return `${region.district}公安局`;
  const city = region.city || region.province;
  return `${city}公安局${region.district.replace(/(新区|区)$/, '')}分局`;
}

export function makeEmblemFields(rng: Rng): EmblemFields {
  const from = randomDate(rng, { y: 2005, m: 1, d: 1 }, { y: 2024, m: 12, d: 31 });
  if (from.m === 2 && from.d === 29) from.d = 28;
  const r = rng();
  const validTo = r < 0.15 ? '长期' : iso({ ...from, y: from.y + (r < 0.55 ? 10 : 20) });
  return { authority: authorityOf(pick(rng, REGIONS)), validFrom: iso(from), validTo };
}

// ---------------------------------------------------------------- drawing

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function jitterHex(rng: Rng, rgb: [number, number, number], amount: number): string {
  return '#' + rgb.map((c) => Math.max(0, Math.min(255, Math.round(c + between(rng, -amount, amount)))).toString(16).padStart(2, '0')).join('');
}

let fontChecked = false;

/**
 * Throws, saying what to install, when fontconfig does not know FONT: librsvg would draw every Chinese character
 * as a box, and the cards read as nothing. Where fc-list is absent, nothing is checked.
 */
export function requireCardFont(): void {
  if (fontChecked) return;
  const listed = spawnSync('fc-list', [FONT], { encoding: 'utf8' });
  if (!listed.error && listed.status === 0 && listed.stdout.trim() === '') {
    throw new Error(`the synthetic cards are drawn in ${FONT}, which this machine lacks: install Debian's fonts-wqy-microhei (bash scripts/ci-browser.sh does)`);
  }
  fontChecked = true;
}

export function text(x: number, y: number, s: string, size: number, fill: string, extra = '', family = FONT): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${family}" font-size="${size}" fill="${fill}" ${extra}>${esc(s)}</text>`;
}

/** A faint sine or rosette stroke pattern in pale colours, as the card's security print. */
function guilloche(rng: Rng): string {
  const colours = ['#8fb8e0', '#f0a8c0', '#a8d8b4', '#c0b0e4', '#f0cc8c', '#9cd0d8'];
  const out: string[] = [];
  const waves = int(rng, 24, 36);
  for (let k = 0; k < waves; k++) {
    const y0 = between(rng, -30, CARD_H + 30);
    const amp = between(rng, 6, 40);
    const wl = between(rng, 70, 280);
    const phase = between(rng, 0, 2 * Math.PI);
    const slope = between(rng, -0.2, 0.2);
    const pts: string[] = [];
    for (let x = -10; x <= CARD_W + 10; x += 8) pts.push(`${x} ${(y0 + slope * x + amp * Math.sin((2 * Math.PI * x) / wl + phase)).toFixed(1)}`);
    out.push(`<path d="M${pts.join('L')}" stroke="${pick(rng, colours)}" stroke-width="${between(rng, 0.6, 1.4).toFixed(2)}" fill="none" opacity="${between(rng, 0.1, 0.25).toFixed(2)}"/>`);
  }
  for (let k = int(rng, 1, 2); k > 0; k--) out.push(rosette(rng, pick(rng, colours)));
  return out.join('\n');
}

/** A hypotrochoid centred somewhere on the card. */
function rosette(rng: Rng, colour: string): string {
  const cx = between(rng, 250, 600);
  const cy = between(rng, 150, 400);
  const R = between(rng, 110, 190);
  const r = R / int(rng, 5, 9);
  const d = between(rng, 0.6, 1.2) * r * 3;
  const pts: string[] = [];
  for (let i = 0; i <= 720; i++) {
    const t = (i / 720) * 2 * Math.PI;
    const x = cx + (R - r) * Math.cos(t) + d * Math.cos(((R - r) / r) * t);
    const y = cy + (R - r) * Math.sin(t) - d * Math.sin(((R - r) / r) * t);
    pts.push(`${x.toFixed(1)} ${y.toFixed(1)}`);
  }
  return `<path d="M${pts.join('L')}Z" stroke="${colour}" stroke-width="0.8" fill="none" opacity="${between(rng, 0.12, 0.22).toFixed(2)}"/>`;
}

/** The card's rounded shape with a faint tinted gradient and the guilloche; the contents go inside the clip. */
export function cardSvg(rng: Rng, contents: string): string {
  const tints: [number, number, number][] = [
    [232, 241, 250],
    [248, 236, 241],
    [234, 245, 236],
    [246, 243, 232],
  ];
  const a = jitterHex(rng, pick(rng, tints), 4);
  const b = jitterHex(rng, pick(rng, tints), 4);
  const c = jitterHex(rng, [250, 250, 248], 3);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_W}" height="${CARD_H}">
  <defs>
    <linearGradient id="tint" x1="0" y1="0" x2="1" y2="${between(rng, 0.3, 1).toFixed(2)}">
      <stop offset="0" stop-color="${a}"/><stop offset="0.5" stop-color="${c}"/><stop offset="1" stop-color="${b}"/>
    </linearGradient>
    <clipPath id="shape"><rect width="${CARD_W}" height="${CARD_H}" rx="25" ry="25"/></clipPath>
  </defs>
  <g clip-path="url(#shape)">
    <rect width="${CARD_W}" height="${CARD_H}" fill="url(#tint)"/>
    ${guilloche(rng)}
    ${contents}
  </g>
</svg>`;
}

export function portraitContents(rng: Rng, f: PortraitFields, birth: Ymd): string {
  const label = jitterHex(rng, [0x5c, 0x9b, 0xd1], 10);
  const ink = jitterHex(rng, [0x18, 0x18, 0x1a], 8);
  const dx = between(rng, -4, 4);
  const dy = between(rng, -3, 3);
  const lab = (x: number, y: number, s: string, spacing = 12) => text(x + dx, y + dy, s, 26, label, `letter-spacing="${spacing}"`);
  const val = (x: number, y: number, s: string) => text(x + dx, y + dy, s, 30, ink);
  const end = (x: number, y: number, s: string) => text(x + dx, y + dy, s, 30, ink, 'text-anchor="end"');
  const parts = [
    lab(50, 95, '姓名'),
    val(140, 95, f.name),
    lab(50, 150, '性别'),
    val(140, 150, f.sex),
    lab(240, 150, '民族'),
    val(330, 150, f.ethnicity),
    lab(50, 205, '出生'),
    val(140, 205, String(birth.y)),
    lab(216, 205, '年', 0),
    end(286, 205, String(birth.m)),
    lab(296, 205, '月', 0),
    end(372, 205, String(birth.d)),
    lab(382, 205, '日', 0),
    lab(50, 260, '住址'),
    ...wrap(f.address).map((line, i) => val(140, 260 + 38 * i, line)),
    lab(50, 470, '公民身份号码', 2),
    text(280 + dx, 470 + dy, f.idNumber, 34, ink, 'letter-spacing="3"', MONO),
  ];
  return parts.join('\n    ');
}

function starPoints(cx: number, cy: number, r: number, turn = 0): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + turn + (i * Math.PI) / 5;
    const rr = i % 2 === 0 ? r : r * 0.382;
    pts.push(`${(cx + rr * Math.cos(a)).toFixed(1)},${(cy + rr * Math.sin(a)).toFixed(1)}`);
  }
  return pts.join(' ');
}

/** A stylised stand-in for the national emblem: red disc, gold ring, five stars and a gate. */
function emblem(cx: number, cy: number): string {
  const gold = '#e8b923';
  const small = [
    [-38, -14],
    [-22, -38],
    [22, -38],
    [38, -14],
  ]
    .map(([x, y]) => `<polygon points="${starPoints(cx + x, cy + y, 9)}" fill="${gold}"/>`)
    .join('');
  return `<circle cx="${cx}" cy="${cy}" r="70" fill="#d42a1f"/>
    <circle cx="${cx}" cy="${cy}" r="62" fill="none" stroke="${gold}" stroke-width="5"/>
    <circle cx="${cx}" cy="${cy}" r="54" fill="none" stroke="${gold}" stroke-width="1.5" stroke-dasharray="4 3"/>
    <polygon points="${starPoints(cx, cy - 12, 20)}" fill="${gold}"/>${small}
    <rect x="${cx - 32}" y="${cy + 14}" width="64" height="8" fill="${gold}"/>
    <rect x="${cx - 26}" y="${cy + 24}" width="52" height="16" fill="${gold}"/>
    <rect x="${cx - 40}" y="${cy + 42}" width="80" height="6" fill="${gold}"/>`;
}

export function emblemContents(rng: Rng, f: EmblemFields): string {
  const ink = jitterHex(rng, [0x1a, 0x1a, 0x1c], 8);
  const dx = between(rng, -4, 4);
  const dy = between(rng, -3, 3);
  const until = f.validTo === '长期' ? '长期' : f.validTo.replace(/-/g, '.');
  return [
    emblem(130 + dx, 120 + dy),
    text(240 + dx, 110 + dy, '中华人民共和国', 42, ink, `letter-spacing="14" font-weight="bold" stroke="${ink}" stroke-width="0.6"`),
    text(240 + dx, 210 + dy, '居民身份证', 64, ink, `letter-spacing="22" stroke="${ink}" stroke-width="0.8"`),
    text(90 + dx, 420 + dy, '签发机关', 26, ink, 'letter-spacing="4"'),
    text(230 + dx, 420 + dy, f.authority, 28, ink),
    text(90 + dx, 480 + dy, '有效期限', 26, ink, 'letter-spacing="4"'),
    text(230 + dx, 480 + dy, `${f.validFrom.replace(/-/g, '.')}-${until}`, 28, ink),
  ].join('\n    ');
}

const faceCache = new Map<string, { data: Buffer; width: number; height: number }>();

async function loadFace(path: string) {
  let face = faceCache.get(path);
  if (!face) {
    const data = readFileSync(path);
    const meta = await sharp(data).metadata();
    face = { data, width: meta.width ?? 0, height: meta.height ?? 0 };
    faceCache.set(path, face);
  }
  return face;
}

/** The stamps' colours: grey, red, blue. */
export const STAMP_COLOURS = ['grey', 'red', 'blue'] as const;

/**
 * Repeated slanted stamp text over the whole card (an anti-copy phrase), in grey, red or blue, half transparent;
 * `colour` forces one (the draws are the same either way).
 */
export function stampOverlay(phrase: string, colour?: (typeof STAMP_COLOURS)[number], opacityGiven?: number) {
  return (rng: Rng) => {
    const angle = between(rng, -35, 35);
    const size = int(rng, 30, 56);
    const colours = [jitterHex(rng, [120, 120, 120], 20), jitterHex(rng, [210, 40, 40], 20), jitterHex(rng, [40, 70, 200], 20)];
    const drawn = pick(rng, colours);
    const ink = colour ? colours[STAMP_COLOURS.indexOf(colour)]! : drawn;
    const drawnOpacity = between(rng, 0.25, 0.55);
    const opacity = (opacityGiven ?? drawnOpacity).toFixed(2);
    const step = size * int(rng, 3, 5);
    const rows: string[] = [];
    for (let y = -CARD_H; y < 2 * CARD_H; y += step) {
      const offset = between(rng, -size, size);
      for (let x = -CARD_W; x < 2 * CARD_W; x += size * (phrase.length + 2)) rows.push(text(x + offset, y, phrase, size, ink, `opacity="${opacity}"`));
    }
    return `<g transform="rotate(${angle.toFixed(1)} ${CARD_W / 2} ${CARD_H / 2})">${rows.join('')}</g>`;
  };
}

/** A 210 × 260 head-and-shoulders crop of one of the face fixtures, slightly lightened. */
async function portraitImage(rng: Rng, forced?: string): Promise<Buffer> {
  const picked = pick(rng, FACES);
  const face = await loadFace(forced ? join(ROOT, 'fixtures', 'faces', forced) : picked);
  const aspect = 210 / 260;
  let h = Math.min(face.height, (face.width * between(rng, 0.85, 1)) / aspect);
  const w = Math.round(h * aspect);
  h = Math.round(h);
  const left = int(rng, 0, face.width - w);
  const top = int(rng, 0, Math.round((face.height - h) / 2));
  return sharp(face.data)
    .extract({ left, top, width: w, height: h })
    .resize(210, 260)
    .modulate({ brightness: between(rng, 1.02, 1.1), saturation: between(rng, 0.8, 0.95) })
    .png()
    .toBuffer();
}

/** A white, soft-edged ellipse (≤ 340 px across, so never the whole number) at 25–45% opacity. */
function glareSvg(rng: Rng): Buffer {
  const cx = between(rng, 120, CARD_W - 120);
  const cy = between(rng, 90, CARD_H - 90);
  const rx = between(rng, 70, 170);
  const ry = between(rng, 40, 100);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_W}" height="${CARD_H}">
  <defs><radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="1"/><stop offset="0.45" stop-color="#fff" stop-opacity="0.8"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
  <ellipse cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" rx="${rx.toFixed(1)}" ry="${ry.toFixed(1)}" fill="url(#g)" opacity="${between(rng, 0.25, 0.45).toFixed(2)}" transform="rotate(${between(rng, -40, 40).toFixed(1)} ${cx.toFixed(1)} ${cy.toFixed(1)})"/>
</svg>`;
  return Buffer.from(svg);
}

/** One side of a card as an 856 × 540 RGBA PNG (transparent outside the rounded corners), with its fields. */
export async function drawCard(rng: Rng, plan: CardPlan, glare: boolean): Promise<Card> {
  requireCardFont();
  let svg: string;
  let label: Card['label'];
  const overlays: OverlayOptions[] = [];
  if (plan.side === 'portrait') {
    const made = makePortraitFields(rng, plan.badCheck ?? false, plan.forceX ?? false);
    const { birth, checksumValid } = made;
    const fields = { ...made.fields, ...plan.fields };
    const printed = plan.printedNumber ? { ...fields, idNumber: plan.printedNumber } : fields;
    svg = cardSvg(rng, portraitContents(rng, printed, birth) + (plan.overlay ? '\n' + plan.overlay(rng) : ''));
    overlays.push({ input: await portraitImage(rng, plan.face), left: 600, top: 70 });
    label = { side: 'portrait', fields, checksumValid };
  } else {
    const fields = makeEmblemFields(rng);
    svg = cardSvg(rng, emblemContents(rng, fields) + (plan.overlay ? '\n' + plan.overlay(rng) : ''));
    label = { side: 'emblem', fields };
  }
  if (glare) overlays.push({ input: glareSvg(rng), blend: 'atop' });
  const png = await sharp(Buffer.from(svg)).composite(overlays).png().toBuffer();
  return { png, label };
}

interface Desk {
  rgb: [number, number, number];
  wood: boolean;
}

const DESKS: Desk[] = [
  { rgb: [128, 128, 128], wood: false },
  { rgb: [96, 98, 102], wood: false },
  { rgb: [160, 158, 154], wood: false },
  { rgb: [72, 74, 78], wood: false },
  { rgb: [122, 88, 58], wood: true },
  { rgb: [150, 110, 75], wood: true },
  { rgb: [96, 66, 44], wood: true },
  { rgb: [176, 132, 90], wood: true },
  { rgb: [226, 220, 206], wood: false },
  { rgb: [208, 202, 190], wood: false },
];

/** A smooth random profile of length n in [-1, 1]: a few sines of random frequency and phase. */
function profile(rng: Rng, n: number, minPeriod: number, maxPeriod: number, terms = 4): Float32Array {
  const out = new Float32Array(n);
  let total = 0;
  for (let k = 0; k < terms; k++) {
    const w = (2 * Math.PI) / between(rng, minPeriod, maxPeriod);
    const phase = between(rng, 0, 2 * Math.PI);
    const amp = between(rng, 0.3, 1);
    total += amp;
    for (let i = 0; i < n; i++) out[i] += amp * Math.sin(w * i + phase);
  }
  for (let i = 0; i < n; i++) out[i] /= total;
  return out;
}

/** A desk-like raw RGB background: a base colour, a gentle gradient, irregular grain on wood, mild noise. */
export function deskBackground(rng: Rng): Buffer {
  const desk = pick(rng, DESKS);
  const base = desk.rgb.map((c) => c + between(rng, -8, 8));
  const gx = between(rng, -0.18, 0.18);
  const gy = between(rng, -0.18, 0.18);
  const noise = between(rng, 2, 6);
  const grain = desk.wood ? between(rng, 8, 16) : 0;
  const margin = 64;
  // Grain runs along x: its value depends on y, bent by a slow wobble that depends on x.
  const coarse = profile(rng, PHOTO_H + 2 * margin, 40, 260, 5);
  const fine = profile(rng, PHOTO_H + 2 * margin, 5, 18, 4);
  const wobble = profile(rng, PHOTO_W, 300, 1400, 3);
  const bend = between(rng, 10, 40);
  const nrng = mulberry32(int(rng, 0, 2 ** 31));
  const px = new Uint8ClampedArray(PHOTO_W * PHOTO_H * 3);
  for (let y = 0; y < PHOTO_H; y++) {
    for (let x = 0; x < PHOTO_W; x++) {
      const shade = 1 + gx * (x / PHOTO_W - 0.5) + gy * (y / PHOTO_H - 0.5);
      const yy = Math.round(y + margin + bend * wobble[x]);
      const g = grain ? grain * (0.75 * coarse[yy] + 0.25 * fine[yy]) : 0;
      const n = (nrng() - 0.5) * 2 * noise;
      const i = (y * PHOTO_W + x) * 3;
      px[i] = base[0] * shade + g + n;
      px[i + 1] = base[1] * shade + g * 0.8 + n;
      px[i + 2] = base[2] * shade + g * 0.6 + n;
    }
  }
  return Buffer.from(px.buffer);
}

export function choosePhoto(rng: Rng, plan: CardPlan): PhotoParams & { widthFrac: number } {
  const [lo, hi] = plan.widthFrac ?? [0.55, 0.8];
  const blurred = chance(rng, 0.5);
  const blurSigma = between(rng, 0.3, 1.2);
  const glare = chance(rng, 0.3);
  return {
    tiltDeg: round(between(rng, -5, 5), 2),
    shear: round(between(rng, -0.03, 0.03), 3),
    blur: plan.blur ?? (blurred ? round(blurSigma, 2) : 0),
    glare: plan.glare ?? glare,
    quality: int(rng, 70, 80),
    widthFrac: between(rng, lo, hi),
  };
}

/**
 * Puts the card on a desk (scaled, tilted, sheared, with a soft shadow), turns the photo clockwise by `rotation`,
 * blurs it if asked and encodes it as JPEG; `maxSide` shrinks the result to fit.
 */
export async function photograph(rng: Rng, card: Buffer, p: PhotoParams & { widthFrac: number }, rotation: Rotation, maxSide?: number): Promise<Buffer> {
  const s = (p.widthFrac * PHOTO_W) / CARD_W;
  const t = (p.tiltDeg * Math.PI) / 180;
  const [c, n, k] = [Math.cos(t), Math.sin(t), p.shear];
  // scale · rotation · shear: x' = s(c·x + (c·k − n)·y), y' = s(n·x + (n·k + c)·y)
  const matrix: [number, number, number, number] = [s * c, s * (c * k - n), s * n, s * (n * k + c)];
  const transparent = { r: 0, g: 0, b: 0, alpha: 0 };
  const tilted = await sharp(card)
    .affine(matrix, { background: transparent, interpolator: sharp.interpolators.bicubic })
    .png()
    .toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = tilted.info;
  const padded = await sharp(tilted.data).extend({ top: 16, bottom: 16, left: 16, right: 16, background: transparent }).png().toBuffer();
  const shadow = await sharp(padded).linear([0, 0, 0, 0.4], [0, 0, 0, 0]).blur(6).png().toBuffer();
  const left = int(rng, 20, PHOTO_W - w - 20);
  const top = int(rng, 20, PHOTO_H - h - 20);
  const scene = await sharp(deskBackground(rng), { raw: { width: PHOTO_W, height: PHOTO_H, channels: 3 } })
    .composite([
      { input: shadow, left: left - 16 + int(rng, 2, 6), top: top - 16 + int(rng, 3, 8) },
      { input: tilted.data, left, top },
    ])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // A second pipeline: sharp composites after rotating, so the scene must be flattened first.
  let out = sharp(scene.data, { raw: { width: scene.info.width, height: scene.info.height, channels: scene.info.channels } }).rotate(rotation);
  if (maxSide) out = out.resize(maxSide, maxSide, { fit: 'inside' });
  if (p.blur > 0) out = out.blur(p.blur);
  return out.jpeg({ quality: p.quality }).toBuffer();
}

/** Draws and photographs one card; returns the JPEG and its label (without the file name). */
export async function makeCard(rng: Rng, plan: CardPlan, overrides: Partial<PhotoParams> = {}, maxSide?: number) {
  const photo = { ...choosePhoto(rng, plan), ...overrides };
  const card = await drawCard(rng, plan, photo.glare);
  const jpeg = await photograph(rng, card.png, photo, plan.rotation, maxSide);
  const { widthFrac: _, ...params } = photo;
  return { jpeg, label: { rotation: plan.rotation, ...params, ...card.label } };
}

// ---------------------------------------------------------------- runs

/** Card i's side and rotation: one in 7 is the emblem side, rotations cycle, so every rotation gets both sides. */
function planCard(rng: Rng, i: number, portraitIndex: number): CardPlan {
  const side: Side = i % 7 === 6 ? 'emblem' : 'portrait';
  const badCheck = chance(rng, 0.12);
  return { side, rotation: ROTATIONS[i % 4], badCheck, forceX: side === 'portrait' && portraitIndex % 10 === 3 };
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

function removeStaleCards(dir: string): void {
  for (const f of readdirSync(dir)) if (/^card-\d{4,}\.jpg$/.test(f)) rmSync(join(dir, f));
}

async function writeSet(outDir: string, count: number, seed: number): Promise<void> {
  const started = performance.now();
  mkdirSync(outDir, { recursive: true });
  removeStaleCards(outDir);
  const labels: Label[] = [];
  for (let i = 0, portraits = 0; i < count; i++) {
    const rng = mulberry32(cardSeed(seed, i));
    const plan = planCard(rng, i, portraits);
    if (plan.side === 'portrait') portraits++;
    const file = `card-${pad(i + 1, 4)}.jpg`;
    const { jpeg, label } = await makeCard(rng, plan);
    writeFileSync(join(outDir, file), jpeg);
    labels.push({ file, ...label });
  }
  writeFileSync(join(outDir, 'labels.json'), JSON.stringify(labels, null, 2) + '\n');
  const portrait = labels.filter((l) => l.side === 'portrait');
  const invalid = portrait.filter((l) => l.side === 'portrait' && !l.checksumValid).length;
  const endsX = portrait.filter((l) => l.side === 'portrait' && l.fields.idNumber.endsWith('X')).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${count} cards (${portrait.length} portrait, ${count - portrait.length} emblem), ${invalid} invalid numbers, ${endsX} ending in X, ${seconds} s → ${displayPath(outDir)}`,
  );
}

const FIXTURES: { file: string; plan: CardPlan }[] = [
  { file: 'synthetic-portrait-0.jpg', plan: { side: 'portrait', rotation: 0, badCheck: false } },
  { file: 'synthetic-portrait-90.jpg', plan: { side: 'portrait', rotation: 90, badCheck: false } },
  { file: 'synthetic-portrait-180-bad-check.jpg', plan: { side: 'portrait', rotation: 180, badCheck: true } },
  { file: 'synthetic-emblem-270.jpg', plan: { side: 'emblem', rotation: 270 } },
  // Person A's card, for verifyApplicant's tests (its video and photos are person A's).
  { file: 'synthetic-portrait-person-a.jpg', plan: { side: 'portrait', rotation: 0, badCheck: false, face: 'person-a.jpg' } },
  // Anti-copy stamps printed over the fields, as applicants print them on the copies they upload.
  { file: 'synthetic-portrait-stamp-red.jpg', plan: { side: 'portrait', rotation: 0, badCheck: false, overlay: stampOverlay('复印无效', 'red') } },
  { file: 'synthetic-portrait-stamp-grey.jpg', plan: { side: 'portrait', rotation: 0, badCheck: false, overlay: stampOverlay('仅供报名使用', 'grey') } },
  // A blue stamp at the corpus's darkest (opacity 0.55), about as dark as the card's blue labels: read from the card's dark print.
  { file: 'synthetic-portrait-stamp-blue.jpg', plan: { side: 'portrait', rotation: 0, badCheck: false, overlay: stampOverlay('仅供报名使用', 'blue', 0.55) } },
];

const BOTH_SIDES = 'synthetic-both-sides-grey.jpg';

/**
 * A photocopy page as offices ask for it (eval/card-corpus.ts' both-sides pages): the two sides one above the other
 * on a 150-dpi A4 page, 仅供报名使用 across it all at -25°, in grey. Its label: both sides' fields.
 */
export async function bothSidesPage(rng: Rng): Promise<{ jpeg: Buffer; fields: PortraitFields & EmblemFields }> {
  const [front, back] = [await drawCard(rng, { side: 'portrait', rotation: 0, badCheck: false }, false), await drawCard(rng, { side: 'emblem', rotation: 0 }, false)];
  const [W, H, width] = [1240, 1754, 760];
  const height = Math.round((width * CARD_H) / CARD_W);
  const rows = Array.from({ length: Math.ceil((W + H) / 200) }, (_, k) => text(-W / 2, k * 200, '仅供报名使用　'.repeat(12), 50, '#888888', 'opacity="0.4"')).join('');
  const stamp = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g transform="rotate(-25 ${W / 2} ${H / 2})">${rows}</g></svg>`;
  const page = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 250, g: 250, b: 248 } } })
    .composite([
      { input: await sharp(front.png).resize(width).png().toBuffer(), left: 240, top: 200 },
      { input: await sharp(back.png).resize(width).png().toBuffer(), left: 240, top: 200 + height + 300 },
      { input: Buffer.from(stamp) },
    ])
    .png()
    .toBuffer();
  const jpeg = await sharp(page).greyscale().linear(1.25, -25).jpeg({ quality: 50 }).toBuffer();
  return { jpeg, fields: { ...(front.label.fields as PortraitFields), ...(back.label.fields as EmblemFields) } };
}

/**
 * Eight small cards (no blur, no glare, card 72–80% of the width; three stamped) for the unit tests. `only`: that
 * fixture alone written, its label replaced in synthetic.json (the others' bytes kept: JPEG encoding and text
 * rendering differ a little between machines).
 */
async function writeFixtures(seed: number, only?: string): Promise<void> {
  const dir = join(ROOT, 'fixtures', 'cards');
  mkdirSync(dir, { recursive: true });
  const index = join(dir, 'synthetic.json');
  const labels: Label[] = only && existsSync(index) ? (JSON.parse(readFileSync(index, 'utf8')) as Label[]).filter((l) => l.file !== only) : [];
  if (only === BOTH_SIDES) return writeBothSidesPage(dir);
  if (only && !FIXTURES.some((f) => f.file === only)) throw new Error(`--only: no fixture ${only}`);
  for (const [k, { file, plan }] of FIXTURES.entries()) {
    if (only && file !== only) continue;
    const rng = mulberry32(cardSeed(seed, 100_000 + k));
    const { jpeg, label } = await makeCard(rng, { ...plan, widthFrac: [0.72, 0.8] }, { blur: 0, glare: false, quality: 75 }, 800);
    if (jpeg.length >= 90 * 1024) throw new Error(`${file}: ${jpeg.length} bytes, over 90 KB`);
    writeFileSync(join(dir, file), jpeg);
    labels.push({ file, ...label });
    console.log(`fixtures/cards/${file}: ${jpeg.length} bytes`);
  }
  labels.sort((a, b) => FIXTURES.findIndex((f) => f.file === a.file) - FIXTURES.findIndex((f) => f.file === b.file));
  writeFileSync(index, JSON.stringify(labels, null, 2) + '\n');
  console.log('fixtures/cards/synthetic.json');
  if (!only) await writeBothSidesPage(dir);
}

/** The both-sides page and its label (fields), beside the cards. */
async function writeBothSidesPage(dir: string): Promise<void> {
  // The page's PRNG is the one its test drew it from before it was a fixture.
  const page = await bothSidesPage(mulberry32(2026));
  if (page.jpeg.length >= 90 * 1024) throw new Error(`${BOTH_SIDES}: ${page.jpeg.length} bytes, over 90 KB`);
  writeFileSync(join(dir, BOTH_SIDES), page.jpeg);
  writeFileSync(join(dir, BOTH_SIDES.replace(/\.jpg$/, '.json')), JSON.stringify({ file: BOTH_SIDES, fields: page.fields }, null, 2) + '\n');
  console.log(`fixtures/cards/${BOTH_SIDES}: ${page.jpeg.length} bytes, and its label`);
}

function parseCli() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '240' },
      seed: { type: 'string', default: '1' },
      fixtures: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, not ${values.count}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, not ${values.seed}`);
  const out = values.out === undefined ? join(ROOT, 'eval', 'out', 'synthetic-cards') : isAbsolute(values.out) ? values.out : resolve(values.out);
  return { out, count, seed, fixtures: values.fixtures ?? false, only: values.only };
}

// Run as a script; imported (eval/card-corpus.ts), it only lends its drawing.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cli = parseCli();
  if (!FACES.every((f) => existsSync(f))) throw new Error('fixtures/faces/person-{a,b,c}.jpg are missing');
  if (cli.fixtures) await writeFixtures(cli.seed, cli.only);
  else await writeSet(cli.out, cli.count, cli.seed);
}
