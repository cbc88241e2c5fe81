/**
 * The shapes `lint` returns: one entry per file (the contract's `lint --format json` array) and the counts the
 * exit code and the formatters' summaries are computed from.
 */
import type { PreflightErrorCode } from '../errors.js';
import type { ApplyPolicy, ResolvedConfig, SuppressedFinding } from '../config/types.js';
import type { InputLimits } from '../input/read.js';
import type { Preflight } from '../preflight.js';
import type { Finding } from '../types.js';

/** 1-based line/column of the offending key (JSON: its opening quote; YAML: its first character). */
export interface LintPosition {
  line: number;
  column: number;
}

export type LintFinding = Finding & LintPosition;
export type LintSuppressedFinding = SuppressedFinding & LintPosition;

export interface LintEntry {
  /** The path as given (for a directory, the directory as given joined with the file's path inside it) or, for a glob, relative to the working directory. */
  file: string;
  /** Sorted by line, then column (ties keep check's order: errors first). */
  findings: LintFinding[];
  /** Findings the config's policy suppressed (present only when there are some). */
  suppressed?: LintSuppressedFinding[];
  /** Set when the file is not a request and was not linted: why (this tool's configuration, a rule pack, …). */
  skipped?: string;
  /** Set when the file (or, in JSON Lines, a line of it) could not be read, parsed or given an endpoint: the first such problem. */
  error?: string;
  errorCode?: PreflightErrorCode;
  errorLine?: number;
  errorColumn?: number;
  /** JSON Lines with more than one line that could not be read, parsed or given an endpoint: each of them, in line order (the first is also `error`). */
  errors?: LintFileError[];
}

/** A problem that kept (a line of) a file from being linted. */
export interface LintFileError {
  message: string;
  code: PreflightErrorCode;
  line?: number;
  column?: number;
}

export interface LintCounts {
  /** Entries (files, and patterns that matched nothing). */
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  suppressed: number;
  /** Entries with `error`. */
  fileErrors: number;
  /** Entries with `skipped`. */
  skipped: number;
}

export interface LintResult {
  files: LintEntry[];
  counts: LintCounts;
}

export interface LintOptions {
  /** With a configuration: the preflight of one file, so that organisation rules scoped to globs apply. */
  preflightFor?: (file: string) => Preflight;
  /** The project configuration: its `endpoints` globs give an endpoint to files that do not say theirs, and its knowledge is used. */
  config?: ResolvedConfig;
  /** Severity overrides and ignores, applied to each document's findings; called with the file's absolute path ('-' for stdin). */
  applyPolicy?: ApplyPolicy;
  /** Endpoint for every document (overrides the envelope's URL, as `check --endpoint` does). */
  endpoint?: string;
  /** API for every document (overrides the URL and the body's shape, as `check --api` does). */
  api?: string;
  model?: string;
  region?: string;
  limits?: Partial<InputLimits>;
  /** A file that is not a request is an error (exit 2) instead of being skipped. */
  strict?: boolean;
  /** Where relative paths and globs are resolved (default: process.cwd()). */
  cwd?: string;
  /** A compiled preflight to use (default: createPreflight with the config's knowledge, or the built-in one); with a config, build it from config.knowledge. */
  preflight?: Preflight;
  /**
   * Streamed output: each entry is handed to the sink when its file is done, in the result's order, and not kept
   * (the result's `files` is then empty; its counts count everything). A JSON Lines file's findings are handed
   * over a line at a time as they are found, so memory does not grow with the file's findings.
   */
  sink?: LintSink;
}

export interface LintSink {
  /** Findings of one line of a JSON Lines file, in position order; the file's entry, given later, holds none of them. */
  findings(file: string, findings: readonly LintFinding[]): void;
  /** An entry, once its file is done. */
  entry(entry: LintEntry): void;
}

/** Every problem that kept a file (or lines of it) from being linted: `errors`, else `error` alone, else none. */
export function fileErrorsOf(e: LintEntry): LintFileError[] {
  if (e.errors !== undefined) return e.errors;
  if (e.error === undefined) return [];
  return [{ message: e.error, code: e.errorCode ?? 'E_INPUT_READ', line: e.errorLine, column: e.errorColumn }];
}
