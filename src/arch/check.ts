/**
 * Architecture checks (`arch`): each workload of an architecture file, with the endpoint chosen for it, against
 * the capability matrix, the model knowledge and the Region knowledge. The reasons come from the same compiled
 * rules as `check` (run on the facts a workload implies: its apis, capabilities, models and Regions, with no
 * request), so a cell override or an organisation rule of the configuration counts here too.
 */
import { resolve } from 'node:path';
import { compileEvaluator, type Evaluator } from '../compile/evaluator.js';
import { renderMessage } from '../compile/template.js';
import { modelClassifierFor } from '../detect/models.js';
import { PreflightInputError } from '../errors.js';
import { builtInKnowledge } from '../preflight.js';
import { compileRecommender, type Recommender } from '../recommend.js';
import { ENDPOINT_IDS } from '../types.js';
import type { ApiId, CellValue, EndpointId, Facts, Finding, Knowledge, Recommendation, Severity } from '../types.js';
import { applyPolicy, preflightFor } from '../config/policy.js';
import type { ResolvedConfig, SuppressedFinding } from '../config/types.js';

export interface Workload {
  name: string;
  /** Where the workload's code lives, relative to the configuration's folder (for rules with files, ignores). */
  path?: string;
  /** An endpoint id or alias (runtime, mantle). */
  endpoint: string;
  needs: string[];
  models?: string[];
  regions?: string[];
  notes?: string;
}

export interface Architecture {
  title?: string;
  description?: string;
  workloads: Workload[];
}

export interface NeedCell {
  id: string;
  label: string;
  kind: 'api' | 'capability';
  cell: CellValue;
  condition?: string;
  detail?: string;
  source: string;
  asOf: string;
}

export interface WorkloadResult {
  name: string;
  path?: string;
  notes?: string;
  endpoint: EndpointId;
  ok: boolean;
  /** Each need's cell on the chosen endpoint (for a capability, the worst of its rows for the workload's apis). */
  needs: NeedCell[];
  /** Whether the endpoint serves each model (through the workload's apis): yes, no, or unknown. */
  models: Array<{ id: string; family: string | null; label: string | null; cell: CellValue }>;
  /** Whether the endpoint is offered in each Region: yes, no, or unknown. */
  regions: Array<{ id: string; label: string | null; cell: CellValue }>;
  /** Why the workload fails or what to watch, in the shape of check's findings (no paths). */
  reasons: Finding[];
  /** Reasons suppressed by the configuration, with why. */
  suppressed: SuppressedFinding[];
  /** The endpoint the matrix recommends for the needs (null when no single endpoint meets them, with a split). */
  recommendation: Recommendation;
}

export interface ArchReport {
  file?: string;
  title?: string;
  description?: string;
  /** The configuration applied, if any. */
  config: string | null;
  ok: boolean;
  summary: { workloads: number; ok: number; failing: number };
  /** Every need of any workload, apis first, in knowledge order: the columns of a grid. */
  needs: Array<{ id: string; label: string; kind: 'api' | 'capability' }>;
  workloads: WorkloadResult[];
  /** The sources of the cells and reasons shown, with their dates. */
  sources: Array<{ source: string; asOf: string }>;
}

export interface CheckArchitectureOptions {
  /** The knowledge to check against (default the built-in one, or the configuration's). */
  knowledge?: Knowledge;
  /** A configuration: its knowledge, organisation rules, severity overrides and ignores apply. */
  config?: ResolvedConfig;
  /** The architecture file (display path), for the report and as the path of workloads without one. */
  file?: string;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

interface Compiled {
  evaluator: Evaluator;
  recommender: Recommender;
  endpointNames: Map<string, EndpointId>;
}
const compiled = new WeakMap<Knowledge, Compiled>();
function compile(k: Knowledge): Compiled {
  let c = compiled.get(k);
  if (c === undefined) {
    const endpointNames = new Map<string, EndpointId>();
    for (const e of k.endpoints) {
      endpointNames.set(e.id, e.id);
      for (const a of e.aliases) endpointNames.set(a, e.id);
    }
    c = { evaluator: compileEvaluator(k.rules), recommender: compileRecommender(k), endpointNames };
    compiled.set(k, c);
  }
  return c;
}

/** Resolves an endpoint id or alias; undefined when unknown. */
export function archEndpointId(k: Knowledge, name: string): EndpointId | undefined {
  return compile(k).endpointNames.get(name);
}

/** Checks every workload; throws E_UNKNOWN_ENDPOINT / E_UNKNOWN_ID for ids outside the fixed lists. */
export function checkArchitecture(arch: Architecture, options: CheckArchitectureOptions = {}): ArchReport {
  const config = options.config;
  const baseK = options.knowledge ?? config?.knowledge ?? builtInKnowledge;
  const apiIds = new Set<string>(baseK.apis.map((a) => a.id));
  const capIds = new Set(baseK.capabilities.map((c) => c.id));
  const sources = new Map<string, { source: string; asOf: string }>();
  const workloads = arch.workloads.map((w) => {
    const endpoint = archEndpointId(baseK, w.endpoint);
    if (endpoint === undefined) throw new PreflightInputError('E_UNKNOWN_ENDPOINT', `workload "${w.name}": unknown endpoint "${w.endpoint}" (expected ${ENDPOINT_IDS.join(', ')}, runtime or mantle)`);
    for (const n of w.needs) {
      if (!apiIds.has(n) && !capIds.has(n)) throw new PreflightInputError('E_UNKNOWN_ID', `workload "${w.name}": unknown need "${n}" (expected an api or capability id)`);
    }
    const policyFile = config ? policyPath(config, w.path, options.file) : undefined;
    const k = config && options.knowledge === undefined ? preflightFor(config, policyFile).knowledge : baseK;
    return checkWorkload(w, endpoint, k, config, policyFile, sources);
  });
  const used = new Set(arch.workloads.flatMap((w) => w.needs));
  const needs = [
    ...baseK.apis.filter((a) => used.has(a.id)).map((a) => ({ id: a.id as string, label: a.label, kind: 'api' as const })),
    ...baseK.capabilities.filter((c) => used.has(c.id)).map((c) => ({ id: c.id, label: c.label, kind: 'capability' as const })),
  ];
  const failing = workloads.filter((w) => !w.ok).length;
  const report: ArchReport = {
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(arch.title !== undefined ? { title: arch.title } : {}),
    ...(arch.description !== undefined ? { description: arch.description } : {}),
    config: config?.file ?? null,
    ok: failing === 0,
    summary: { workloads: workloads.length, ok: workloads.length - failing, failing },
    needs,
    workloads,
    sources: [...sources.values()].sort((a, b) => a.source.localeCompare(b.source) || a.asOf.localeCompare(b.asOf)),
  };
  return report;
}

/** The path a workload's policy is matched on: its `path` under the configuration's root, else the file. */
function policyPath(config: ResolvedConfig, path: string | undefined, file: string | undefined): string | undefined {
  return path !== undefined ? resolve(config.root, path) : file;
}

/** Records a source and date the report cites. */
type Cite = (source: string, asOf: string) => void;

/** Each need's cell on the workload's endpoint. */
function needCells(k: Knowledge, c: Compiled, w: Workload, endpoint: EndpointId, apis: readonly ApiId[], cite: Cite): NeedCell[] {
  return w.needs.map((id) => {
    const { cell, row } = c.recommender.cellFor(id, endpoint, apis);
    const kind = apis.includes(id as ApiId) ? ('api' as const) : ('capability' as const);
    const label = kind === 'api' ? (k.apis.find((a) => a.id === id)?.label ?? id) : (k.capabilities.find((x) => x.id === id)?.label ?? row.label);
    const n: NeedCell = { id, label, kind, cell: cell.value, source: cell.source, asOf: cell.asOf };
    cite(cell.source, cell.asOf);
    if (cell.condition !== undefined) n.condition = cell.condition;
    if (cell.detail !== undefined) n.detail = cell.detail;
    return n;
  });
}

/** Whether the endpoint serves each model through every api of the workload. */
function modelCells(k: Knowledge, w: Workload, endpoint: EndpointId, apis: readonly ApiId[], cite: Cite): WorkloadResult['models'] {
  const classify = modelClassifierFor(k.models);
  return (w.models ?? []).map((id) => {
    const { family } = classify(id);
    const f = family === null ? undefined : k.models.find((m) => m.id === family);
    let cell: CellValue = 'unknown';
    const served = f?.endpoints[endpoint];
    if (served !== undefined && served !== 'unknown') {
      cell = served.apis.length === 0 || apis.some((a) => !served.apis.includes(a)) ? 'no' : 'yes';
      cite(served.source, served.asOf);
    }
    return { id, family, label: f?.label ?? null, cell };
  });
}

function regionCells(k: Knowledge, w: Workload, endpoint: EndpointId, cite: Cite): WorkloadResult['regions'] {
  return (w.regions ?? []).map((id) => {
    const r = k.regions.find((x) => x.id === id);
    if (r) cite(r.source, r.asOf);
    return { id, label: r?.label ?? null, cell: r ? r.endpoints[endpoint] : ('unknown' as CellValue) };
  });
}

type ModelClassifier = ReturnType<typeof modelClassifierFor>;

/** The facts of one request the workload may send: an api, a model and a Region (each possibly none). */
function requestFacts(classify: ModelClassifier, endpoint: EndpointId, api: ApiId | null, model: string | null, region: string | null, capabilities: string[]): Facts {
  const cls = model === null ? undefined : classify(model);
  return {
    endpoint,
    api,
    model,
    region,
    operation: null,
    capabilities,
    modelFamily: cls?.family ?? null,
    modelForm: cls?.form ?? null,
    route: null,
    signals: [],
  };
}

/** The findings of every combination of the workload's apis, models and Regions, each once, errors first. */
function workloadFindings(k: Knowledge, c: Compiled, w: Workload, endpoint: EndpointId, apis: readonly ApiId[], cite: Cite): Finding[] {
  const capabilities = closure(k, w.needs.filter((n) => !apis.includes(n as ApiId)));
  const classify = modelClassifierFor(k.models);
  const reasons: Finding[] = [];
  const seen = new Set<string>();
  for (const api of apis.length > 0 ? apis : [null]) {
    for (const model of w.models && w.models.length > 0 ? w.models : [null]) {
      for (const region of w.regions && w.regions.length > 0 ? w.regions : [null]) {
        for (const ev of c.evaluator.run(requestFacts(classify, endpoint, api, model, region, capabilities))) {
          // Request-shape rules are about a request's fields, which an architecture does not have.
          if (ev.rule.startsWith('request/')) continue;
          const p = ev.params;
          const message = renderMessage(ev.message, { where: '', model: model ?? '', region: region ?? '', api: api ?? '' });
          const key = `${p.code}|${p.subject}|${message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const f: Finding = { code: p.code, subject: p.subject, severity: p.severity, message };
          cite(p.source, p.asOf);
          if (p.source !== '') f.source = p.source;
          if (p.fix !== undefined) f.fix = p.fix;
          if (p.confidence !== undefined) f.confidence = p.confidence;
          reasons.push(f);
        }
      }
    }
  }
  return reasons.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

function checkWorkload(
  w: Workload,
  endpoint: EndpointId,
  k: Knowledge,
  config: ResolvedConfig | undefined,
  policyFile: string | undefined,
  sources: Map<string, { source: string; asOf: string }>,
): WorkloadResult {
  const c = compile(k);
  const cite: Cite = (source, asOf) => {
    if (source !== '') sources.set(`${source} ${asOf}`, { source, asOf });
  };
  const apiIds = new Set<string>(k.apis.map((a) => a.id));
  const apis = w.needs.filter((n) => apiIds.has(n)) as ApiId[];
  const rec = c.recommender.recommend(w.needs, endpoint);
  const needs = needCells(k, c, w, endpoint, apis, cite);
  const models = modelCells(k, w, endpoint, apis, cite);
  const regions = regionCells(k, w, endpoint, cite);
  const reasons = workloadFindings(k, c, w, endpoint, apis, cite);
  const policy = config ? applyPolicy(config, reasons, policyFile) : { findings: reasons, suppressed: [] };
  const recommendation: Recommendation = { endpoint: rec.endpoint, reasons: [...rec.reasons] };
  if (rec.split) recommendation.split = { ...rec.split };
  return {
    name: w.name,
    ...(w.path !== undefined ? { path: w.path } : {}),
    ...(w.notes !== undefined ? { notes: w.notes } : {}),
    endpoint,
    ok: !policy.findings.some((f) => f.severity === 'error'),
    needs,
    models,
    regions,
    reasons: policy.findings,
    suppressed: policy.suppressed,
    recommendation,
  };
}

/** The capabilities with every capability they imply. */
function closure(k: Knowledge, ids: string[]): string[] {
  const out = new Set<string>();
  const add = (id: string): void => {
    if (out.has(id)) return;
    out.add(id);
    for (const i of k.capabilities.find((c) => c.id === id)?.implies ?? []) add(i);
  };
  ids.forEach(add);
  // In knowledge order, as the detector lists them.
  return k.capabilities.filter((c) => out.has(c.id)).map((c) => c.id);
}

export const exitCodeOfArch = (r: Pick<ArchReport, 'ok'>): 0 | 1 => (r.ok ? 0 : 1);
