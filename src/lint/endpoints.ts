/**
 * The config's mapping of globs to endpoints, for requests that do not say their endpoint: the first mapping
 * whose glob matches the file wins. Globs are relative to the config's folder; `**` alone matches every file (as
 * for the config's other globs). Each glob is expanded once, with tinyglobby (the same glob dialect, picomatch's),
 * the first time a file needs it; tinyglobby is shared with the directory walk, so the CLI loads no glob library
 * at start-up.
 */
import { resolve, sep } from 'node:path';
import type { EndpointMapping } from '../config/types.js';
import type { EndpointId } from '../types.js';
import { tinyglobbyLib } from './files.js';

const EVERYTHING = new Set(['**', '**/*']);

export function endpointMapper(mappings: readonly EndpointMapping[], root: string): (path: string) => EndpointId | undefined {
  if (mappings.length === 0) return () => undefined;
  const matched: Array<Set<string> | undefined> = [];
  return (path) => {
    for (let i = 0; i < mappings.length; i++) {
      const m = mappings[i]!;
      if (EVERYTHING.has(m.glob)) return m.endpoint;
      if (path === '-') continue;
      let files = matched[i];
      if (files === undefined) {
        const found = tinyglobbyLib().globSync(m.glob, { cwd: root, absolute: true, dot: true, ignore: ['**/node_modules/**', '**/.git/**'] });
        // tinyglobby's absolute paths are normalized, with / separators: native already on POSIX.
        matched[i] = files = new Set(sep === '/' ? found : found.map((f) => resolve(f)));
      }
      if (files.has(path)) return m.endpoint;
    }
    return undefined;
  };
}
