/**
 * The config's mapping of globs to endpoints, for requests that do not say their endpoint: the first mapping
 * whose glob matches the file wins. Globs are relative to the config's folder and matched as the config's other
 * globs are (src/config/glob.ts: in linear time, never by a backtracking expression); `**` alone matches every
 * file. As when the globs were expanded by walking the folder, a file inside node_modules or .git is mapped only
 * by `**`.
 */
import { globMatches, pathForGlobs } from '../config/glob.js';
import type { EndpointMapping } from '../config/types.js';
import type { EndpointId } from '../types.js';

const EVERYTHING = new Set(['**', '**/*']);
const SKIPPED_FOLDER = /(^|\/)(node_modules|\.git)\//;

export function endpointMapper(mappings: readonly EndpointMapping[], root: string): (path: string) => EndpointId | undefined {
  if (mappings.length === 0) return () => undefined;
  return (path) => {
    const rel = path === '-' ? undefined : pathForGlobs(path, root, root);
    const usable = rel !== undefined && !SKIPPED_FOLDER.test(rel);
    for (const m of mappings) {
      if (EVERYTHING.has(m.glob)) return m.endpoint;
      if (usable && globMatches(m.glob, rel)) return m.endpoint;
    }
    return undefined;
  };
}
