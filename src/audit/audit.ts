/**
 * Auditing records one at a time into a report: rebuild the runtime request and check it where it was sent,
 * then plan and check it as it would be sent to bedrock-mantle, and count what blocks or must change.
 */
import { isPreflightInputError } from '../errors.js';
import { baseModelId } from '../detect/models.js';
import type { Preflight } from '../preflight.js';
import type { ApiId, CheckReport, Finding, Knowledge, ModelFamily } from '../types.js';
import type { LogItem, ProblemItem, RecordItem } from './read.js';
import { familyOf, mantleRequest, mantleTargetOf, rebuildRuntime, type Change, type RuntimeRequest } from './rebuild.js';
import type { InvocationRecord } from './record.js';
import { bump, clipText, emptyReport, keepExample, keepSmallestKeys, KEYS_KEPT, withShares, type AuditReport, type Example, type Readiness } from './report.js';

/** Error findings on mantle that say the request cannot go there (rather than that a field must be fixed). */
const BLOCKING_CODES = /^(api-|capability-|model-|region-|operation-)/;

export interface RecordVerdict {
  today: CheckReport;
  readiness: Readiness;
  blockers: Array<{ subject: string; reason: string; source?: string; asOf?: string }>;
  changes: Change[];
}

export interface AuditorOptions {
  /** The keys kept in each map of counts (default KEYS_KEPT); tests set a small one. */
  keysKept?: number;
}

export class Auditor {
  private readonly report: AuditReport;
  private readonly k: Knowledge;
  /** Records since the maps of counts were last cut down to their kept keys. */
  private sinceKept = 0;
  /** Each family's lifecycle dates by model id (families without any are absent); made once. */
  private readonly lifecycles: ReadonlyMap<string, Record<string, string>>;

  constructor(
    private readonly preflight: Preflight,
    options: AuditorOptions = {},
  ) {
    this.report = emptyReport(Math.max(1, options.keysKept ?? KEYS_KEPT));
    this.k = preflight.knowledge;
    this.lifecycles = new Map(this.k.models.flatMap((f) => {
      const l = lifecycleOf(f);
      return l === null ? [] : [[f.id, l] as const];
    }));
    this.report.lifecycle.known = this.lifecycles.size > 0;
  }

  add(item: LogItem): void {
    if (item.kind === 'problem') this.addProblem(item);
    else this.addRecord(item);
    // A record adds at most a few keys to each map: cutting the maps down every `keep` records bounds them to a few
    // times `keep` keys, at the cost of a sort now and then.
    if (++this.sinceKept >= this.report.otherKeys!.keep) {
      keepSmallestKeys(this.report);
      this.sinceKept = 0;
    }
  }

  addBytes(n: number): void {
    this.report.records.bytes += n;
  }

  addFile(): void {
    this.report.records.files++;
  }

  /** The report so far (a copy with its shares computed). */
  result(): AuditReport {
    keepSmallestKeys(this.report);
    return withShares(structuredClone(this.report));
  }

  private addProblem(p: ProblemItem): void {
    const slot = (this.report.records.problems[p.code] ??= { count: 0, examples: [] });
    slot.count++;
    keepExample(slot.examples, { file: p.file, line: p.line, detail: p.message });
  }

  private addRecord(item: RecordItem): void {
    const r = item.record;
    const rep = this.report;
    rep.records.total++;
    const ex: Example = { file: item.file, line: item.line, requestId: r.requestId };
    bump(rep.traffic.byOperation, r.operation);
    bump(rep.traffic.byModel, r.modelId);
    bump(rep.traffic.byRegion, r.region);
    bump(rep.traffic.byIdentity, identityOf(r.identity?.arn));
    const runtime = rebuildRuntime(this.k, r);
    if ('notAudited' in runtime) {
      const slot = (rep.records.notAudited[runtime.notAudited] ??= { count: 0, examples: [] });
      slot.count++;
      keepExample(slot.examples, { ...ex, detail: runtime.detail });
      return;
    }
    let verdict: RecordVerdict;
    try {
      verdict = auditRequest(this.preflight, r, runtime);
    } catch (e) {
      if (!isPreflightInputError(e)) throw e;
      this.addProblem({ kind: 'problem', file: item.file, line: item.line, code: 'record-invalid', message: `the logged request cannot be checked: ${e.message}` });
      return;
    }
    rep.records.audited++;
    bump(rep.traffic.byApi, runtime.api);
    this.countToday(verdict.today, ex);
    this.countMantle(verdict, ex);
    this.countLifecycle(r.modelId);
  }

  private countToday(today: CheckReport, ex: Example): void {
    const t = this.report.today;
    if (today.valid) t.valid++;
    else t.invalid++;
    for (const f of today.findings) {
      const key = `${f.code}:${f.subject}:${f.severity}`;
      const slot = (t.findings[key] ??= { code: f.code, subject: f.subject, severity: f.severity, summary: this.summaryOf(f), count: 0, examples: [] });
      slot.count++;
      keepSmaller(slot, 'source', f.source);
      keepExample(slot.examples, ex);
    }
  }

  private countMantle(v: RecordVerdict, ex: Example): void {
    const m = this.report.mantle;
    m.readiness[v.readiness].count++;
    keepExample(m.readiness[v.readiness].examples, ex);
    if (v.readiness === 'unknown') {
      for (const b of v.blockers) bump(m.unknownReasons, b.reason);
      return;
    }
    for (const b of v.blockers) {
      const slot = (m.blockers[b.subject] ??= { subject: b.subject, reason: clipText(b.reason), count: 0, examples: [] });
      slot.count++;
      keepSmaller(slot, 'reason', b.reason);
      keepSmaller(slot, 'source', b.source);
      keepSmaller(slot, 'asOf', b.asOf);
      keepExample(slot.examples, ex);
    }
    if (v.readiness !== 'change') return;
    for (const c of v.changes) {
      const slot = (m.changes[c.kind] ??= { count: 0, examples: [], details: {} });
      slot.count++;
      bump(slot.details, c.detail);
      keepExample(slot.examples, ex);
    }
  }

  /** A record whose model id has Legacy or end-of-life dates (not merely a family that has some). */
  private countLifecycle(model: string): void {
    const family = familyOf(this.k, model);
    const lifecycle = family && this.lifecycles.get(family.id);
    const base = baseModelId(model).base ?? model;
    if (!family || !lifecycle || lifecycle[base] === undefined) return;
    const slot = (this.report.lifecycle.models[family.id] ??= { label: family.label, count: 0, lifecycle });
    slot.count++;
  }

  private summaryOf(f: Finding): string {
    return this.k.findings.find((d) => d.code === f.code)?.summary ?? f.code;
  }
}

/** One rebuilt runtime request: its check today and its readiness for bedrock-mantle. */
export function auditRequest(preflight: Preflight, r: Pick<InvocationRecord, 'modelId' | 'region'>, runtime: RuntimeRequest): RecordVerdict {
  const k = preflight.knowledge;
  const today = preflight.check(runtime.envelope);
  const target = mantleTargetOf(k, r.modelId, runtime);
  if (target.served !== 'yes') {
    const blocker = { subject: target.served === 'no' ? 'model-not-served' : 'model-availability-unknown', reason: target.reason, ...(target.source ? { source: target.source } : {}) };
    return { today, readiness: target.served === 'no' ? 'cannot' : 'unknown', blockers: [blocker], changes: [] };
  }
  const blockers: RecordVerdict['blockers'] = capabilityBlockers(k, today, target.api);
  // A capability the request uses settles it: it cannot move. The check on mantle would only add more reasons,
  // at the cost of rewriting and checking every such record a second time.
  if (blockers.length > 0) return { today, readiness: 'cannot', blockers, changes: [] };
  const { envelope, changes } = mantleRequest(k, r.region, runtime, target);
  const onMantle = preflight.check(envelope);
  for (const f of onMantle.findings) {
    if (f.severity !== 'error') continue;
    if (BLOCKING_CODES.test(f.code)) {
      if (!blockers.some((b) => b.subject === f.subject)) blockers.push({ subject: f.subject, reason: f.message, ...(f.source ? { source: f.source } : {}) });
    } else {
      changes.push({ kind: 'drop-field', detail: `${f.subject}${f.fix ? `: ${f.fix}` : ''}` });
    }
  }
  const readiness: Readiness = blockers.length > 0 ? 'cannot' : changes.length > 0 ? 'change' : 'asIs';
  return { today, readiness, blockers, changes };
}

/** Capabilities the request uses whose bedrock-mantle cell is `no` (for the API it would take there). */
function capabilityBlockers(k: Knowledge, today: CheckReport, api: ApiId): RecordVerdict['blockers'] {
  const out: RecordVerdict['blockers'] = [];
  for (const cap of today.capabilities) {
    const row = k.matrix.find((m) => m.kind === 'capability' && m.id === cap.id && (m.api === undefined || m.api === api));
    const cell = row?.cells['bedrock-mantle'];
    if (!row || !cell || cell.value !== 'no' || out.some((b) => b.subject === cap.id)) continue;
    const table = k.tables.find((t) => t.id === row.table)?.title ?? row.table;
    out.push({ subject: cap.id, reason: `${row.label}: not supported on bedrock-mantle (${table})${cell.detail ? `; ${cell.detail}` : ''}`, source: cell.source, asOf: cell.asOf });
  }
  return out;
}

/**
 * The identity traffic is counted by: an assumed role without its session name (one per session would make the
 * count grow with the input, and the role is what attribution is about); other ARNs as they are.
 */
export function identityOf(arn: string | undefined): string {
  if (arn === undefined || arn === '') return '(none)';
  const m = /^(arn:aws[a-z-]*:sts::\d*:assumed-role\/[^/]+)\/.+$/.exec(arn);
  return m ? m[1]! : arn;
}

/**
 * Texts that can differ between records of one tally (a source, a reason naming a Region) keep the smaller, as a
 * merge does, so that a report does not depend on the order records came in.
 */
function keepSmaller<T extends object>(slot: T, key: keyof T & string, value: string | undefined): void {
  if (value === undefined) return;
  const s = slot as Record<string, unknown>;
  const old = s[key];
  const text = clipText(value);
  if (typeof old !== 'string' || text < old) s[key] = text;
}

/**
 * The Amazon Bedrock lifecycle of a family's model ids (rules/models.yaml `lifecycle`), one entry per id: its
 * Legacy and end-of-life dates and how sure they are. Null when the family has none.
 */
function lifecycleOf(family: ModelFamily): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const l of family.lifecycle ?? []) {
    const dates = `${l.legacyFrom ? `Legacy from ${l.legacyFrom}, ` : ''}end of life ${l.endOfLife}`;
    for (const id of l.ids) out[id] = `${dates} (${l.confidence}${l.regions ? `; in ${l.regions.join(', ')}` : ''}${l.exceptRegions ? `; not ${l.exceptRegions.join(', ')}` : ''}; ${l.source})`;
  }
  return Object.keys(out).length > 0 ? out : null;
}
