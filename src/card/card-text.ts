/**
 * What the card can say, for telling its text from what was read over it: the 56 ethnic groups of
 * GB 3304-1991 (the card prints the name without 族), and the anti-copy stamps applicants print over
 * their copies (复印无效, 禁止复印, 仅供…使用), which end up inside fields. Pure: strings in, strings out.
 */

/** The 56 names of GB 3304-1991, in its order, as the card prints them. */
export const ETHNIC_GROUPS = [
  ...['汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜', '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎'],
  ...['傈僳', '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土', '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南'],
  ...['仡佬', '锡伯', '阿昌', '普米', '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔', '独龙'],
  ...['鄂伦春', '赫哲', '门巴', '珞巴', '基诺'],
] as const;

export type EthnicGroup = (typeof ETHNIC_GROUPS)[number];

const GROUPS = new Set<string>(ETHNIC_GROUPS);

/**
 * The ethnic group a read value names, or null: the value itself; else the one group the value starts
 * with (鄂伦春复禁: a stamp read after it); else the one group it begins (蒙 for 蒙古: the line cut short);
 * else the one group of its length one character away (达翰尔 for 达斡尔). Never a guess between two.
 */
export function ethnicGroup(read: string): { value: EthnicGroup; exact: boolean } | null {
  const value = read.replace(/[^\u4e00-\u9fff]/g, '').replace(/族$/, '');
  if (GROUPS.has(value)) return { value: value as EthnicGroup, exact: value === read };
  if (value.length === 0) return null;
  const only = (found: EthnicGroup[]) => (found.length === 1 ? { value: found[0]!, exact: false } : null);
  // Longest first: 土家 before 土 in 土家复.
  const starts = ETHNIC_GROUPS.filter((g) => value.startsWith(g)).sort((a, b) => b.length - a.length);
  if (starts.length > 0 && (starts.length === 1 || starts[0]!.length > starts[1]!.length)) return { value: starts[0]!, exact: false };
  const begun = only(ETHNIC_GROUPS.filter((g) => g.length > value.length && g.startsWith(value)));
  if (begun) return begun;
  // One character away, for names of two or more (a single character one off is any other single one).
  const near = ETHNIC_GROUPS.filter((g) => g.length >= 2 && g.length <= value.length && [...g].filter((c, i) => value[i] !== c).length === 1);
  return only(near);
}

/** Phrases of the anti-copy stamps (本复印件仅供报名使用, 再次复印无效), removed from fields wherever they are read whole. */
const STAMP_PHRASES = [/本?复印件?仅供.{0,10}?使用/g, /仅供.{0,10}?使用/g, /再次复印无效/g, /复印件?无效/g, /禁止复印/g, /他用无效/g, /与原件一致/g];

/**
 * Characters of those stamps. A stamp crossing a line at a slant leaves two or three of them beside a
 * field's text (金玉涛复禁, 基诺印止): a run of two or more at a field's end is the stamp's.
 */
const STAMP_CHARS = '复印无效禁止仅供使用他件再次';
const STAMP_RUN_AT_END = new RegExp(`[${STAMP_CHARS}]{2,}$`);
const STAMP_RUN_AT_START = new RegExp(`^[${STAMP_CHARS}]{2,}`);

/** A field's value without the anti-copy stamp read into it, and whether anything was removed. */
export function withoutStamps(value: string): { value: string; removed: boolean } {
  let out = value;
  for (const phrase of STAMP_PHRASES) out = out.replace(phrase, '');
  out = out.replace(STAMP_RUN_AT_END, '').replace(STAMP_RUN_AT_START, '');
  return { value: out, removed: out !== value };
}

/** The stamp's vocabulary, for telling a line that is only a stamp from the card's own. */
export function isStampText(text: string): boolean {
  const t = text.replace(/[\s\u3000]/g, '');
  if (t.length < 2) return false;
  return withoutStamps(t).value.length === 0 || [...t].filter((c) => STAMP_CHARS.includes(c)).length / t.length >= 0.75;
}
