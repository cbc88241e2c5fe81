/**
 * The resolved project configuration (.bedrock-preflight.yaml and the overlays it extends), as the commands use
 * it. Loading, validating and merging it is src/config/load.ts; applying it to findings is src/config/policy.ts.
 */
import type { ApiId, EndpointId, Finding, JreRule, Knowledge, RequestTest, Severity } from '../types.js';

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
  /** Where it is declared: `<config file>:<line>`. */
  by?: string;
}

export interface Ignore {
  /** A glob of files (relative to the config file's folder); '**' for all. */
  path: string;
  subject: string;
  code?: string;
  reason: string;
  /** Where it is declared: `<config file>:<line>`. */
  by?: string;
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
  /** The working directory relative paths are taken from. */
  cwd: string;
  /** Every file read: the config file's display path last, the overlays it extends before it. */
  files: string[];
  /** The cell overrides in force (the most derived file's, where several override one cell). */
  cells: CellOverride[];
  /** The organisation rules in force. Those without `files` are compiled into `knowledge`. */
  rules: OrgRule[];
}

/** A matrix cell replaced by an overlay. */
export interface CellOverride {
  id: string;
  api?: ApiId;
  endpoint: EndpointId;
  value: 'yes' | 'no' | 'conditional' | 'unknown';
  condition?: string;
  detail?: string;
  fix?: string;
  source: string;
  asOf: string;
  reason: string;
  by: string;
}

/** Which requests an organisation rule applies to; every key given must hold. */
export interface OrgRuleSelector {
  endpoints?: EndpointId[];
  apis?: ApiId[];
  regions?: string[];
  models?: { families?: string[]; familyMatches?: string };
  capabilities?: string[];
  request?: RequestTest;
}

/** An organisation rule: requests matching `when` must use what `require` names, or must not use what `forbid` names. */
export interface OrgRule {
  id: string;
  code?: string;
  subject?: string;
  files?: string[];
  when?: OrgRuleSelector;
  require?: Omit<OrgRuleSelector, 'request'>;
  forbid?: OrgRuleSelector;
  severity: Severity;
  message: string;
  fix?: string;
  source?: string;
  asOf?: string;
  by: string;
  /** The json-rules-engine rules it compiles to. */
  compiled: JreRule[];
}

/** Applies severity overrides and ignores to one file's findings. Ignored findings are returned, never dropped. */
export type ApplyPolicy = (findings: readonly Finding[], file: string) => { findings: Finding[]; suppressed: SuppressedFinding[] };
