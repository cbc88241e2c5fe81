/**
 * What a file is checked with: the rule's options over `settings['bedrock-preflight']` (endpoint, Region, config),
 * and the project configuration (`.bedrock-preflight.yaml`, found from the working directory as `lint` finds it):
 * its knowledge and organisation rules for the file, its endpoint mapping, ignores and severity overrides.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { applyPolicy, endpointFor, findConfigFile, loadConfig, preflightFor, type ResolvedConfig } from '../config/index.js';
import { createPreflight, type Preflight } from '../preflight.js';
import type { Finding } from '../types.js';
import type { Target } from './request.js';

export interface PluginOptions extends Target {
  /** A configuration file (relative to the working directory), or false for none; default: found as `lint` finds it. */
  config?: string | false;
}

export const OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    endpoint: { type: 'string', description: 'Endpoint of calls whose client the file does not show: bedrock-runtime, bedrock-mantle (or runtime, mantle).' },
    region: { type: 'string', description: 'Region of calls whose client the file does not show.' },
    config: { anyOf: [{ type: 'string' }, { enum: [false] }], description: 'Configuration file, or false for none (default: .bedrock-preflight.yaml found from the working directory).' },
  },
  additionalProperties: false,
} as const;

export interface FileSetup {
  preflight: Preflight;
  target: Target;
  /** The options and configuration file it was made from (two setups with one key check alike). */
  key: string;
  /** The findings to report, after the configuration's ignores and severity overrides. */
  policy: (findings: readonly Finding[]) => Finding[];
}

/** Loaded configurations by file, with the modification time they were loaded at (an editor's ESLint lives long). */
const loaded = new Map<string, { mtime: number; config: ResolvedConfig }>();

function configAt(file: string, cwd: string): ResolvedConfig {
  // A file that is not there: loadConfig says so, in its own words.
  const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const hit = loaded.get(file);
  if (hit !== undefined && hit.mtime === mtime) return hit.config;
  const config = loadConfig(file, { cwd });
  loaded.set(file, { mtime, config });
  return config;
}

/** The setup of one linted file; throws PreflightInputError for a configuration that cannot be loaded. */
export function fileSetup(options: PluginOptions, cwd: string, filename: string): FileSetup {
  const file = options.config === false ? undefined : options.config !== undefined ? resolve(cwd, options.config) : findConfigFile(cwd);
  const key = JSON.stringify([options.endpoint, options.region, file]);
  if (file === undefined) return { preflight: createPreflight(), target: options, key, policy: (f) => [...f] };
  const config = configAt(file, cwd);
  const mapped = endpointFor(config, filename);
  return {
    preflight: preflightFor(config, filename),
    target: { ...options, endpoint: options.endpoint ?? mapped },
    key,
    policy: (f) => applyPolicy(config, f, filename).findings,
  };
}
