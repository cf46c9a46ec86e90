/**
 * EventBridge event patterns, as the user guide documents them (docs/aws-facts/eventbridge.md#rules):
 * "Amazon EventBridge event patterns", "Arrays in Amazon EventBridge event patterns" and "Content
 * filtering in Amazon EventBridge event patterns". Only the operators below are modelled; any other is
 * refused when the rule is given, so that no pattern matches by guesswork.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Leaf = string | number | boolean | null;

const unsupported = (what: string): Error =>
  new Error(`The simulated EventBridge does not model ${what} in event patterns`);

/** "Numeric matching": values between -1.0e9 and +1.0e9 inclusive. */
const NUMERIC_LIMIT = 1e9;
const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

/** Throws on what the simulation does not model, or on what EventBridge refuses, before any event is matched. */
export function validatePattern(pattern: unknown, path = ''): void {
  if (!isObject(pattern)) throw new Error(`Event pattern${path && ` at ${path}`} must be a JSON object`);
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key.startsWith('$')) throw unsupported(`"${key}" (at ${at})`);
    if (Array.isArray(value)) {
      // "the value to match is in a JSON array": an empty one could match nothing.
      if (value.length === 0) throw new Error(`Event pattern at ${at}: an empty array matches nothing`);
      for (const matcher of value) validateMatcher(matcher, at);
    } else if (isObject(value)) {
      validatePattern(value, at);
    } else {
      throw new Error(`Event pattern at ${at}: a value to match must be in an array`);
    }
  }
}

function validateMatcher(matcher: unknown, at: string): void {
  if (!isObject(matcher)) return; // an exact value: string, number, boolean or null
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw unsupported(`a matcher with keys ${keys.join(', ')} (at ${at})`);
  const [operator] = keys;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string') throw unsupported(`prefix of a non-string (at ${at})`);
      return;
    case 'wildcard':
      wildcardExpression(operand, at);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') throw new Error(`Event pattern at ${at}: exists takes true or false`);
      return;
    case 'anything-but':
      validateAnythingBut(operand, at);
      return;
    case 'numeric':
      numericConditions(operand, at);
      return;
    default:
      throw unsupported(`"${operator}" (at ${at})`);
  }
}

/**
 * "Anything-but matching": a string, a number, a list of only strings or only numbers, a prefix, or a
 * wildcard ("Anything-but using a wildcard", event buses only: Comparison operators for use in event
 * patterns).
 */
function validateAnythingBut(operand: unknown, at: string): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    const kinds = new Set(operand.map((item) => typeof item));
    if (operand.length > 0 && kinds.size === 1 && (kinds.has('string') || kinds.has('number'))) return;
    throw new Error(`Event pattern at ${at}: anything-but takes a list of only strings or only numbers`);
  }
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand.prefix === 'string') return;
  if (isObject(operand) && Object.keys(operand).length === 1 && 'wildcard' in operand) {
    wildcardExpression(operand.wildcard, at);
    return;
  }
  throw unsupported(`anything-but ${JSON.stringify(operand)} (at ${at})`);
}

/**
 * "Wildcard matching": a star stands for any run of characters, and a backslash escapes a star or a
 * backslash. What the guide does not spell out (two stars in a row, another escape) is refused, not guessed.
 */
function wildcardExpression(operand: unknown, at: string): RegExp {
  if (typeof operand !== 'string') throw unsupported(`wildcard of a non-string (at ${at})`);
  let source = '';
  for (let i = 0; i < operand.length; i++) {
    const char = operand[i];
    if (char === '\\') {
      const next = operand[++i];
      if (next !== '*' && next !== '\\')
        throw unsupported(`the escape "\\${next ?? ''}" in a wildcard (at ${at})`);
      source += `\\${next}`;
    } else if (char === '*') {
      if (operand[i + 1] === '*') throw unsupported(`consecutive wildcard characters (at ${at})`);
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function numericConditions(operand: unknown, at: string): [string, number][] {
  const items = Array.isArray(operand) ? operand : [];
  const conditions: [string, number][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const [operator, bound] = [items[i], items[i + 1]];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator) || typeof bound !== 'number') break;
    if (Math.abs(bound) > NUMERIC_LIMIT)
      throw new Error(`Event pattern at ${at}: numeric bounds lie between -1e9 and 1e9`);
    conditions.push([operator, bound]);
  }
  if (conditions.length === 0 || conditions.length * 2 !== items.length || conditions.length > 2) {
    throw new Error(`Event pattern at ${at}: numeric takes one or two [operator, number] pairs`);
  }
  return conditions;
}

/**
 * Whether a validated pattern matches the event. "For an event pattern to match an event, the event must
 * contain all the field names listed in the event pattern ... with the same nesting structure"; fields the
 * pattern does not name are ignored.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key] as Json | undefined;
    if (Array.isArray(expected)) return matchesLeaf(expected, actual);
    if (!isObject(actual)) return nestedAbsent(expected as Record<string, unknown>);
    return matchesPattern(expected as Record<string, unknown>, actual);
  });
}

/** A nested pattern over a missing object matches only if every leaf it names may be absent. */
function nestedAbsent(pattern: Record<string, unknown>): boolean {
  return Object.values(pattern).every((expected) =>
    Array.isArray(expected)
      ? matchesLeaf(expected, undefined)
      : nestedAbsent(expected as Record<string, unknown>),
  );
}

function matchesLeaf(matchers: readonly unknown[], actual: Json | undefined): boolean {
  // "Exists matching only works on leaf nodes": a field that holds an object does not exist as a leaf.
  const present = actual !== undefined && !isObject(actual);
  if (!present) return matchers.some((matcher) => isObject(matcher) && matcher.exists === false);
  // "If the value in the event is an array, then the event pattern matches if the intersection of the
  // event pattern array and the event array is non-empty."
  const values: Json[] = Array.isArray(actual) ? actual : [actual];
  return matchers.some((matcher) =>
    isObject(matcher) && 'exists' in matcher
      ? matcher.exists === true
      : values.some((value) => matchesValue(matcher, value)),
  );
}

function matchesValue(matcher: unknown, value: Json): boolean {
  if (!isObject(matcher)) return isLeaf(value) && sameValue(matcher as Leaf, value);
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(String(matcher.prefix));
  if ('wildcard' in matcher)
    return typeof value === 'string' && wildcardExpression(matcher.wildcard, '').test(value);
  if ('numeric' in matcher) {
    // "Numeric matching works with values that are JSON numbers."
    if (typeof value !== 'number') return false;
    return numericConditions(matcher.numeric, '').every(([operator, bound]) =>
      compare(value, operator, bound),
    );
  }
  const operand = matcher['anything-but'];
  if (isObject(operand) && 'wildcard' in operand) {
    return typeof value === 'string' && !wildcardExpression(operand.wildcard, '').test(value);
  }
  if (isObject(operand)) return typeof value === 'string' && !value.startsWith(String(operand.prefix));
  const excluded = (Array.isArray(operand) ? operand : [operand]) as Leaf[];
  return isLeaf(value) && !excluded.some((item) => sameValue(item, value));
}

/**
 * "For strings, EventBridge uses exact character-by-character matching without case-folding"; a string
 * never equals a number. EventBridge compares numbers by their text ("300, 300.0, and 3.0e2 are not
 * considered equal"); parsed JSON keeps no text, so here equal numbers match (see the facts page).
 */
function sameValue(expected: Leaf, actual: Leaf): boolean {
  return expected === actual;
}

function compare(value: number, operator: string, bound: number): boolean {
  switch (operator) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '=':
      return value === bound;
    case '>':
      return value > bound;
    default:
      return value >= bound;
  }
}

function isLeaf(value: Json): value is Leaf {
  return value === null || typeof value !== 'object';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
