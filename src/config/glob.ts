/**
 * Globs of the configuration (ignores, rules' files, lint's endpoint mappings), matched with picomatch against a
 * path relative to the configuration's folder, with / as separator. `**` alone matches every file, also one
 * outside that folder or read from stdin.
 */
import { createRequire } from 'node:module';
import { isAbsolute, relative, sep } from 'node:path';

// picomatch is loaded on first use: commands without a configuration never pay for it at start-up.
const load = createRequire(import.meta.url);
type Picomatch = (glob: string, options: { dot: boolean }) => (path: string) => boolean;
let picomatchModule: Picomatch | undefined;
const picomatch: Picomatch = (glob, options) => (picomatchModule ??= load('picomatch') as Picomatch)(glob, options);

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
