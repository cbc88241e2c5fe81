/**
 * The audit report: counts and a few examples, all of it order-independent, so that the report of a run over all
 * records equals the merge of the reports of any split of them (`audit merge`). Counts add; example lists keep
 * the first few in a fixed order (file, line, request id); texts that could differ keep the smaller one.
 * The derived `shares` are recomputed after a merge. Schema: schemas/audit-report.schema.json.
 * Memory stays bounded whatever the input: each map of counts keyed by values from the records (model ids,
 * identities, …) keeps only its KEYS_KEPT smallest keys in code-unit order, and counts the records of the other
 * keys in `otherKeys`; texts from records are cut to MAX_TEXT characters. Both are the same in one run and in any
 * merge, so the report stays exactly mergeable.
 */
import { RECORD_FORMAT_AS_OF, RECORD_FORMAT_SOURCE } from './record.js';
import { validateAuditReport } from './generated/report-validator.js';

export const REPORT_SCHEMA = 'bedrock-preflight/audit-report';
export const EXAMPLES_KEPT = 3;
/**
 * The keys kept in each map of counts. Real traffic has some tens of operations, Regions and model ids and at most
 * some hundreds of roles; 1,000 keeps all of them, and 1,000 keys of at most MAX_TEXT characters in each of the
 * few maps keep a report to some MB (each worker thread holds one).
 */
export const KEYS_KEPT = 1000;
/** The longest text kept from a record (a key, a request id, a problem's detail); longer ones are cut, with "…". */
export const MAX_TEXT = 1000;

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
  /**
   * Each map of counts (see `countMaps`) keeps its `keep` smallest keys; `records` counts, by the map's JSON Pointer,
   * the records under the keys it did not keep. Absent in reports made before it (nothing was left out).
   */
  otherKeys?: { keep: number; records: Record<string, number> };
  /** Derived from the counts: shares of audited records, 0..1. */
  shares: { failingToday: number } & Record<Readiness, number>;
}

export function emptyReport(keep = KEYS_KEPT): AuditReport {
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
    otherKeys: { keep, records: {} },
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

/** Adds an example (its texts cut to MAX_TEXT) to a list kept sorted and short. */
export function keepExample(list: Example[], example: Example): void {
  const e = clipExample(example);
  if (list.length >= EXAMPLES_KEPT && compareExamples(e, list[list.length - 1]!) >= 0) return;
  let i = list.length;
  while (i > 0 && compareExamples(e, list[i - 1]!) < 0) i--;
  list.splice(i, 0, e);
  if (list.length > EXAMPLES_KEPT) list.pop();
}

/** Adds n to a key's count (the key cut to MAX_TEXT, as every text from a record). */
export function bump(map: Record<string, number>, key: string, n = 1): void {
  const k = clipText(key);
  put(map, k, (Object.hasOwn(map, k) ? map[k]! : 0) + n);
}

/**
 * A text cut to MAX_TEXT characters, the last one "…" (never half of a surrogate pair). Cutting a cut text changes
 * nothing, so one run and a merge of reports cut the same texts alike.
 */
export function clipText(s: string): string {
  if (s.length <= MAX_TEXT) return s;
  let end = MAX_TEXT - 1;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

function clipExample(e: Example): Example {
  const out: Example = { file: clipText(e.file), line: e.line };
  if (e.requestId !== undefined) out.requestId = clipText(e.requestId);
  if (e.detail !== undefined) out.detail = clipText(e.detail);
  return out;
}

/**
 * The maps of counts keyed by values from the records, by JSON Pointer: those that `otherKeys` bounds. The other maps
 * of the report are keyed by codes and ids of the knowledge (problem codes, finding codes, capability ids, model
 * families), whose number does not grow with the input.
 */
export function countMaps(r: AuditReport): Array<[string, Record<string, number>]> {
  const pointer = (...parts: string[]): string => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return [
    ...Object.entries(r.traffic).map(([k, m]): [string, Record<string, number>] => [pointer('traffic', k), m]),
    [pointer('mantle', 'unknownReasons'), r.mantle.unknownReasons],
    ...Object.entries(r.mantle.changes).map(([k, c]): [string, Record<string, number>] => [pointer('mantle', 'changes', k, 'details'), c.details]),
  ];
}

/**
 * Keeps the `keep` smallest keys (code-unit order) of each map of counts, and adds the counts of the others to
 * `otherKeys.records` under the map's pointer. Doing it now and then, and once at the end, keeps exactly what doing it
 * once would: a key among the smallest is never dropped, and every record of another key ends in `otherKeys`.
 */
export function keepSmallestKeys(r: AuditReport): void {
  const other = (r.otherKeys ??= { keep: KEYS_KEPT, records: {} });
  for (const [pointer, map] of countMaps(r)) {
    const keys = Object.keys(map);
    if (keys.length <= other.keep) continue;
    let dropped = 0;
    for (const k of keys.sort().slice(other.keep)) {
      dropped += map[k]!;
      delete map[k];
    }
    bump(other.records, pointer, dropped);
  }
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
  // A report that kept fewer keys decides: the smallest of those it kept are the smallest of all.
  const keep = Math.min(...reports.map((r) => r.otherKeys?.keep ?? KEYS_KEPT));
  const out = emptyReport(Number.isFinite(keep) ? keep : KEYS_KEPT);
  for (const r of reports) {
    for (const part of ['records', 'traffic', 'today', 'mantle', 'lifecycle'] as const) {
      (out as unknown as Record<string, unknown>)[part] = mergeValue(out[part], r[part]);
    }
    for (const [pointer, n] of Object.entries(r.otherKeys?.records ?? {})) bump(out.otherKeys!.records, pointer, n);
  }
  keepSmallestKeys(out);
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
