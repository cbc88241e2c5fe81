/**
 * Finding the configuration file, and the flags that choose it: the light part of the configuration, loaded at
 * start-up; reading and validating the file (load.ts) is loaded only when there is one.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CONFIG_FILE_NAMES = ['.bedrock-preflight.yaml', '.bedrock-preflight.yml'] as const;

/**
 * The configuration file for `cwd`: `.bedrock-preflight.yaml` (or `.yml`) in it or the nearest folder above it.
 * The search stops at a folder holding `.git` (the top of a repository) and at the filesystem root.
 */
export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const p = join(dir, name);
      if (isFile(p)) return p;
    }
    if (existsSync(join(dir, '.git'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export const CONFIG_OPTIONS = {
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
  'allow-outside-extends': { type: 'boolean' },
} as const;

export const CONFIG_FLAGS_HELP = `  --config FILE    configuration (overlays, org rules, severities, ignores); default: .bedrock-preflight.yaml
                   in the working directory or the nearest folder above it (up to the repository's top)
  --no-config      use no configuration file
  --allow-outside-extends   let the configuration's extends name files outside its own folder tree`;

/** Whether a command with these flags runs under a configuration: --config, or one found upward (not with --no-config). */
export function configWanted(flags: Readonly<Record<string, string | boolean | undefined>>, cwd: string): boolean {
  if (typeof flags['config'] === 'string') return true;
  if (flags['no-config'] === true) return false;
  return findConfigFile(cwd) !== undefined;
}
