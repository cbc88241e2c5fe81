/**
 * Rule-pack tests (`bedrock-preflight test <dir>`), like `opa test` and `cfn-guard test`: an organisation keeps
 * example requests with the report they must produce beside its overlays, and this runs them. A pack is a folder
 * of YAML/JSON files: case files (a top-level `cases` list, schemas/config.schema.json#/$defs/rulePack) and
 * overlays (every other file, each checked as a configuration). Cases run under the pack's
 * `.bedrock-preflight.yaml` unless the file or the case names another configuration (or null for none).
 *
 * Invalid pack files throw (exit 2); failing cases are results (exit 1).
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isPreflightInputError, PreflightInputError } from '../errors.js';
import { createPreflight, type Preflight } from '../preflight.js';
import type { CheckOptions, CheckReport, Finding, Knowledge } from '../types.js';
import { readDocument, schemaProblems, type Document } from '../config/document.js';
import { ConfigError, ProblemList, type KnowledgeProblem } from '../config/errors.js';
import { CONFIG_FILE_NAMES, displayPath, findConfigFile, loadConfig } from '../config/load.js';
import { checkWithConfig } from '../config/policy.js';
import { compileLinearRegex, userRegexProblem } from '../linear-regex.js';
import type { ResolvedConfig, SuppressedFinding } from '../config/types.js';
import { tinyglobbyLib, unreadableEntries } from '../lint/files.js';
import { hasConfigKey } from '../lint/kinds.js';

export interface FindingPattern {
  code?: string;
  subject?: string;
  severity?: string;
  path?: string;
  messageIncludes?: string;
  reasonIncludes?: string;
}

export interface RulePackCase {
  name: string;
  file?: string;
  config?: string | null;
  input: Record<string, unknown>;
  options?: CheckOptions;
  expect: {
    valid?: boolean;
    endpoint?: string;
    api?: string | null;
    model?: string | null;
    region?: string | null;
    capabilities?: Array<string | { id: string; path: string }>;
    findings?: FindingPattern[];
    findingsInclude?: FindingPattern[];
    findingsExclude?: FindingPattern[];
    suppressed?: FindingPattern[];
    suppressedInclude?: FindingPattern[];
    recommendation?: string | null;
    error?: string;
  };
}

interface RulePackFile {
  config?: string | null;
  scope?: string[];
  cases: RulePackCase[];
}

/** One difference between what a case expects and what the check gave. */
export interface CaseFailure {
  /** The `expect` key. */
  key: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** Expected findings (patterns) that were not found. */
  missing?: FindingPattern[];
  /** Findings that were not expected, summarised. */
  unexpected?: string[];
}

export interface CaseResult {
  file: string;
  line: number;
  column: number;
  name: string;
  /** The configuration the case ran under (display path), or null. */
  config: string | null;
  ok: boolean;
  failures: CaseFailure[];
  /** For a failed case, every finding the check gave (`severity code subject path`), so a diff shows its cause. */
  findings?: string[];
}

export interface RulePackResult {
  /** The pack as given. */
  pack: string;
  passed: number;
  failed: number;
  /** Case files and overlays read, display paths. */
  caseFiles: string[];
  overlays: string[];
  results: CaseResult[];
}

export interface RulePackOptions {
  /** Working directory for relative paths and messages (default process.cwd()). */
  cwd?: string;
  /** Knowledge the configurations apply to (default the built-in one). */
  knowledge?: Knowledge;
}


const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

const PACK_IGNORE = ['**/node_modules/**', '**/.git/**'];
/** What a pack folder's walk looks at: every YAML and JSON file, dot-files too, links to a pipe named. */
const PACK_WALK = { dot: true, name: /\.(ya?ml|json)$/, ignore: PACK_IGNORE, specialLinks: true };

/**
 * The files of a pack: every YAML and JSON file under a folder, or the one file given; and the entries of a
 * folder that cannot be read (a dangling link, a pipe: never left out in silence).
 */
function packFiles(abs: string, cwd: string): { files: string[]; unreadable: Array<{ abs: string; why: string }> } {
  if (!isDir(abs)) {
    statOrThrow(abs, displayPath(abs, cwd));
    return { files: [abs], unreadable: [] };
  }
  const unreadable = unreadableEntries(abs, PACK_WALK).map((u) => ({ abs: resolve(abs, u.rel), why: u.why }));
  const skip = new Set(unreadable.map((u) => u.abs));
  const files = tinyglobbyLib()
    .globSync(['**/*.yaml', '**/*.yml', '**/*.json'], { cwd: abs, dot: true, absolute: true, ignore: PACK_IGNORE })
    .map((f) => resolve(f))
    .filter((f) => !skip.has(f))
    .sort();
  return { files, unreadable };
}

/** Loads each configuration once per run, by absolute path. */
type ConfigAt = (path: string) => ResolvedConfig;

function configLoader(cwd: string, knowledge: Knowledge | undefined): ConfigAt {
  const configs = new Map<string, ResolvedConfig>();
  return (path) => {
    let c = configs.get(path);
    if (c === undefined) configs.set(path, (c = loadConfig(path, { cwd, ...(knowledge ? { knowledge } : {}) })));
    return c;
  };
}

type CaseDoc = { abs: string; doc: Document };

const NOT_A_PACK_FILE =
  'not a case file (no top-level "cases" list) nor a configuration (none of its keys is one); test runs a rule pack: case files, each with a "cases" list (input, options, expect), and configuration overlays';

/** A document with keys, none of them a configuration's: a request, an architecture file, another tool's file. */
const isForeign = (v: Record<string, unknown>): boolean => Object.keys(v).some((k) => k !== '$schema') && !hasConfigKey(v);

/** Sorts the files into case files and overlays; every one must be valid, and all problems are reported together. */
function sortPackFiles(pack: ReturnType<typeof packFiles>, cwd: string, configAt: ConfigAt): { caseDocs: CaseDoc[]; overlays: string[] } {
  const { files, unreadable } = pack;
  const problems: KnowledgeProblem[] = unreadable.map((u) => ({ file: displayPath(u.abs, cwd), line: 1, column: 1, key: '', message: `cannot read: ${u.why}` }));
  const caseDocs: CaseDoc[] = [];
  const overlays: string[] = [];
  for (const f of files) {
    const name = displayPath(f, cwd);
    try {
      const doc = readDocument(f, name);
      const v = doc.value as Record<string, unknown>;
      if (Object.hasOwn(v, 'cases')) {
        const p = schemaProblems(doc, 'rulePack');
        if (p.length > 0) throw new ConfigError(p);
        checkCaseFile(doc);
        caseDocs.push({ abs: f, doc });
      } else if (isForeign(v)) {
        problems.push({ file: name, line: 1, column: 1, key: '', message: NOT_A_PACK_FILE });
      } else {
        overlays.push(name);
        configAt(f);
      }
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else if (isPreflightInputError(e)) problems.push({ file: e.file ?? name, line: e.position?.line ?? 1, column: e.position?.column ?? 1, key: '', message: e.message });
      else throw e;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)), unreadable.length > 0 ? 'E_INPUT_READ' : undefined);
  return { caseDocs, overlays };
}

/** The configuration case `i` runs under: its own, else its file's, else the pack's default; paths relative to the case file. */
function caseConfig(cd: CaseDoc, i: number, packDefault: string | undefined, configAt: ConfigAt, cwd: string): ResolvedConfig | undefined {
  const { abs, doc } = cd;
  const pack = doc.value as RulePackFile;
  const c = pack.cases[i]!;
  const named = c.config !== undefined ? c.config : pack.config;
  const configPath = named === null ? undefined : named !== undefined ? resolve(dirname(abs), named) : packDefault;
  try {
    return configPath === undefined ? undefined : configAt(configPath);
  } catch (e) {
    if (isPreflightInputError(e) && named !== undefined && !isFile(configPath!)) {
      const at = c.config !== undefined ? `/cases/${i}/config` : '/config';
      const p = doc.locate(at);
      throw new ConfigError([{ file: doc.file, line: p.line, column: p.column, key: at, message: `configuration "${named}" not found (${displayPath(configPath!, cwd)})` }], 'E_INPUT_READ');
    }
    throw e;
  }
}

/** The results of every case of one case file. */
function runCaseFile(cd: CaseDoc, dir: string, packDefault: string | undefined, configAt: ConfigAt, plain: Preflight, cwd: string): CaseResult[] {
  const { abs, doc } = cd;
  const pack = doc.value as RulePackFile;
  const scope = pack.scope?.map((re) => compileLinearRegex(re));
  const inScope = scope === undefined ? () => true : (f: Finding) => scope.some((re) => re.test(f.code));
  return pack.cases.map((c, i) => {
    const pos = doc.locate(`/cases/${i}`);
    const config = caseConfig(cd, i, packDefault, configAt, cwd);
    const requestFile = c.file !== undefined ? resolve(config?.root ?? dir, c.file) : abs;
    const { failures, findings } = runCase(c, config, plain, requestFile, inScope);
    const ok = failures.length === 0;
    return { file: doc.file, line: pos.line, column: pos.column, name: c.name, config: config?.file ?? null, ok, failures, ...(ok ? {} : { findings }) };
  });
}

/** Runs every case of a rule pack (a folder) or of one case file. */
export function runRulePack(target: string, options: RulePackOptions = {}): RulePackResult {
  const cwd = resolve(options.cwd ?? process.cwd());
  const abs = resolve(cwd, target);
  const dir = isDir(abs) ? abs : dirname(abs);
  const configAt = configLoader(cwd, options.knowledge);
  const { caseDocs, overlays } = sortPackFiles(packFiles(abs, cwd), cwd, configAt);
  if (caseDocs.length === 0) {
    throw new PreflightInputError('E_INPUT_SHAPE', `no case files (YAML or JSON files with a top-level "cases" list) in the rule pack`, { file: displayPath(abs, cwd) });
  }
  // A folder's cases run under the folder's own configuration; a single case file under the nearest one upward.
  const packDefault = isDir(abs) ? CONFIG_FILE_NAMES.map((n) => join(dir, n)).find((p) => isFile(p)) : findConfigFile(dir);
  const plain = createPreflight(options.knowledge ? { knowledge: options.knowledge } : {});
  const results = caseDocs.flatMap((cd) => runCaseFile(cd, dir, packDefault, configAt, plain, cwd));
  const failed = results.filter((r) => !r.ok).length;
  return { pack: target, passed: results.length - failed, failed, caseFiles: caseDocs.map((d) => d.doc.file), overlays, results };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function statOrThrow(abs: string, file: string): void {
  if (!isFile(abs)) throw new PreflightInputError('E_INPUT_READ', 'no such file or folder', { file });
}

/** Checks a case file beyond its schema: the scope's regular expressions, unique names. */
function checkCaseFile(doc: Document): void {
  const p = new ProblemList(doc.file, doc.locate);
  const v = doc.value as RulePackFile;
  v.scope?.forEach((re, i) => {
    const why = userRegexProblem(re);
    if (why !== undefined) p.add(`/scope/${i}`, why);
  });
  const names = new Set<string>();
  v.cases.forEach((c, i) => {
    if (names.has(c.name)) p.add(`/cases/${i}/name`, `duplicate case name "${c.name}"`);
    names.add(c.name);
  });
  p.throwIfAny();
}

export const matchesPattern = (f: Finding, p: FindingPattern): boolean =>
  (p.code === undefined || f.code === p.code) &&
  (p.subject === undefined || f.subject === p.subject) &&
  (p.severity === undefined || f.severity === p.severity) &&
  (p.path === undefined || f.path === p.path) &&
  (p.messageIncludes === undefined || f.message.includes(p.messageIncludes)) &&
  (p.reasonIncludes === undefined || ((f as SuppressedFinding).suppressed?.reason ?? '').includes(p.reasonIncludes));

/** `severity code subject path`, as diffs show a finding. */
export const summarizeFinding = (f: Finding): string => [f.severity, f.code, f.subject, f.path].filter((x) => x !== undefined && x !== '').join(' ');

/** A pattern in the same order as summarizeFinding, with the keys it leaves open shown as `*`. */
export const summarizePattern = (p: FindingPattern): string => {
  const parts = [p.severity ?? '*', p.code ?? '*', p.subject ?? '*'];
  if (p.path !== undefined) parts.push(p.path);
  if (p.messageIncludes !== undefined) parts.push(`message ~ "${p.messageIncludes}"`);
  if (p.reasonIncludes !== undefined) parts.push(`reason ~ "${p.reasonIncludes}"`);
  return parts.join(' ');
};

interface CaseRun {
  failures: CaseFailure[];
  /** The findings the check gave, summarised; none when the check failed with an input error. */
  findings: string[];
}

function runCase(c: RulePackCase, config: ResolvedConfig | undefined, plain: ReturnType<typeof createPreflight>, file: string, inScope: (f: Finding) => boolean): CaseRun {
  let report: CheckReport & { suppressed: SuppressedFinding[] };
  try {
    report = config ? checkWithConfig(config, c.input, c.options, file) : { ...plain.check(c.input, c.options), suppressed: [] };
  } catch (err) {
    if (!isPreflightInputError(err)) throw err;
    const e = c.expect;
    if (e.error === err.code) return { failures: [], findings: [] };
    return { failures: [{ key: 'error', message: `check failed with ${err.code}: ${err.message}`, ...(e.error !== undefined ? { expected: e.error } : {}), actual: err.code }], findings: [] };
  }
  return { failures: compareReport(c.expect, report, inScope), findings: report.findings.map(summarizeFinding) };
}

/** Every difference between what a case expects and the report the check gave. */
function compareReport(e: RulePackCase['expect'], report: CheckReport & { suppressed: SuppressedFinding[] }, inScope: (f: Finding) => boolean): CaseFailure[] {
  const failures: CaseFailure[] = [];
  if (e.error !== undefined) failures.push({ key: 'error', message: `expected check to fail with ${e.error}, but it gave a report`, expected: e.error, actual: null });

  for (const key of ['valid', 'endpoint', 'api', 'model', 'region'] as const) {
    if (e[key] !== undefined && e[key] !== report[key]) failures.push({ key, message: `${key} differs`, expected: e[key], actual: report[key] });
  }
  if (e.capabilities !== undefined) {
    const want = e.capabilities.map((x) => (typeof x === 'string' ? x : `${x.id} ${x.path}`));
    const got = report.capabilities.map((u) => (e.capabilities!.some((x) => typeof x !== 'string' && x.id === u.id) ? `${u.id} ${u.path ?? ''}`.trim() : u.id));
    if (want.join('\n') !== got.join('\n')) failures.push({ key: 'capabilities', message: 'capabilities differ', expected: want, actual: got });
  }
  const exact = (key: 'findings' | 'suppressed', patterns: FindingPattern[] | undefined, actual: Finding[]): void => {
    if (patterns === undefined) return;
    const unmatched = [...actual];
    const missing: FindingPattern[] = [];
    for (const p of patterns) {
      const i = unmatched.findIndex((f) => matchesPattern(f, p));
      if (i < 0) missing.push(p);
      else unmatched.splice(i, 1);
    }
    if (missing.length > 0 || unmatched.length > 0) failures.push({ key, message: `${key} differ`, missing, unexpected: unmatched.map(summarizeFinding) });
  };
  const include = (key: 'findingsInclude' | 'suppressedInclude', patterns: FindingPattern[] | undefined, actual: Finding[]): void => {
    const missing = (patterns ?? []).filter((p) => !actual.some((f) => matchesPattern(f, p)));
    if (missing.length > 0) failures.push({ key, message: `expected ${key === 'findingsInclude' ? 'findings' : 'suppressed findings'} not found`, missing, unexpected: [] });
  };
  exact('findings', e.findings, report.findings.filter(inScope));
  include('findingsInclude', e.findingsInclude, report.findings);
  if (e.findingsExclude !== undefined) {
    const present = report.findings.filter((f) => e.findingsExclude!.some((p) => matchesPattern(f, p)));
    if (present.length > 0) failures.push({ key: 'findingsExclude', message: 'findings the case excludes are present', missing: [], unexpected: present.map(summarizeFinding) });
  }
  exact('suppressed', e.suppressed, report.suppressed);
  include('suppressedInclude', e.suppressedInclude, report.suppressed);
  if (e.recommendation !== undefined && e.recommendation !== report.recommendation.endpoint) {
    failures.push({ key: 'recommendation', message: 'recommended endpoint differs', expected: e.recommendation, actual: report.recommendation.endpoint });
  }
  return failures;
}

/** 1 when a case failed, else 0 (invalid pack files throw before: exit 2). */
export const exitCodeOfRulePack = (r: Pick<RulePackResult, 'failed'>): 0 | 1 => (r.failed > 0 ? 1 : 0);

