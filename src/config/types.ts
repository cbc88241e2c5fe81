/**
 * The resolved project configuration (.bedrock-preflight.yaml and the overlays it extends), as the commands use
 * it. Loading, validating and merging it is src/config/load.ts; applying it to findings is src/config/policy.ts.
 */
import type { EndpointId, Finding, Knowledge, Severity } from '../types.js';

export interface EndpointMapping {
  /** A glob (relative to the config file's folder) of request files. */
  glob: string;
  endpoint: EndpointId;
}

export interface SeverityOverride {
  code?: string;
  subject?: string;
  severity: Severity | 'off';
  reason?: string;
}

export interface Ignore {
  /** A glob of files (relative to the config file's folder); '**' for all. */
  path: string;
  subject: string;
  code?: string;
  reason: string;
}

export interface SuppressedFinding extends Finding {
  suppressed: { reason: string; by: string };
}

export interface ResolvedConfig {
  /** The config file, when one was found or given. */
  file: string | undefined;
  /** The folder globs are relative to. */
  root: string;
  endpoints: EndpointMapping[];
  severity: SeverityOverride[];
  ignores: Ignore[];
  maxWarnings: number | undefined;
  /** The knowledge with the overlays' cell overrides and org rules applied. */
  knowledge: Knowledge;
}

/** Applies severity overrides and ignores to one file's findings. Ignored findings are returned, never dropped. */
export type ApplyPolicy = (findings: readonly Finding[], file: string) => { findings: Finding[]; suppressed: SuppressedFinding[] };
