/**
 * Regular expressions written by users (configuration rules, rule-pack scopes) run in RE2JS, a linear-time engine
 * with RE2 semantics: no pattern can backtrack, whatever the input. What RE2 cannot express (backreferences,
 * lookaround) is refused when the file is loaded. Patterns of the built-in knowledge are reviewed with the
 * repository, checked RE2-compatible when the knowledge is built (so both engines read them alike; write \s and
 * similar classes out, e.g. [ \t\n\f\r], where the engines differ) and run in JavaScript's engine.
 *
 * RE2JS is loaded, and each pattern compiled, only when a pattern first tests a value.
 */
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

export const MAX_REGEX_LENGTH = 300;
/**
 * The largest compiled program (RE2 instructions) a user's pattern may have. RE2's time is linear in the input
 * but also proportional to the program's size, which counted repetition multiplies (`[a-z]{1000}` is 1,000
 * instructions): eight of them took half a minute on a 100,000-character value. Any pattern of 300 characters
 * without counted repetition stays under this; `[a-z]{100}` is about 100 instructions.
 */
export const MAX_USER_PROGRAM = 500;

/** What a compiled pattern offers: an unanchored search, like `RegExp.prototype.test`. */
export interface LinearRegex {
  test(text: string): boolean;
}

let engine: typeof RE2JSClass | undefined;

function re2(): typeof RE2JSClass {
  // A lazy load of an immutable library: the same module object for every caller.
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  return engine;
}

/** Limits of {@link linearRegexProblem}; the default is the built-in knowledge's (length only). */
export interface RegexLimits {
  /** Longest source, in characters (default MAX_REGEX_LENGTH). */
  maxLength?: number;
  /** Largest compiled program, in RE2 instructions (default none). */
  maxProgram?: number;
  /** What the pattern is called in messages (default "regular expression"). */
  noun?: string;
}

/**
 * Why `source` is refused (too long, not an RE2 pattern, or compiled to a program larger than `maxProgram`), or
 * undefined when it compiles.
 */
export function linearRegexProblem(source: string, limits: RegexLimits = {}): string | undefined {
  const maxLength = limits.maxLength ?? MAX_REGEX_LENGTH;
  const noun = limits.noun ?? 'regular expression';
  if (source.length > maxLength) return `${noun} longer than ${maxLength} characters`;
  try {
    const size = re2().compile(source).programSize();
    if (limits.maxProgram !== undefined && size > limits.maxProgram) {
      return `${noun} too large: it compiles to ${size} instructions (at most ${limits.maxProgram}, so that its time stays a small multiple of the input's length); lower counted repetitions such as {1000}`;
    }
    return undefined;
  } catch (e) {
    const err = e as { error?: unknown; input?: unknown; message?: string };
    if (typeof err.error !== 'string') return `invalid ${noun}: ${err.message ?? String(e)}`;
    const at = typeof err.input === 'string' && err.input !== '' ? source.indexOf(err.input) : -1;
    const where = at >= 0 ? ` at character ${at + 1} ("${err.input}")` : '';
    return `${noun} not supported by the linear-time (RE2) engine: ${err.error}${where}`;
  }
}

/**
 * Why a pattern written by a user (a configuration's rules, a rule pack's scope) is refused: as
 * {@link linearRegexProblem}, and also when its program is larger than MAX_USER_PROGRAM. The built-in
 * knowledge's patterns run in JavaScript's engine and are not held to this size.
 */
export const userRegexProblem = (source: string): string | undefined => linearRegexProblem(source, { maxProgram: MAX_USER_PROGRAM });

/**
 * A pattern checked by {@link linearRegexProblem}, compiled on its first test: a run whose requests never reach a
 * pattern's field never loads RE2JS nor compiles the pattern (most of `check <file>`'s start-up otherwise). A
 * pattern that was not checked throws on its first test.
 */
export function compileLinearRegex(source: string, ignoreCase = false): LinearRegex {
  let pattern: ReturnType<typeof RE2JSClass.compile> | undefined;
  const compiled = (): ReturnType<typeof RE2JSClass.compile> => {
    const R = re2();
    return R.compile(source, ignoreCase ? R.CASE_INSENSITIVE : 0);
  };
  return { test: (text) => (pattern ??= compiled()).matcher(text).find() };
}
