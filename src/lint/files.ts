/**
 * Which files `lint` reads: files as given, directories walked for request files (not in node_modules, not
 * dot-files or dot-folders), globs expanded (tinyglobby). Sorted by the path shown, deduplicated by the file they
 * name (symbolic links are followed; a file reached through a linked folder counts under each path).
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, normalize, posix, resolve, sep } from 'node:path';
import { globMatches, globProblem } from '../config/glob.js';
import { PreflightInputError } from '../errors.js';
import { STDIN_NAME } from '../input/read.js';

// Loaded on first use: requiring tinyglobby costs ~30 ms, which no other command should pay at start-up.
const load = createRequire(import.meta.url);
let tinyglobby: typeof import('tinyglobby') | undefined;
export const tinyglobbyLib = (): typeof import('tinyglobby') => (tinyglobby ??= load('tinyglobby') as typeof import('tinyglobby'));

/** Extensions a directory walk picks up. */
export const REQUEST_FILE_GLOB = '**/*.{json,yaml,yml,jsonl,ndjson}';
const IGNORE = ['**/node_modules/**'];

export interface LintTarget {
  /** The path shown in the output. */
  file: string;
  /** The path to read: absolute, or '-' for stdin. */
  path: string;
  /** Reached by walking a folder or expanding a glob, rather than named as it is. */
  found: boolean;
}

export interface ExpandedPaths {
  targets: LintTarget[];
  /** Arguments that named no file (an empty directory, a glob matching nothing). */
  problems: Array<{ file: string; error: PreflightInputError }>;
}

/** By the path shown, in UTF-16 code unit order (the same on every machine, unlike localeCompare). */
export const byFile = <T extends { file: string }>(a: T, b: T): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

const REQUEST_FILE_NAME = /\.(json|ya?ml|jsonl|ndjson)$/i;

/** What a non-regular entry is, for messages ("not a regular file (a named pipe, FIFO)"). */
function specialKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  const what = st.isFIFO() ? 'a named pipe, FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'of an unknown kind';
  return `not a regular file (${what})`;
}

/**
 * Why a symbolic link cannot be read (its target is missing, or it loops), or undefined when it can. A link to
 * something that is neither a file nor a folder is named too when `special` (the glob that lists files already
 * names it, and reading it reports it).
 */
function brokenLink(abs: string, special: boolean): string | undefined {
  try {
    const st = statSync(abs);
    return special && !st.isFile() && !st.isDirectory() ? specialKind(st) : undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'a dangling symbolic link (its target does not exist)' : `an unreadable symbolic link (${code ?? 'error'})`;
  }
}

/** Which entries a walk looks at (a directory walk of lint by default). */
export interface WalkOptions {
  /** Also dot-files and dot-folders. */
  dot: boolean;
  /** The file names the walk picks up. */
  name: RegExp;
  /** Globs of folders left out. */
  ignore: string[];
  /** Also links to a FIFO, socket or device (which the walk's glob leaves out). */
  specialLinks: boolean;
}

const LINT_WALK: WalkOptions = { dot: false, name: REQUEST_FILE_NAME, ignore: IGNORE, specialLinks: false };

/**
 * What a walk of `base` could not read, which the glob leaves out in silence: folders that cannot be listed,
 * links to request files that are dangling or loop, and entries with a request file's name that are not regular
 * files (named pipes, sockets, devices). `rel` is the path below `base`, / separated.
 */
export function unreadableEntries(base: string, walk: WalkOptions = LINT_WALK): Array<{ rel: string; why: string }> {
  const out: Array<{ rel: string; why: string }> = [];
  const dirs = ['', ...tinyglobbyLib().globSync('**/', { cwd: base, ignore: walk.ignore, dot: walk.dot, onlyDirectories: true, followSymbolicLinks: false })];
  for (const dir of dirs) {
    let entries;
    try {
      entries = readdirSync(join(base, dir), { withFileTypes: true });
    } catch (e) {
      out.push({ rel: dir.replace(/\/$/, '') || '.', why: `a folder that cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    for (const d of entries) {
      if ((!walk.dot && d.name.startsWith('.')) || !walk.name.test(d.name) || d.isFile() || d.isDirectory()) continue;
      const why = d.isSymbolicLink() ? brokenLink(join(base, dir, d.name), walk.specialLinks) : specialKind(d);
      if (why !== undefined) out.push({ rel: `${dir}${d.name}`, why });
    }
  }
  return out;
}

const unreadable = (why: string): PreflightInputError => new PreflightInputError('E_INPUT_READ', `cannot read: ${why}`);

export function expandPaths(paths: readonly string[], cwd: string): ExpandedPaths {
  const targets: LintTarget[] = [];
  const problems: ExpandedPaths['problems'] = [];
  const seen = new Set<string>();
  const add = (file: string, path: string, found = true): void => {
    if (seen.has(path)) return;
    seen.add(path);
    targets.push({ file, path, found });
  };
  for (const arg of paths) {
    if (arg === '-') {
      add(STDIN_NAME, '-', false);
      continue;
    }
    const abs = resolve(cwd, arg);
    let isDir = false;
    let exists = false;
    try {
      isDir = statSync(abs).isDirectory();
      exists = true;
    } catch {
      // not there: a glob, or a file whose read error is reported as the file's entry
    }
    if (isDir) {
      const found = tinyglobbyLib().globSync(REQUEST_FILE_GLOB, { cwd: abs, ignore: IGNORE, dot: false });
      const broken = unreadableEntries(abs);
      for (const b of broken) problems.push({ file: normalize(join(arg, b.rel)), error: unreadable(b.why) });
      if (found.length === 0 && broken.length === 0) {
        problems.push({ file: normalize(arg), error: new PreflightInputError('E_INPUT_READ', 'no request files (*.json, *.yaml, *.yml, *.jsonl, *.ndjson) in this directory') });
      }
      // tinyglobby's paths are normalized and relative: prefixing is join() without its cost per file.
      const shown = normalize(arg);
      const prefix = shown === '.' ? '' : shown.endsWith(sep) ? shown : shown + sep;
      const base = abs.endsWith(sep) ? abs : abs + sep;
      for (const rel of found) {
        const native = sep === '/' ? rel : rel.replace(/\//g, sep);
        add(prefix + native, base + native);
      }
    } else if (!exists && tinyglobbyLib().isDynamicPattern(arg)) {
      const absolute = isAbsolute(arg);
      const found = globFiles(arg, cwd);
      // Links the pattern names that cannot be read are findings too (never a silent "no files match").
      const broken = brokenMatches(arg, cwd);
      for (const b of broken) problems.push({ file: b.file, error: unreadable(b.why) });
      if (found.length === 0 && broken.length === 0) problems.push({ file: arg, error: new PreflightInputError('E_INPUT_READ', 'no files match this pattern') });
      for (const f of found) add(absolute ? f : normalize(f), resolve(cwd, f));
    } else {
      add(normalize(arg), abs, false);
    }
  }
  targets.sort(byFile);
  return { targets, problems };
}


/**
 * The files a command-line glob names: relative to `cwd` as the glob is (absolute for an absolute glob). The folders
 * under the glob's fixed leading part are walked (no dot-entries unless the glob names one, not node_modules), and
 * each path is matched in linear time (src/config/glob.ts), as configuration globs are: picomatch's own expression
 * backtracks, and a glob such as `*a*a*a…b` took minutes on a long file name. A glob that cannot be matched so (too
 * long, too large, a negated extglob) is refused with one line.
 */
function globFiles(pattern: string, cwd: string): string[] {
  const why = globProblem(pattern);
  if (why !== undefined) throw new PreflightInputError('E_USAGE', `glob "${pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern}": ${why}`);
  const base = globBase(pattern);
  const rest = pattern.slice(base.length).replace(/^\//, '');
  // Without ** (or braces and extglobs, which may hold a /) the walk goes no deeper than the glob's segments.
  const deep = /\*\*|[{(]/.test(rest) ? Infinity : rest.split('/').length - 1;
  const found = tinyglobbyLib().globSync('**', { cwd: resolve(cwd, base), ignore: IGNORE, dot: /(^|\/)\./.test(rest), onlyFiles: true, expandDirectories: false, deep });
  return found.map((rel) => (base === '' ? rel : posix.join(base, rel))).filter((path) => globMatches(pattern, path));
}

/** The unreadable entries under a glob's fixed leading folders that the glob names (matched in linear time). */
function brokenMatches(pattern: string, cwd: string): Array<{ file: string; why: string }> {
  const base = globBase(pattern);
  return unreadableEntries(resolve(cwd, base))
    .map((b) => ({ file: base === '' ? b.rel : posix.join(base, b.rel), why: b.why }))
    .filter((b) => globMatches(pattern, b.file));
}

/** A glob's fixed leading folders (`a/b/*.json` → `a/b`, `/*.json` → `/`, `*.json` → ``). */
function globBase(pattern: string): string {
  const { base } = splitGlob(pattern);
  return base === '' && pattern.startsWith('/') ? '/' : base;
}

/** The folders of a glob before its first segment with a glob character (`a/b/*.json` → `a/b`). */
function splitGlob(pattern: string): { base: string } {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const s of segments) {
    if (tinyglobbyLib().isDynamicPattern(s)) break;
    fixed.push(s);
  }
  return { base: fixed.length === segments.length ? fixed.slice(0, -1).join('/') : fixed.join('/') };
}
