/**
 * Globs of the configuration (ignores, rules' files, lint's endpoint mappings), matched against a path relative
 * to the configuration's folder, with / as separator. `**` alone matches every file, also one outside that
 * folder or read from stdin.
 *
 * The dialect is picomatch's (with dot: true), but the regular expression picomatch makes of a glob runs in the
 * linear-time engine of user patterns (src/linear-regex.ts), never in JavaScript's: picomatch's own expression
 * backtracks, and a glob such as `*a*a*a…b` took minutes on a 40-character file name. Picomatch's expressions use
 * lookarounds RE2 lacks; those of one kind are dropped, because the paths matched here never need them:
 *
 * - `(?!\.{1,2}(?:\/|$))` and its variants keep `*` and `**` from matching a `.` or `..` segment: the paths are
 *   normalized (pathForGlobs), so they have none;
 * - `(?=.)` keeps a `*` from matching an empty segment: normalized paths have none, and are never empty. (Two
 *   corner cases differ from picomatch: a path ending in "." after a glob's `.*`, such as `foo.` for `*.*`, and
 *   a segment starting with a line break, now match.)
 *
 * A glob whose expression keeps another lookaround (a negated extglob such as `!(x)`), or is too long or too large,
 * is refused when the configuration is loaded (globProblem), at its file:line:column.
 */
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PreflightInputError } from '../errors.js';
import { compileLinearRegex, linearRegexProblem, type LinearRegex } from '../linear-regex.js';

/** The longest glob, in characters. */
export const MAX_GLOB_LENGTH = 1024;
/** The largest compiled program of a glob, in RE2 instructions: a few milliseconds on a path of 4,096 characters. */
export const MAX_GLOB_PROGRAM = 2000;

// picomatch is loaded on first use: commands without a configuration never pay for it at start-up.
const load = createRequire(import.meta.url);
type MakeRe = (glob: string, options: { dot: boolean }) => RegExp;
let makeReFn: MakeRe | undefined;
const makeRe: MakeRe = (glob, options) => (makeReFn ??= (load('picomatch') as { makeRe: MakeRe }).makeRe)(glob, options);

/** The lookarounds of picomatch (constants.js, POSIX) that paths normalized by pathForGlobs never need. */
const DOT_SEGMENTS = ['(?!(?:^|\\/)\\.{1,2}(?:\\/|$))', '(?!\\.{1,2}(?:\\/|$))', '(?!\\.{0,1}(?:\\/|$))'];
const NOT_EMPTY = '(?=.)';
/** picomatch's form of a glob negated with a leading `!`: `^(?!^(?:…)$).*$`. */
const NEGATED = /^\^\(\?!\^\(\?:([\s\S]*)\)\$\)\.\*\$$/;

interface Translated {
  /** Anchored source for RE2. */
  source: string;
  /** A glob starting with `!`: it matches the paths the source does not match. */
  negated: boolean;
}

function translate(glob: string): Translated {
  let source = makeRe(glob, { dot: true }).source;
  const neg = NEGATED.exec(source);
  if (neg) source = `^(?:${neg[1]})$`;
  for (const n of DOT_SEGMENTS) source = source.split(n).join('');
  // `(?:…|$)(?=.)`: a globstar's branch for the end of the path, which the `(?=.)` after it always refuses.
  source = source.split(`|$)${NOT_EMPTY}`).join(')').split(NOT_EMPTY).join('');
  return { source, negated: neg !== null };
}

/** Why a configuration's glob is refused (too long, too large, or not expressible in RE2), or undefined. */
export function globProblem(glob: string): string | undefined {
  if (glob === '**' || glob === '**/*') return undefined;
  if (glob.length > MAX_GLOB_LENGTH) return `glob longer than ${MAX_GLOB_LENGTH} characters`;
  let t: Translated;
  try {
    t = translate(glob);
  } catch (e) {
    return `invalid glob: ${(e as Error).message}`;
  }
  // A lookaround left: a feature (a negated extglob !(…)) that matching in linear time cannot follow.
  if (/\(\?<?[=!]/.test(t.source)) return 'glob not supported: it needs a lookaround (a negated extglob such as !(…)), which linear-time glob matching cannot run';
  return linearRegexProblem(t.source, { maxLength: Infinity, maxProgram: MAX_GLOB_PROGRAM, noun: 'glob' });
}

interface GlobMatcher {
  test(path: string): boolean;
}

function compileGlob(glob: string): GlobMatcher {
  const why = globProblem(glob);
  // A configuration built by hand, not loaded by loadConfig: refused on first use rather than run unchecked.
  if (why !== undefined) throw new PreflightInputError('E_KNOWLEDGE', `glob "${glob.length > 80 ? `${glob.slice(0, 80)}…` : glob}": ${why}`);
  const { source, negated } = translate(glob);
  const re: LinearRegex = compileLinearRegex(source);
  // As picomatch: a path equal to the glob matches; a negated glob's `.*` does not cross a line break.
  if (negated) return { test: (path) => path === glob || (!re.test(path) && !/[\n\r\u2028\u2029]/.test(path)) };
  return { test: (path) => path === glob || re.test(path) };
}

const cache = new Map<string, GlobMatcher>();

/** Whether `glob` matches `path` (already relative to the root, / separated, normalized: see pathForGlobs). */
export function globMatches(glob: string, path: string): boolean {
  if (glob === '**' || glob === '**/*') return true;
  let m = cache.get(glob);
  if (m === undefined) {
    m = compileGlob(glob);
    if (cache.size > 1024) cache.clear();
    cache.set(glob, m);
  }
  return m.test(path);
}

/**
 * The path globs are matched against: relative to `root`, / separated, without `.` or `..` segments (a path
 * outside root stays absolute, normalized).
 */
export function pathForGlobs(file: string, root: string, cwd: string): string {
  if (file === '-' || file === '<stdin>') return '<stdin>';
  const abs = resolve(cwd, file);
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return abs.split(sep).join('/');
  return rel.split(sep).join('/');
}
