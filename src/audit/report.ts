/**
 * The audit report: counts and a few examples, all of it order-independent, so that the report of a run over all
 * records equals the merge of the reports of any split of them (`audit merge`). Counts add; example lists keep
 * the first few in a fixed order (file, line, request id); texts that could differ keep the smaller one.
 * The derived `shares` are recomputed after a merge. Schema: schemas/audit-report.schema.json.
 */
import { RECORD_FORMAT_AS_OF, RECORD_FORMAT_SOURCE } from './record.js';
import { validateAuditReport } from './generated/report-validator.js';

export const REPORT_SCHEMA = 'bedrock-preflight/audit-report';
export const EXAMPLES_KEPT = 3;

export interface Example {
  file: string;
  line: number;
  requestId?: string;
  detail?: string;
}

export interface Counted {
  count: number;
  examples: Example[];
}

export interface FindingTally extends Counted {
  code: string;
  subject: string;
  severity: string;
  summary: string;
  source?: string;
}

export interface BlockerTally extends Counted {
  subject: string;
  reason: string;
  source?: string;
  asOf?: string;
}

export interface ChangeTally extends Counted {
  details: Record<string, number>;
}

export interface LifecycleTally {
  label: string;
  count: number;
  lifecycle: Record<string, string>;
}

export type Readiness = 'asIs' | 'change' | 'cannot' | 'unknown';

export interface AuditReport {
  schema: typeof REPORT_SCHEMA;
  version: 1;
  recordFormat: { source: string; asOf: string };
  records: {
    total: number;
    audited: number;
    bytes: number;
    files: number;
    notAudited: Record<string, Counted>;
    problems: Record<string, Counted>;
  };
  traffic: Record<'byOperation' | 'byApi' | 'byModel' | 'byRegion' | 'byIdentity', Record<string, number>>;
  today: { valid: number; invalid: number; findings: Record<string, FindingTally> };
  mantle: {
    readiness: Record<Readiness, Counted>;
    changes: Record<string, ChangeTally>;
    blockers: Record<string, BlockerTally>;
    unknownReasons: Record<string, number>;
  };
  lifecycle: { known: boolean; models: Record<string, LifecycleTally> };
  /** Derived from the counts: shares of audited records, 0..1. */
  shares: { failingToday: number } & Record<Readiness, number>;
}

export function emptyReport(): AuditReport {
  const counted = (): Counted => ({ count: 0, examples: [] });
  return {
    schema: REPORT_SCHEMA,
    version: 1,
    recordFormat: { source: RECORD_FORMAT_SOURCE, asOf: RECORD_FORMAT_AS_OF },
    records: { total: 0, audited: 0, bytes: 0, files: 0, notAudited: {}, problems: {} },
    traffic: { byOperation: {}, byApi: {}, byModel: {}, byRegion: {}, byIdentity: {} },
    today: { valid: 0, invalid: 0, findings: {} },
    mantle: { readiness: { asIs: counted(), change: counted(), cannot: counted(), unknown: counted() }, changes: {}, blockers: {}, unknownReasons: {} },
    lifecycle: { known: false, models: {} },
    shares: { failingToday: 0, asIs: 0, change: 0, cannot: 0, unknown: 0 },
  };
}

/** schemas/audit-report.schema.json, compiled at build time (src/audit/report-validator.build.ts); `errors` says why not. */
export const isAuditReport = validateAuditReport as unknown as ((v: unknown) => v is AuditReport) & { errors?: Array<{ instancePath: string; message?: string }> | null };

export function compareExamples(a: Example, b: Example): number {
  // The request id first: file paths in a JSON report may come back redacted (a credential-like part of a folder
  // name), which would change their order in a merge; request ids are never redacted.
  const ra = a.requestId ?? '';
  const rb = b.requestId ?? '';
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line;
}

/** Adds an example to a list kept sorted and short. */
export function keepExample(list: Example[], e: Example): void {
  if (list.length >= EXAMPLES_KEPT && compareExamples(e, list[list.length - 1]!) >= 0) return;
  let i = list.length;
  while (i > 0 && compareExamples(e, list[i - 1]!) < 0) i--;
  list.splice(i, 0, e);
  if (list.length > EXAMPLES_KEPT) list.pop();
}

export function bump(map: Record<string, number>, key: string, n = 1): void {
  put(map, key, (Object.hasOwn(map, key) ? map[key]! : 0) + n);
}

/**
 * Sets an own property, whatever the key: keys come from log records, and a model id "__proto__" or "constructor"
 * must be counted like any other, not set the object's prototype or read Object's constructor.
 */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Merges report parts as one run over all their records would have counted them. */
export function mergeReports(reports: readonly AuditReport[]): AuditReport {
  const out = emptyReport();
  for (const r of reports) {
    for (const part of ['records', 'traffic', 'today', 'mantle', 'lifecycle'] as const) {
      (out as unknown as Record<string, unknown>)[part] = mergeValue(out[part], r[part]);
    }
  }
  return withShares(out);
}

function mergeValue(a: unknown, b: unknown): unknown {
  if (a === undefined) return structuredClone(b);
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a || b;
  if (typeof a === 'string' && typeof b === 'string') return a <= b ? a : b;
  if (Array.isArray(a) && Array.isArray(b)) {
    const list: Example[] = [];
    for (const e of [...a, ...b] as Example[]) if (!list.some((x) => compareExamples(x, e) === 0)) keepExample(list, e);
    return list;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const out: Record<string, unknown> = { ...ao };
  for (const k of Object.keys(bo)) put(out, k, mergeValue(Object.hasOwn(ao, k) ? ao[k] : undefined, bo[k]));
  return out;
}

/**
 * A copy of the report with `clean` applied to every string, keys included: `redact` for JSON, `sanitize` for the
 * human formats, whose values come from log records (request and model ids, ARNs, file names, problem details).
 * Keys that clean to the same text (two credentials, both [redacted]) are merged as `audit merge` would: their
 * counts add up, none is dropped.
 */
export function cleanReport(r: AuditReport, clean: (text: string) => string): AuditReport {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const key = clean(k);
      put(out, key, Object.hasOwn(out, key) ? mergeValue(out[key], walk(x)) : walk(x));
    }
    return out;
  };
  return withShares(walk(r) as AuditReport);
}

/** The report with its shares computed from its counts, and its maps in sorted key order (a stable document). */
export function withShares(r: AuditReport): AuditReport {
  const n = r.records.audited;
  const share = (c: number): number => (n === 0 ? 0 : Math.round((c / n) * 10000) / 10000);
  const m = r.mantle.readiness;
  r.shares = { failingToday: share(r.today.invalid), asIs: share(m.asIs.count), change: share(m.change.count), cannot: share(m.cannot.count), unknown: share(m.unknown.count) };
  return sortKeys(r);
}

function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) put(out, k, sortKeys((v as Record<string, unknown>)[k]));
  return out as T;
}
