/**
 * Globs of the configuration (ignores, rules' files, lint's endpoint mappings), matched with picomatch against a
 * path relative to the configuration's folder, with / as separator. `**` alone matches every file, also one
 * outside that folder or read from stdin.
 */
import { isAbsolute, relative, sep } from 'node:path';
import picomatch from 'picomatch';

const cache = new Map<string, (path: string) => boolean>();

/** Whether `glob` matches `path` (already relative to the root, / separated). */
export function globMatches(glob: string, path: string): boolean {
  if (glob === '**' || glob === '**/*') return true;
  let m = cache.get(glob);
  if (m === undefined) {
    m = picomatch(glob, { dot: true });
    if (cache.size > 1024) cache.clear();
    cache.set(glob, m);
  }
  return m(path);
}

/** The path globs are matched against: relative to `root`, / separated (a path outside root stays absolute). */
export function pathForGlobs(file: string, root: string, cwd: string): string {
  if (file === '-' || file === '<stdin>') return '<stdin>';
  const abs = isAbsolute(file) ? file : `${cwd}${sep}${file}`;
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return abs.split(sep).join('/');
  return rel.split(sep).join('/');
}
