/**
 * Which files `lint` reads: files as given, directories walked for request files (not in node_modules, not
 * dot-files or dot-folders), globs expanded (tinyglobby). Sorted by the path shown, deduplicated by the file they
 * name (symbolic links are followed; a file reached through a linked folder counts under each path).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
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
      if (found.length === 0) {
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
      const found = tinyglobbyLib().globSync(arg, { cwd, ignore: IGNORE, dot: false, absolute, onlyFiles: true, expandDirectories: false });
      if (found.length === 0) problems.push({ file: arg, error: new PreflightInputError('E_INPUT_READ', 'no files match this pattern') });
      for (const f of found) add(absolute ? f : normalize(f), resolve(cwd, f));
    } else {
      add(normalize(arg), abs, false);
    }
  }
  targets.sort(byFile);
  return { targets, problems };
}

