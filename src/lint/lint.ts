/**
 * lint: `check` over files, directories and globs (JSON, YAML, JSON Lines), each finding placed at the line and
 * column of its offending key. Synchronous and pure apart from reading the files; formatting is src/format/.
 *
 * Each file is read and parsed once; positions come from the parser's lazy locate(), so a file pays for a
 * position index only when it has a finding. A file that cannot be read, parsed or given an endpoint becomes an
 * entry with `error`, and the run goes on. JSON Lines files are streamed, line by line: each bad line is located
 * (`errors`, when there is more than one) and every good line is checked.
 */
import { isPreflightInputError, type PreflightErrorCode, type SourcePosition } from '../errors.js';
import { isJsonLinesName, parseInput, type ParsedInput } from '../input/parse.js';
import { parseBoundedInput } from '../input/yaml-bounds.js';
import { readInputFileSync, readLinesSync, type InputLimits } from '../input/read.js';
import { createPreflight, type Preflight } from '../preflight.js';
import type { CheckOptions, EndpointId, Finding } from '../types.js';
import type { ApplyPolicy, SuppressedFinding } from '../config/types.js';
import { endpointMapper } from './endpoints.js';
import { byFile, expandPaths, type LintTarget } from './files.js';
import { notARequest, requestFieldsOf } from './kinds.js';
import type { LintCounts, LintEntry, LintFileError, LintFinding, LintOptions, LintPosition, LintResult, LintSink } from './types.js';

const byPosition = (a: LintFinding, b: LintFinding): number => a.line - b.line || a.column - b.column;

/**
 * Adds the line and column of each finding's key (a document's findings often share a path: located once). In
 * place: check returns fresh finding objects that nothing else holds, so a copy of each would only add work on
 * files with many findings.
 */
function place<F extends Finding>(findings: readonly F[], parsed: ParsedInput, into: Array<F & LintPosition>): void {
  let path: string | undefined;
  let at: SourcePosition | undefined;
  for (let i = 0; i < findings.length; i++) {
    const p = findings[i] as F & LintPosition;
    const fp = p.path ?? '';
    if (at === undefined || fp !== path) {
      path = fp;
      at = parsed.locate(fp);
    }
    p.line = at.line;
    p.column = at.column;
    into.push(p);
  }
}

/** What every file of one run shares. */
interface Run {
  preflight: Preflight;
  /** With a configuration: the preflight of one file (its organisation rules scoped by `files` globs). */
  preflightFor: ((file: string) => Preflight) | undefined;
  /** --endpoint, --api, --model, --region. */
  base: CheckOptions;
  mapped: (path: string) => EndpointId | undefined;
  applyPolicy: ApplyPolicy | undefined;
  parseOptions: { limits?: Partial<InputLimits> };
  limits: Partial<InputLimits> | undefined;
  /** Top-level fields that mark a request body, from the knowledge. */
  requestFields: ReadonlySet<string>;
  strict: boolean;
  /** Streamed output (see LintOptions.sink), with the counts of what it was given. */
  sink: LintSink | undefined;
  counts: LintCounts;
}

/** One file being linted. */
interface FileState {
  target: LintTarget;
  entry: LintEntry;
  /** Its problems (in JSON Lines, one per bad line, in line order); made only for a file that has one. */
  problems: LintFileError[] | undefined;
  /** The config's endpoint for the file; null until looked up. */
  mapped: EndpointId | undefined | null;
}

function fail(s: FileState, code: PreflightErrorCode, message: string, at: SourcePosition | undefined): void {
  (s.problems ??= []).push(at ? { message, code, line: at.line, column: at.column } : { message, code });
}

function mappedEndpoint(run: Run, s: FileState): EndpointId | undefined {
  if (s.mapped === null) s.mapped = run.mapped(s.target.path);
  return s.mapped;
}

/** check on one document (a file, or a line of JSON Lines); its findings, placed, go into the file's entry. */
function checkDocument(run: Run, s: FileState, parsed: ParsedInput): void {
  const doc = parsed.value as Record<string, unknown>;
  const isEnvelope = typeof doc['url'] === 'string';
  const { base } = run;
  const preflight = run.preflightFor ? run.preflightFor(s.target.path) : run.preflight;
  let findings: Finding[];
  try {
    // --endpoint, else the envelope's URL, else the config's mapping (looked up only when needed).
    const bare = base.endpoint === undefined && !isEnvelope ? mappedEndpoint(run, s) : undefined;
    let report;
    try {
      report = preflight.check(doc, bare !== undefined ? { ...base, endpoint: bare } : base);
    } catch (e) {
      // An envelope whose URL host names no endpoint: the mapping, if any, says it.
      const fallback = isEnvelope && base.endpoint === undefined && isPreflightInputError(e) && e.code === 'E_UNKNOWN_ENDPOINT' ? mappedEndpoint(run, s) : undefined;
      if (fallback === undefined) throw e;
      report = preflight.check(doc, { ...base, endpoint: fallback });
    }
    findings = report.findings;
  } catch (e) {
    if (!isPreflightInputError(e)) throw e;
    const message = e.code === 'E_UNKNOWN_ENDPOINT' ? `${e.message}, or map the file to an endpoint in the config's "endpoints"` : e.message;
    fail(s, e.code, message, parsed.locate(isEnvelope ? '/url' : ''));
    return;
  }
  let suppressed: SuppressedFinding[] | undefined;
  if (run.applyPolicy && findings.length > 0) {
    const applied = run.applyPolicy(findings, s.target.path);
    findings = applied.findings;
    if (applied.suppressed.length > 0) suppressed = applied.suppressed;
  }
  place(findings, parsed, s.entry.findings);
  if (suppressed) place(suppressed, parsed, (s.entry.suppressed ??= []));
}

/** A file that is not a request: listed with why, or with --strict an error. */
function skip(run: Run, s: FileState, why: string): void {
  if (run.strict) fail(s, 'E_INPUT_SHAPE', `not linted: ${why} (--strict)`, { line: 1, column: 1 });
  else s.entry.skipped = why;
}

/**
 * Why a document could not be checked when a recursive step ran out of stack (RangeError): a parser, or a check,
 * following a document nested deeper than the stack allows (with a raised --max-depth).
 */
function outOfStack(e: RangeError): string {
  return /call stack/i.test(e.message) ? `nesting too deep to read (${e.message}); lower --max-depth (default 200)` : `could not be checked: ${e.message}`;
}

/**
 * JSON Lines, streamed: each line read, parsed and checked before the next is read (memory does not grow with
 * the file); every bad line is a problem of its own, at its line (also one too deep to check); blank lines are
 * skipped. A read error part-way is placed at the line being read.
 */
function lintJsonLines(run: Run, s: FileState): void {
  const parseOptions = { ...run.parseOptions, format: 'json' as const };
  let requests = 0;
  let lastLine = 0;
  try {
    for (const l of readLinesSync(s.target.path, run.limits)) {
      lastLine = l.line;
      if (l.error) {
        fail(s, l.error.code, l.error.message, l.error.position);
        continue;
      }
      if (l.text!.trim() === '') continue;
      requests++;
      try {
        lintLine(run, s, l.text!, l.line, parseOptions);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        fail(s, 'E_INPUT_LIMIT', outOfStack(e), { line: l.line, column: 1 });
      }
    }
  } catch (e) {
    // A read error after some lines: where reading stopped (one before any line is the file's, unplaced).
    if (!isPreflightInputError(e) || e.position !== undefined || lastLine === 0) throw e;
    fail(s, e.code, e.message, { line: lastLine + 1, column: 1 });
    return;
  }
  if (requests === 0 && s.problems === undefined) fail(s, 'E_INPUT_PARSE', 'empty input: expected JSON Lines (one JSON request per line), found no request', { line: 1, column: 1 });
}

/** One line of JSON Lines: parsed and checked (its findings handed over when streaming). */
function lintLine(run: Run, s: FileState, text: string, line: number, parseOptions: { format: 'json'; limits?: Partial<InputLimits> }): void {
  let parsed: ParsedInput;
  try {
    parsed = parseInput(text, s.target.file, { ...parseOptions, firstLine: line });
  } catch (e) {
    if (!isPreflightInputError(e)) throw e;
    fail(s, e.code, e.message, e.position ?? { line, column: 1 });
    return;
  }
  checkDocument(run, s, parsed);
  if (run.sink !== undefined && s.entry.findings.length > 0) handOver(run, s);
}

/** Streamed output: the findings of the line just checked go to the sink (counted), not into the entry. */
function handOver(run: Run, s: FileState): void {
  const { findings } = s.entry;
  if (findings.length > 1) findings.sort(byPosition);
  countFindings(run.counts, findings);
  run.sink!.findings(s.entry.file, findings);
  s.entry.findings = [];
}

/** A JSON or YAML file: one document, checked unless it is not a request (skipped, or an error with --strict). */
function lintDocumentFile(run: Run, s: FileState): void {
  const { text } = readInputFileSync(s.target.path, run.limits);
  const parsed = parseBoundedInput(text, s.target.file, run.parseOptions);
  const why = notARequest(parsed.value, text, s.target.found, run.requestFields);
  if (why === undefined) checkDocument(run, s, parsed);
  else skip(run, s, why);
}

function lintFile(run: Run, target: LintTarget): LintEntry {
  const s: FileState = { target, entry: { file: target.file, findings: [] }, problems: undefined, mapped: null };
  try {
    if (isJsonLinesName(target.path)) lintJsonLines(run, s);
    else lintDocumentFile(run, s);
  } catch (e) {
    if (e instanceof RangeError) {
      // A parser that recurses ran out of stack on a document nested deeper than it can follow: that document's
      // error, at its start (a JSON Lines file's lines are handled one by one, in lintJsonLines).
      fail(s, 'E_INPUT_LIMIT', outOfStack(e), { line: 1, column: 1 });
    } else if (!isPreflightInputError(e)) throw e;
    else fail(s, e.code, e.message, e.position);
  }
  const { entry, problems } = s;
  if (entry.findings.length > 1) entry.findings.sort(byPosition);
  if (entry.suppressed && entry.suppressed.length > 1) entry.suppressed.sort(byPosition);
  const first = problems?.[0];
  if (problems && first) {
    entry.error = first.message;
    entry.errorCode = first.code;
    if (first.line !== undefined) {
      entry.errorLine = first.line;
      entry.errorColumn = first.column;
    }
    if (problems.length > 1) entry.errors = problems;
  }
  return entry;
}

const noMapping = (): undefined => undefined;

/**
 * Lints every request file the paths name. Throws PreflightInputError only for bad options (an unknown
 * endpoint or api); everything about a file goes into its entry.
 */
export function lint(paths: readonly string[], options: LintOptions = {}): LintResult {
  const cwd = options.cwd ?? process.cwd();
  const preflight = options.preflight ?? createPreflight(options.config ? { knowledge: options.config.knowledge } : {});
  const base: CheckOptions = {};
  for (const k of ['endpoint', 'api', 'model', 'region'] as const) {
    const v = options[k];
    if (v !== undefined) base[k] = v;
  }
  // Bad flags are an error of the run, not of each file: check itself judges them (so lint accepts exactly what
  // check accepts), on an empty body with some endpoint.
  try {
    preflight.check({}, { ...base, endpoint: base.endpoint ?? 'bedrock-runtime' });
  } catch (e) {
    if (isPreflightInputError(e) && e.code === 'E_UNKNOWN_ID') throw e;
  }
  const run: Run = {
    preflight,
    preflightFor: options.preflightFor,
    base,
    mapped: options.config ? endpointMapper(options.config.endpoints, options.config.root) : noMapping,
    applyPolicy: options.applyPolicy,
    parseOptions: options.limits ? { limits: options.limits } : {},
    limits: options.limits,
    requestFields: requestFieldsOf(preflight.knowledge),
    strict: options.strict === true,
    sink: options.sink,
    counts: noCounts(),
  };

  const { targets, problems } = expandPaths(paths, cwd);
  const unread: LintEntry[] = problems.map((p) => ({ file: p.file, findings: [], error: p.error.message, errorCode: p.error.code }));
  if (run.sink !== undefined) return { files: [], counts: streamEntries(run, targets, unread) };
  const files = targets.map((t) => lintFile(run, t));
  if (unread.length > 0) {
    files.push(...unread);
    files.sort(byFile);
  }
  return { files, counts: countLint(files) };
}

/** Streamed output: each entry to the sink in the result's order (the unreadable ones merged in by name). */
function streamEntries(run: Run, targets: readonly LintTarget[], unread: LintEntry[]): LintCounts {
  const give = (e: LintEntry): void => {
    countEntry(run.counts, e);
    run.sink!.entry(e);
  };
  unread.sort(byFile);
  let next = 0;
  for (const t of targets) {
    while (next < unread.length && unread[next]!.file < t.file) give(unread[next++]!);
    give(lintFile(run, t));
  }
  while (next < unread.length) give(unread[next++]!);
  return run.counts;
}

const noCounts = (): LintCounts => ({ files: 0, errors: 0, warnings: 0, infos: 0, suppressed: 0, fileErrors: 0, skipped: 0 });

function countFindings(counts: LintCounts, findings: readonly LintFinding[]): void {
  for (const f of findings) {
    if (f.severity === 'error') counts.errors++;
    else if (f.severity === 'warning') counts.warnings++;
    else counts.infos++;
  }
}

function countEntry(counts: LintCounts, e: LintEntry): void {
  counts.files++;
  countFindings(counts, e.findings);
  counts.suppressed += e.suppressed?.length ?? 0;
  if (e.error !== undefined) counts.fileErrors++;
  if (e.skipped !== undefined) counts.skipped++;
}

export function countLint(files: readonly LintEntry[]): LintCounts {
  const counts = noCounts();
  for (const e of files) countEntry(counts, e);
  return counts;
}

/** True when there are more warnings than `maxWarnings` allows (never when it is undefined). */
export const tooManyWarnings = (counts: LintCounts, maxWarnings: number | undefined): boolean =>
  maxWarnings !== undefined && counts.warnings > maxWarnings;

/** 2 if a file could not be linted; else 1 for an error finding or more warnings than `maxWarnings`; else 0. */
export function exitCodeOfLint(result: Pick<LintResult, 'counts'>, maxWarnings?: number): 0 | 1 | 2 {
  const c = result.counts;
  if (c.fileErrors > 0) return 2;
  return c.errors > 0 || tooManyWarnings(c, maxWarnings) ? 1 : 0;
}
