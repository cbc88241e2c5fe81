/**
 * lint: `check` over files, directories and globs (JSON, YAML, JSON Lines), each finding placed at the line and
 * column of its offending key. Synchronous and pure apart from reading the files; formatting is src/format/.
 *
 * Each file is read and parsed once; positions come from the parser's lazy locate(), so a file pays for a
 * position index only when it has a finding. A file that cannot be read, parsed or given an endpoint becomes an
 * entry with `error`, and the run goes on.
 */
import { isPreflightInputError, PreflightInputError, type SourcePosition } from '../errors.js';
import { isJsonLinesName, parseInput, parseJsonLines, type ParsedInput } from '../input/parse.js';
import { readInputFileSync } from '../input/read.js';
import { createPreflight } from '../preflight.js';
import type { CheckOptions, EndpointId, Finding } from '../types.js';
import type { SuppressedFinding } from '../config/types.js';
import { endpointMapper } from './endpoints.js';
import { byFile, expandPaths, type LintTarget } from './files.js';
import type { LintCounts, LintEntry, LintFinding, LintOptions, LintResult, LintSuppressedFinding } from './types.js';

const byPosition = (a: LintFinding, b: LintFinding): number => a.line - b.line || a.column - b.column;

/**
 * Lints every request file the paths name. Throws PreflightInputError only for bad options (an unknown
 * endpoint or api); everything about a file goes into its entry.
 */
export function lint(paths: readonly string[], options: LintOptions = {}): LintResult {
  const cwd = options.cwd ?? process.cwd();
  const preflight = options.preflight ?? createPreflight(options.config ? { knowledge: options.config.knowledge } : {});
  const base: CheckOptions = {};
  if (options.endpoint !== undefined) {
    const e = preflight.endpointId(options.endpoint);
    if (!e) throw new PreflightInputError('E_UNKNOWN_ID', `unknown endpoint "${options.endpoint}" (expected bedrock-runtime, bedrock-mantle, runtime or mantle)`);
    base.endpoint = e;
  }
  if (options.api !== undefined) {
    const ids = preflight.knowledge.apis.map((a) => a.id);
    if (!ids.includes(options.api as never)) throw new PreflightInputError('E_UNKNOWN_ID', `unknown api "${options.api}" (expected ${ids.join(', ')})`);
    base.api = options.api;
  }
  if (options.model !== undefined) base.model = options.model;
  if (options.region !== undefined) base.region = options.region;
  const mapped = options.config ? endpointMapper(options.config.endpoints, options.config.root) : () => undefined;
  const { applyPolicy, limits } = options;

  function lintFile(t: LintTarget): LintEntry {
    const entry: LintEntry = { file: t.file, findings: [] };
    let problem: { error: PreflightInputError; at: SourcePosition | undefined } | undefined;
    let problems = 0;
    const fail = (error: PreflightInputError, at: SourcePosition | undefined): void => {
      problems++;
      problem ??= { error, at };
    };
    let mappedEndpoint: EndpointId | undefined | null = null; // null: not looked up yet
    const mapping = (): EndpointId | undefined => (mappedEndpoint === null ? (mappedEndpoint = mapped(t.path)) : mappedEndpoint);

    const checkDocument = (parsed: ParsedInput): void => {
      const doc = parsed.value as Record<string, unknown>;
      const isEnvelope = typeof doc['url'] === 'string';
      let findings: Finding[];
      try {
        let opts = base;
        if (base.endpoint === undefined && !isEnvelope && mapping() !== undefined) opts = { ...base, endpoint: mapping() };
        let report;
        try {
          report = preflight.check(doc, opts);
        } catch (e) {
          // An envelope whose URL host names no endpoint: the config's mapping, if any, says it.
          if (!(isPreflightInputError(e) && e.code === 'E_UNKNOWN_ENDPOINT' && isEnvelope && base.endpoint === undefined && mapping() !== undefined)) throw e;
          report = preflight.check(doc, { ...base, endpoint: mapping() });
        }
        findings = report.findings;
      } catch (e) {
        if (!isPreflightInputError(e)) throw e;
        const error =
          e.code === 'E_UNKNOWN_ENDPOINT'
            ? new PreflightInputError(e.code, `${e.message}, or map the file to an endpoint in the config's "endpoints"`)
            : e;
        fail(error, parsed.locate(isEnvelope ? '/url' : ''));
        return;
      }
      let suppressed: SuppressedFinding[] | undefined;
      if (applyPolicy && findings.length > 0) {
        const applied = applyPolicy(findings, t.path);
        findings = applied.findings;
        if (applied.suppressed.length > 0) suppressed = applied.suppressed;
      }
      for (const f of findings) entry.findings.push({ ...f, ...parsed.locate(f.path ?? '') });
      if (suppressed) {
        const out: LintSuppressedFinding[] = (entry.suppressed ??= []);
        for (const f of suppressed) out.push({ ...f, ...parsed.locate(f.path ?? '') });
      }
    };

    try {
      const { text } = readInputFileSync(t.path, limits);
      if (isJsonLinesName(t.path)) {
        const lines = parseJsonLines(text, t.file, limits ? { limits } : {});
        if (lines.length === 0) fail(new PreflightInputError('E_INPUT_PARSE', 'empty input: expected JSON Lines (one JSON request per line), found no request'), { line: 1, column: 1 });
        for (const l of lines) {
          if (l.input) checkDocument(l.input);
          else if (l.error) fail(l.error, l.error.position ?? { line: l.line, column: 1 });
        }
      } else {
        checkDocument(parseInput(text, t.file, limits ? { limits } : {}));
      }
    } catch (e) {
      if (!isPreflightInputError(e)) throw e;
      fail(e, e.position);
    }

    if (entry.findings.length > 1) entry.findings.sort(byPosition);
    if (entry.suppressed && entry.suppressed.length > 1) entry.suppressed.sort(byPosition);
    if (problem) {
      const more = problems - 1;
      entry.error = more > 0 ? `${problem.error.message} (and ${more} more ${more === 1 ? 'problem' : 'problems'} on other lines)` : problem.error.message;
      entry.errorCode = problem.error.code;
      if (problem.at) {
        entry.errorLine = problem.at.line;
        entry.errorColumn = problem.at.column;
      }
    }
    return entry;
  }

  const { targets, problems } = expandPaths(paths, cwd);
  const files = targets.map(lintFile);
  if (problems.length > 0) {
    for (const p of problems) files.push({ file: p.file, findings: [], error: p.error.message, errorCode: p.error.code });
    files.sort(byFile);
  }
  return { files, counts: countLint(files) };
}

export function countLint(files: readonly LintEntry[]): LintCounts {
  const counts: LintCounts = { files: files.length, errors: 0, warnings: 0, infos: 0, suppressed: 0, fileErrors: 0 };
  for (const e of files) {
    for (const f of e.findings) {
      if (f.severity === 'error') counts.errors++;
      else if (f.severity === 'warning') counts.warnings++;
      else counts.infos++;
    }
    counts.suppressed += e.suppressed?.length ?? 0;
    if (e.error !== undefined) counts.fileErrors++;
  }
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
