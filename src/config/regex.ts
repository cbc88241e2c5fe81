/**
 * Regular expressions written by users (in overlays and rule packs) are data: they are only ever given to
 * `new RegExp` and matched against strings, never run as code. To keep a crafted pattern from stalling a run by
 * catastrophic backtracking, only a safe subset is accepted: no repetition of a group that itself repeats or has
 * alternatives (`(a+)+`, `(a|aa)*`), no backreferences, and a bounded length.
 */

export const MAX_REGEX_LENGTH = 300;

interface Frame {
  /** The group contains a repeating quantifier (*, +, {n,}, {n,m} with m > 1). */
  repeats: boolean;
  /** The group has alternatives at its own level. */
  alternates: boolean;
}

/** Returns why a pattern is rejected, or undefined when it is a valid pattern of the safe subset. */
export function unsafeRegexReason(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `regular expression longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(source);
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  // What the last atom was: a closed group (with its frame) or a plain token.
  let last: { group?: Frame } | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) return 'backreferences are not allowed';
      i++;
      last = {};
      continue;
    }
    if (ch === '[') {
      // Skip the character class (escapes included).
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') {
        if (source[i] === '\\') i++;
        i++;
      }
      last = {};
      continue;
    }
    if (ch === '(') {
      stack.push({ repeats: false, alternates: false });
      if (source[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        i++;
        if (source[i + 1] === '<' && source[i + 2] !== '=' && source[i + 2] !== '!') {
          const close = source.indexOf('>', i);
          i = close < 0 ? i : close;
        } else i++;
      }
      last = undefined;
      continue;
    }
    if (ch === ')') {
      const frame = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      if (frame.repeats) parent.repeats = true;
      last = { group: frame };
      continue;
    }
    if (ch === '|') {
      stack[stack.length - 1]!.alternates = true;
      last = undefined;
      continue;
    }
    const quant = quantifierAt(source, i);
    if (quant !== undefined) {
      if (quant.repeating) {
        const g = last?.group;
        if (g?.repeats) return 'nested repetition such as (a+)+ can backtrack catastrophically; repeat the inner part only';
        if (g?.alternates) return 'a repeated group with alternatives such as (a|b)* can backtrack catastrophically; use a character class or list the alternatives without repeating them';
        stack[stack.length - 1]!.repeats = true;
      }
      i = quant.end;
      if (source[i + 1] === '?') i++; // lazy
      last = undefined;
      continue;
    }
    last = {};
  }
  return undefined;
}

function quantifierAt(s: string, i: number): { repeating: boolean; end: number } | undefined {
  const ch = s[i];
  if (ch === '*' || ch === '+') return { repeating: true, end: i };
  if (ch === '?') return { repeating: false, end: i };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i));
    if (!m) return undefined;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { repeating: max > 1, end: i + m[0].length - 1 };
  }
  return undefined;
}
