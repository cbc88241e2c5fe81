/**
 * Which files `lint` reads as requests. A repository's folders mix request files with other JSON and YAML: this
 * tool's own configuration, rule packs, architecture files and knowledge files, and files of other tools
 * (package.json, workflows). A file that declares another of this tool's schemas, or has the shape of one of its
 * other documents, is skipped with the reason; a file reached by walking a folder or a glob that has neither a URL
 * nor any field of a request body is skipped too. Skipped files are listed in every format (`--strict` makes them
 * errors), never dropped in silence.
 */
import type { Knowledge } from '../types.js';

/** This tool's schemas (schemas/*.schema.json) for documents that are not requests, and what each document is. */
export const OWN_SCHEMA_KINDS: Readonly<Record<string, string>> = {
  config: 'a bedrock-preflight configuration',
  cases: 'a rule pack (cases)',
  arch: 'an architecture file',
  'check-report': 'a check report',
  'audit-report': 'an audit report',
  apis: 'knowledge (rules/apis.yaml)',
  capabilities: 'knowledge (rules/capabilities.yaml)',
  common: 'knowledge definitions',
  endpoints: 'knowledge (rules/endpoints.yaml)',
  findings: 'knowledge (rules/findings.yaml)',
  guidance: 'knowledge (rules/guidance.yaml)',
  matrix: 'knowledge (rules/matrix.yaml)',
  models: 'knowledge (rules/models.yaml)',
  regions: 'knowledge (rules/regions.yaml)',
  requests: 'knowledge (rules/requests.yaml)',
};

/** Top-level keys of a configuration (schemas/config.schema.json); `$schema` aside. */
const CONFIG_KEYS = new Set(['extends', 'endpoints', 'maxWarnings', 'cells', 'rules', 'severity', 'ignores']);

/** A text whose first non-blank character starts a YAML comment. */
const LEADING_COMMENT = /^\s*#/;

const MODELINE = /^\s*#\s*yaml-language-server:\s*\$schema=(\S+)/;

/** The name of a schema reference's file without `.schema.json` (or `.json`), e.g. `config`. */
function schemaName(ref: string): string {
  const file = ref.split('#')[0]!.split(/[/\\]/).pop() ?? '';
  return file.replace(/\.schema\.json$|\.json$/, '');
}

/** The schema a document declares: JSON's `$schema` member, or a YAML language-server modeline among its leading comments. */
function declaredSchema(doc: unknown, text: string): string | undefined {
  if (isObject(doc) && typeof doc['$schema'] === 'string') return doc['$schema'];
  // Most files start with no comment at all: then nothing is split.
  if (!LEADING_COMMENT.test(text)) return undefined;
  for (const line of text.slice(0, 4096).split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return undefined;
    const m = MODELINE.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when some top-level key of `doc` is a configuration's (so it is read, and validated, as one). */
export const hasConfigKey = (doc: Record<string, unknown>): boolean => Object.keys(doc).some((k) => CONFIG_KEYS.has(k));

/** The kind of one of this tool's other documents, from its shape alone. */
function ownKindByShape(doc: Record<string, unknown>): string | undefined {
  if (Array.isArray(doc['cases'])) return OWN_SCHEMA_KINDS['cases'];
  if (Array.isArray(doc['workloads'])) return OWN_SCHEMA_KINDS['arch'];
  const keys = Object.keys(doc).filter((k) => k !== '$schema');
  if (keys.length > 0 && keys.every((k) => CONFIG_KEYS.has(k))) return OWN_SCHEMA_KINDS['config'];
  return undefined;
}

/** Every top-level body field that marks some API's request (the knowledge's body-shape indicators), plus `model`. */
export function requestFieldsOf(knowledge: Knowledge): ReadonlySet<string> {
  const fields = new Set(['model']);
  for (const api of knowledge.apis) for (const ind of api.shape) fields.add(ind.body.split('/')[1]!);
  return fields;
}

/**
 * Why a document is not a request (so lint skips it), or undefined when it is read as one.
 * `found` is true for a file reached by walking a folder or expanding a glob (not named on the command line).
 */
export function notARequest(doc: unknown, text: string, found: boolean, requestFields: ReadonlySet<string>): string | undefined {
  // The shape first: rule packs declare a part of the configuration's schema (config.schema.json#/$defs/rulePack).
  const shaped = isObject(doc) ? ownKindByShape(doc) : undefined;
  if (shaped !== undefined) return `${shaped}, by its top-level keys`;
  const declared = declaredSchema(doc, text);
  const kind = declared === undefined ? undefined : OWN_SCHEMA_KINDS[schemaName(declared)];
  if (kind !== undefined) return `${kind}: it declares the schema ${schemaName(declared!)}.schema.json`;
  if (!found || !isObject(doc)) return undefined;
  if (typeof doc['url'] === 'string' || 'body' in doc) return undefined;
  if (Object.keys(doc).some((k) => requestFields.has(k))) return undefined;
  return 'not a request: no url, and no field of any API\'s request body';
}
