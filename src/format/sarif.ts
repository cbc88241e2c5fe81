/**
 * `lint --format sarif`: one SARIF 2.1.0 run. One rule (reportingDescriptor) per finding code + subject seen, with
 * its summary from the knowledge and the finding's source as help link; one result per finding, each with a
 * region (startLine, startColumn; columns in UTF-16 code units, SARIF's default). A file that could not be linted
 * is a result of its own rule (e.g. `input-parse`) and a tool execution notification; a finding the config's
 * policy suppressed is a result with a SARIF suppression.
 */
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PreflightErrorCode } from '../errors.js';
import { fileErrorsOf, type LintFinding, type LintResult, type LintSuppressedFinding } from '../lint/types.js';
import type { Knowledge, Severity } from '../types.js';
import { VERSION } from '../version.js';

export interface SarifOptions {
  /** Artifact URIs are relative to this folder (the `%SRCROOT%` base). */
  cwd: string;
  /** For the rules' descriptions (finding code summaries and request-rule messages). */
  knowledge?: Knowledge;
}

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://www.npmjs.com/package/bedrock-preflight';
const BASE = '%SRCROOT%';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, Level> = { error: 'error', warning: 'warning', info: 'note' };

const FILE_ERRORS: Partial<Record<PreflightErrorCode, string>> = {
  E_INPUT_READ: 'The file could not be read.',
  E_INPUT_PARSE: 'The file is not valid UTF-8 JSON, YAML or JSON Lines.',
  E_INPUT_SHAPE: 'The file is not a request (an HTTP envelope or a request body).',
  E_INPUT_LIMIT: 'The file is over an input limit (size or nesting depth).',
  E_UNKNOWN_ENDPOINT: 'The endpoint of the request cannot be determined (no envelope URL, --endpoint or config mapping).',
};

interface Rule {
  id: string;
  shortDescription: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: Level };
  properties: { code: string; subject?: string };
}

const isUrl = (s: string | undefined): s is string => s !== undefined && /^https?:\/\/[^\s]+$/.test(s);

/** The file's path relative to `cwd`, with forward slashes, each segment percent-encoded. */
export function artifactUri(file: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, file)) || '.';
  return rel.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
}

/** The rules, results and notifications of one SARIF run, built file by file. */
interface Run {
  rules: Rule[];
  ruleIndex: Map<string, number>;
  results: unknown[];
  notifications: unknown[];
}

/** The index of rule `id` in the run, adding it (made by `make`) the first time. */
function ruleOf(run: Run, id: string, make: () => Rule): number {
  let i = run.ruleIndex.get(id);
  if (i === undefined) {
    i = run.rules.push(make()) - 1;
    run.ruleIndex.set(id, i);
  }
  return i;
}

/** A short description for each finding rule: its code's summary, else a request rule's message. */
interface Descriptions {
  summaries: Map<string, string>;
  requestRules: Map<string, string>;
}

function descriptionsOf(o: SarifOptions): Descriptions {
  const summaries = new Map<string, string>();
  for (const f of o.knowledge?.findings ?? []) summaries.set(f.code, f.summary);
  const requestRules = new Map<string, string>();
  for (const r of o.knowledge?.requestRules ?? []) {
    const key = `${r.code}/${r.subject}`;
    if (!requestRules.has(key)) requestRules.set(key, r.message.replace(/\{where\}/g, ''));
  }
  return { summaries, requestRules };
}

type ArtifactLocation = { uri: string; uriBaseId: string };
type LintedFile = LintResult['files'][number];

/** A file that could not be linted is an error result and a notification; a skipped file, a note. */
function addFileProblems(run: Run, e: LintedFile, artifactLocation: ArtifactLocation): void {
  for (const p of fileErrorsOf(e)) {
    const code = p.code;
    const id = code.replace(/^E_/, '').toLowerCase().replace(/_/g, '-');
    const index = ruleOf(run, id, () => ({
      id,
      shortDescription: { text: FILE_ERRORS[code] ?? 'The file could not be linted.' },
      defaultConfiguration: { level: 'error' },
      properties: { code },
    }));
    const physicalLocation = { artifactLocation, region: { startLine: p.line ?? 1, startColumn: p.column ?? 1 } };
    run.results.push({ ruleId: id, ruleIndex: index, level: 'error', message: { text: p.message }, locations: [{ physicalLocation }] });
    run.notifications.push({ level: 'error', message: { text: p.message }, locations: [{ physicalLocation }], descriptor: { id } });
  }
  if (e.skipped !== undefined) {
    const physicalLocation = { artifactLocation, region: { startLine: 1, startColumn: 1 } };
    run.notifications.push({ level: 'note', message: { text: `not linted: ${e.skipped}` }, locations: [{ physicalLocation }], descriptor: { id: 'not-a-request' } });
  }
}

function findingRule(d: Descriptions, id: string, f: LintFinding): Rule {
  const summary = d.summaries.get(f.code);
  const rule: Rule = {
    id,
    shortDescription: { text: summary !== undefined ? `${summary.replace(/\.$/, '')}: ${f.subject}.` : (d.requestRules.get(id) ?? `${f.code}: ${f.subject}`) },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: { code: f.code, subject: f.subject },
  };
  if (isUrl(f.source)) rule.helpUri = f.source;
  return rule;
}

/** One result per finding; suppressed findings are results too, with a SARIF suppression (viewers show them as dismissed). */
function addFindings(run: Run, d: Descriptions, e: LintedFile, artifactLocation: ArtifactLocation): void {
  const findings: Array<LintFinding | LintSuppressedFinding> = e.suppressed ? [...e.findings, ...e.suppressed] : e.findings;
  for (const f of findings) {
    const id = `${f.code}/${f.subject}`;
    const index = ruleOf(run, id, () => findingRule(d, id, f));
    const r: Record<string, unknown> = {
      ruleId: id,
      ruleIndex: index,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation, region: { startLine: f.line, startColumn: f.column } } }],
    };
    if ('suppressed' in f) r['suppressions'] = [{ kind: 'external', status: 'accepted', justification: f.suppressed.reason, properties: { by: f.suppressed.by } }];
    // The rule's help link is its first finding's source; a finding from another source keeps its own here.
    const properties: Record<string, string> = {};
    if (f.path !== undefined) properties['path'] = f.path;
    if (f.source !== undefined) properties['source'] = f.source;
    r['properties'] = properties;
    run.results.push(r);
  }
}

export function formatLintSarif(result: LintResult, o: SarifOptions): string {
  const d = descriptionsOf(o);
  const run: Run = { rules: [], ruleIndex: new Map(), results: [], notifications: [] };
  for (const e of result.files) {
    const artifactLocation = { uri: artifactUri(e.file, o.cwd), uriBaseId: BASE };
    addFileProblems(run, e, artifactLocation);
    addFindings(run, d, e, artifactLocation);
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'bedrock-preflight', version: VERSION, semanticVersion: VERSION, informationUri: INFORMATION_URI, rules: run.rules } },
        originalUriBaseIds: { [BASE]: { uri: `${pathToFileURL(o.cwd).href.replace(/\/?$/, '/')}` } },
        invocations: [{ executionSuccessful: result.counts.fileErrors === 0, toolExecutionNotifications: run.notifications }],
        results: run.results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
