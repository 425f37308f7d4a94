/**
 * Options checked the sharp way: an unknown key, a wrong type or a value out of range is an
 * INVALID_ARGUMENT naming the key, what was expected and what came ("Expected positive integer for
 * maxWidth but received -5 of type number"). A misspelt option silently ignored is a verdict computed
 * with a default the caller did not want.
 */
import { invalidArgument } from './errors.js';

export interface Rule {
  /** How the expectation is written in the message: "positive integer", "one of 'auto', 'ssd'". */
  expected: string;
  test(value: unknown): boolean;
}

const rule = (expected: string, test: (value: unknown) => boolean): Rule => ({ expected, test });
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const is = {
  integer: (min = -Infinity, max = Infinity): Rule =>
    rule(range('integer', min, max), (v) => isNumber(v) && Number.isInteger(v) && v >= min && v <= max),
  number: (min = -Infinity, max = Infinity): Rule => rule(range('number', min, max), (v) => isNumber(v) && v >= min && v <= max),
  positiveInteger: rule('positive integer', (v) => isNumber(v) && Number.isInteger(v) && v > 0),
  positiveNumber: rule('positive number', (v) => isNumber(v) && v > 0),
  boolean: rule('boolean', (v) => typeof v === 'boolean'),
  string: rule('string', (v) => typeof v === 'string'),
  function: rule('function', (v) => typeof v === 'function'),
  signal: rule('AbortSignal', (v) => v instanceof AbortSignal),
  object: rule('object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
  oneOf: <T>(values: readonly T[]): Rule => rule(`one of ${values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}`, (v) => values.includes(v as T)),
  matching: (pattern: RegExp, expected: string): Rule => rule(expected, (v) => typeof v === 'string' && pattern.test(v)),
  either: (...rules: Rule[]): Rule => rule(rules.map((r) => r.expected).join(' or '), (v) => rules.some((r) => r.test(v))),
  /** Anything; checked where it is used (an image input, a spec). */
  any: rule('any value', () => true),
};

function range(kind: string, min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return kind;
  if (max === Infinity) return `${kind} ≥ ${min}`;
  if (min === -Infinity) return `${kind} ≤ ${max}`;
  return `${kind} between ${min} and ${max}`;
}

export type Schema = Readonly<Record<string, Rule>>;

/**
 * `options` checked against `schema`: undefined and null mean no options; every key must be in the
 * schema, and every defined value pass its rule. `where` prefixes key names in messages ('video.').
 */
export function checkOptions<T extends object>(options: T | null | undefined, schema: Schema, where = ''): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidArgument(where ? where.replace(/\.$/, '') : 'options', 'object', options);
  for (const [key, value] of Object.entries(options)) {
    // Own keys only: `constructor`, `toString` or `__proto__` must not find Object.prototype's members.
    const r = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!r) throw unknownKey(`${where}${key}`, key, Object.keys(schema), value);
    if (value !== undefined && !r.test(value)) throw invalidArgument(`${where}${key}`, r.expected, value);
  }
  return options;
}

export function unknownKey(name: string, key: string, known: readonly string[], value: unknown) {
  const near = closest(key, known);
  const expected = `one of the known keys (${known.join(', ')})${near ? `; did you mean ${near}?` : ''}`;
  const error = invalidArgument(name, expected, value);
  Object.defineProperty(error, 'message', { value: `Unknown option ${name}: expected ${expected}` });
  return error;
}

/** The known key nearest `key` (case-insensitive edit distance ≤ 2, or one containing the other), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const n = name.toLowerCase();
    const d = n === k ? 0 : n.includes(k) || k.includes(n) ? 1 : editDistance(k, n);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The options with their defaults: `??`, never `||` (0 and false are values). */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as D & O;
}
