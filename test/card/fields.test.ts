import { describe, expect, it } from 'vitest';
import { type CardLine, cardFields, labelPlaces, withLabels } from '../../src/card/fields.js';

const now = new Date('2026-12-01T12:00:00Z');
const line = (text: string, x: number, y: number, width = 100, confidence = 0.99): CardLine => ({ text, confidence, box: { x, y, width, height: 30 } });

// The lines models/ocr.ts reads off the mock card of ../shared/data (asia/id-number-detect), as it boxes them.
const MOCK_CARD: CardLine[] = [
  line('姓名', 220, 261, 90, 0.83),
  line('刘小合', 308, 260, 89),
  line('性别女', 222, 320, 123),
  line('民族汉', 384, 320, 104),
  line('出生1995年6月6日', 223, 377, 333),
  line('住址上海市静安区万荣路1268号', 224, 440, 387),
  line('公民身份号码', 225, 590, 171),
  line('440305199506062561', 429, 590, 382),
];

describe('cardFields: the fields of an ID card from its text lines, by layout', () => {
  it("reads every field of the mock card, and checks its number (wrong check digit; birth date and sex agree)", () => {
    const f = cardFields(MOCK_CARD, { now });
    expect(f.side).toBe('portrait');
    expect(f.name?.value).toBe('刘小合');
    expect(f.sex?.value).toBe('女');
    expect(f.ethnicity?.value).toBe('汉');
    expect(f.birthDate?.value).toBe('1995-06-06');
    expect(f.address?.value).toBe('上海市静安区万荣路1268号');
    expect(f.idNumber?.value).toBe('440305199506062561');
    expect(f.idNumberCheck).toMatchObject({ checksumValid: false, expectedCheckDigit: '9', consistent: true });
  });

  it('labels read merged with their values, or as boxes of their own; an address on two lines', () => {
    const f = cardFields([
      line('姓名张伟', 20, 20, 160),
      line('性别男民族汉', 20, 70, 200),
      line('出生1990年3月7日', 20, 120, 260),
      line('住址', 20, 170, 60),
      line('湖北省武汉市洪山区珞喻路', 90, 170, 300),
      line('1037号', 90, 210, 100),
      line('公民身份号码', 20, 300, 170),
      line('42011119900307123X', 220, 300, 300),
    ], { now });
    expect(f).toMatchObject({ name: { value: '张伟' }, sex: { value: '男' }, ethnicity: { value: '汉' }, birthDate: { value: '1990-03-07' }, address: { value: '湖北省武汉市洪山区珞喻路1037号' } });
    expect(f.idNumber?.value).toBe('42011119900307123X');
    // The 17th digit 3 is odd: a man, as printed; the date agrees.
    expect(f.idNumberCheck?.consistent).toBe(true);
  });

  it("an address's second line that shares a row with a tall 住址 box is taken once, not again below it", () => {
    // The boxes a stamped card read (dev seed 19's stamp/025): the label's box 79 px high, grown by a stamp's
    // stroke, sharing a row with both of the address's lines; the second was once read into the value twice.
    const box = (text: string, x: number, y: number, width: number, height: number): CardLine => ({ text, confidence: 0.98, box: { x, y, width, height } });
    const f = cardFields([
      box('姓名', 0, 40, 60, 30),
      box('沈健翔', 70, 40, 110, 30),
      box('性别女', 0, 95, 90, 30),
      box('民族汉', 150, 95, 90, 30),
      box('出生1978年2月12日', 0, 150, 260, 30),
      box('住址', 0, 231, 243, 79),
      box('贵州省贵阳市南明区长江', 60, 214, 330, 56),
      box('路111号附43号', 256, 270, 200, 59),
      box('公民身份号码', 0, 420, 170, 30),
      box('520102197802122782', 200, 420, 300, 30),
    ], { now });
    expect(f.address?.value).toBe('贵州省贵阳市南明区长江路111号附43号');
  });

  it("an address's next line is below its row where it starts, on a row that rises (the card turned more than its lines were levelled)", () => {
    // The boxes a stamped card read turned 4° short of level: the address's second line starts above the label's
    // middle, but a row below the address's own row.
    const box = (text: string, x: number, y: number, width: number, height: number): CardLine => ({ text, confidence: 0.99, box: { x, y, width, height } });
    const f = cardFields([
      box('姓名刘天欣', 87, 140, 138, 42),
      box('性别男', 90, 182, 93, 36),
      box('民族汉', 221, 176, 91, 33),
      box('出生', 95, 228, 51, 25),
      box('1971年11月23日', 149, 210, 200, 43),
      box('住址', 97, 266, 48, 24),
      box('浙江省宁波市海曙区幸福', 151, 242, 245, 51),
      box('路927号8栋1单元4', 154, 273, 187, 45),
      box('层5号', 160, 310, 58, 29),
      box('公民身份号码', 100, 402, 123, 34),
      box('330203197111232591', 252, 374, 307, 57),
    ], { now });
    expect(f.address?.value).toBe('浙江省宁波市海曙区幸福路927号8栋1单元4层5号');
  });

  it('a label misread by a character, split into boxes, or a value split at a faint glyph still reads', () => {
    const lines: CardLine[] = [
      line('好名', 50, 50, 60),
      line('刘小合', 120, 50),
      line('性别女', 50, 100),
      line('民族汉', 240, 100),
      line('出', 50, 150, 25),
      line('生', 80, 150, 25),
      line('1962年5月', 120, 150, 120),
      { text: '月4日', confidence: 0.9, box: { x: 240, y: 150, width: 60, height: 30 }, chars: [{ char: '月', p: 0.6 }, { char: '4', p: 1 }, { char: '日', p: 1 }] },
      line('住址', 50, 200, 60),
      line('上海市静安区万荣路1268号', 120, 200, 300),
      line('公民身份号码', 50, 300, 150),
      line('440305199506062561', 220, 300, 300),
    ];
    expect(cardFields(lines, { now: new Date('2026-12-01') })).toMatchObject({ name: { value: '刘小合' }, birthDate: { value: '1962-05-04' }, address: { value: '上海市静安区万荣路1268号' } });
  });

  it("a name's first character read unsurely is kept after a label read alone (覃 of 覃刚翀): a label alone splits no glyph of its value", () => {
    const lines: CardLine[] = [
      line('姓名', 50, 50, 60),
      { text: '覃刚羽', confidence: 0.8, box: { x: 112, y: 50, width: 90, height: 30 }, chars: [{ char: '覃', p: 0.55 }, { char: '刚', p: 0.99 }, { char: '羽', p: 0.86 }] },
      line('性别女', 50, 100),
      line('公民身份号码', 50, 300, 150),
      line('440305199506062561', 220, 300, 300),
    ];
    expect(cardFields(lines, { now }).name?.value).toBe('覃刚羽');
  });

  it('a printed birth date that disagrees with the number is inconsistent', () => {
    const lines = MOCK_CARD.map((l) => (l.text.startsWith('出生') ? { ...l, text: '出生1995年7月6日' } : l));
    expect(cardFields(lines, { now }).idNumberCheck?.consistent).toBe(false);
  });

  it('the emblem side: authority and validity, no portrait fields', () => {
    const f = cardFields([
      line('中华人民共和国', 300, 60, 300),
      line('居民身份证', 300, 120, 300),
      line('签发机关武汉市公安局洪山分局', 100, 420, 420),
      line('有效期限2016.05.12-2036.05.12', 100, 480, 420),
    ]);
    expect(f).toMatchObject({ side: 'emblem', authority: { value: '武汉市公安局洪山分局' }, validFrom: { value: '2016-05-12' }, validTo: { value: '2036-05-12' } });
    expect(f.name).toBeUndefined();
    expect(cardFields([line('有效期限2016.05.12-长期', 100, 480, 420)]).validTo?.value).toBe('长期');
  });

  it('no text, or text that is not a card: side unknown, no fields', () => {
    const none = { side: 'unknown', layout: { found: [], missing: ['姓名', '性别', '民族', '出生', '住址', '公民身份号码'], outOfPlace: [] } };
    expect(cardFields([])).toEqual(none);
    expect(cardFields([line('欢迎光临', 10, 10)])).toEqual(none);
  });

  it('keeps the layout: the mock card has every label in place; paper with a name and a number has four missing', () => {
    const { rows, ...layout } = cardFields(MOCK_CARD, { now }).layout;
    expect(layout).toEqual({ found: ['姓名', '性别', '民族', '出生', '住址', '公民身份号码'], missing: [], outOfPlace: [] });
    // The rows found, one pitch apart, where 姓名's is.
    const name = MOCK_CARD.find((l) => l.text.startsWith('姓名'))!.box;
    expect(rows!.origin).toBeCloseTo(name.y + name.height / 2, -1);
    expect(rows!.pitch).toBeGreaterThan(name.height);
    const paper = cardFields([line('姓名张三', 20, 20, 160), line('公民身份号码420102199003071234', 20, 120, 400)], { now });
    expect(paper.side).toBe('portrait');
    expect(paper.layout.missing).toEqual(['性别', '民族', '出生', '住址']);
    // The number's label above the name's: not a card's order.
    const upsideDown = cardFields([line('公民身份号码420102199003071234', 20, 20, 400), line('姓名张三', 20, 120, 160)], { now });
    expect(upsideDown.layout.outOfPlace).toEqual(['公民身份号码']);
  });

  it('a run of 22 digits is no 18-character number: kept whole, and refused', () => {
    const f = cardFields([...MOCK_CARD.slice(0, 6), line('公民身份号码', 225, 590, 171), line('4403051995060625611234', 429, 590, 460)], { now });
    expect(f.idNumber?.value).toBe('4403051995060625611234');
    expect(f.idNumberCheck?.reasons.map((r) => r.id)).toContain('ID_NUMBER_FORMAT');
  });

  it('anti-copy stamps read into fields are left out; the ethnicity is one of GB 3304', () => {
    const f = cardFields([
      line('姓名', 20, 20, 60),
      line('金玉涛复禁', 90, 20, 160),
      line('性别男民族鄂伦春复禁', 20, 70, 300),
      line('出生1990年3月7日', 20, 120, 260),
      line('住址湖北省武汉市复印无效洪山区', 20, 170, 360),
      line('仅供报名使用', 300, 240, 200),
      line('公民身份号码420102199003071234', 20, 300, 400),
    ], { now });
    expect(f.name?.value).toBe('金玉涛');
    expect(f.ethnicity?.value).toBe('鄂伦春');
    expect(f.address?.value).toBe('湖北省武汉市洪山区');
    const ethnicity = (read: string) => cardFields([line('姓名张三', 20, 20, 160), line(`性别女民族${read}`, 20, 70, 200)]).ethnicity?.value;
    expect(ethnicity('达翰尔')).toBe('达斡尔');
    expect(ethnicity('蒙')).toBe('蒙古');
    expect(ethnicity('基诺印止')).toBe('基诺');
    expect(ethnicity('土家')).toBe('土家');
    expect(ethnicity('土')).toBe('土');
  });

  it('a page with both sides: the portrait side and the emblem side read apart and returned together', () => {
    const back = [
      line('中华人民共和国', 240, 760, 300),
      line('居民身份证', 240, 820, 300),
      line('签发机关上海市公安局静安分局', 90, 960, 420),
      line('有效期限2015.03.01-2035.03.01', 90, 1010, 420),
    ];
    const f = cardFields([...MOCK_CARD, ...back], { now });
    expect(f).toMatchObject({ side: 'portrait', bothSides: true, name: { value: '刘小合' }, idNumber: { value: '440305199506062561' } });
    expect(f.authority?.value).toBe('上海市公安局静安分局');
    expect(f.validTo?.value).toBe('2035-03-01');
    expect(f.layout.outOfPlace).toEqual([]);
    expect(cardFields(MOCK_CARD, { now }).bothSides).toBeUndefined();
  });
});

describe("labelPlaces and withLabels: a stamped card's values read from its dark print, its labels looked for where the values put them", () => {
  // The values of a card as its dark print reads them: the light labels (and 年, 月, 日) gone, a stamp's remains in the label column.
  const DARK: CardLine[] = [
    line('卢桂英', 193, 83, 103),
    line('馆', 103, 153, 24),
    line('女', 191, 144, 42),
    line('汉', 395, 142, 40),
    line('1970 :', 196, 204, 119),
    line('1：13', 325, 202, 158),
    line('广东省广州市荔湾区长江', 196, 261, 354),
    line('路170号1栋4单元1', 195, 303, 269),
    line('层1号', 193, 340, 89),
    line('44010319700113718X', 347, 485, 448),
  ];

  it('places each label left of its row by role: the name above the sex, the birth date four digits, the address below it, 民族 between sex and ethnicity, the number label in the column', () => {
    const places = new Map(labelPlaces(DARK).map((p) => [p.label, p.box]));
    expect([...places.keys()].sort()).toEqual(['住址', '公民身份号码', '出生', '姓名', '性别', '民族'].sort());
    // One column for the labels, ending before each value.
    const column = places.get('姓名')!.x;
    for (const label of ['性别', '出生', '住址', '公民身份号码'] as const) expect(places.get(label)!.x).toBe(column);
    expect(places.get('姓名')!.x + places.get('姓名')!.width).toBeLessThan(193);
    expect(places.get('民族')!.x).toBeGreaterThan(191 + 42);
    expect(places.get('民族')!.x + places.get('民族')!.width).toBeLessThan(395);
    expect(places.get('公民身份号码')!.x + places.get('公民身份号码')!.width).toBeLessThan(347);
  });

  it('with the labels put back the fields read, the remains in the label column left out, the birth date from its three runs of digits', () => {
    const places = labelPlaces(DARK).map((p) => ({ ...p, confidence: 0.9 }));
    const lines = withLabels(DARK, places);
    expect(lines.some((l) => l.text === '馆')).toBe(false);
    const f = cardFields(lines, { now });
    expect(f.side).toBe('portrait');
    expect(f.layout.missing).toEqual([]);
    expect(f).toMatchObject({ name: { value: '卢桂英' }, sex: { value: '女' }, ethnicity: { value: '汉' }, birthDate: { value: '1970-01-13' }, address: { value: '广东省广州市荔湾区长江路170号1栋4单元1层1号' }, idNumber: { value: '44010319700113718X' } });
    expect(f.idNumberCheck).toMatchObject({ valid: true, consistent: true });
  });

  it('without labels found the layout says so: values alone are no card', () => {
    const f = cardFields(withLabels(DARK, []), { now });
    expect(f.layout.found).toEqual([]);
    expect(f.name).toBeUndefined();
    expect(labelPlaces([line('公民身份号码', 20, 300, 170)])).toEqual([]);
  });
});
