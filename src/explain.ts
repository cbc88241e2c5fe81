/**
 * explain: everything the knowledge says about one id (endpoint, api, capability, matrix row, rule or finding
 * code): its cells with source and date, the notes where sources disagree, the signals that detect it.
 */
import { PreflightInputError } from './errors.js';
import { ENDPOINT_IDS } from './types.js';
import type { CellValue, EndpointId, JreRule, Knowledge, ModelFeature, Note, RegionDef, RequestRuleDef, ServedBy, SignalDef, Sourced } from './types.js';
import { modelClassifierFor, type ModelForm } from './detect/models.js';
import { nearestRegions } from './compile/rules.js';

export interface ExplainedCell extends Sourced {
  table: string;
  tableTitle: string;
  row: string;
  api?: string;
  endpoint: EndpointId;
  value: CellValue;
  condition?: string;
  detail?: string;
  fix?: string;
}

export interface Explanation {
  id: string;
  kind: 'endpoint' | 'api' | 'capability' | 'row' | 'rule' | 'finding-code' | 'model' | 'region' | 'request-rule';
  label: string;
  summary?: string;
  cells: ExplainedCell[];
  notes: Array<Note & { about: string }>;
  signals?: SignalDef[];
  operations?: Array<{ id: string; path: string }>;
  hosts?: Knowledge['endpoints'][number]['hosts'];
  guidance?: Array<Sourced & { text: string }>;
  rules: string[];
  rule?: JreRule;
  /** For a model id: how it is named, its base id and family, and what each endpoint serves. */
  model?: {
    form: ModelForm;
    base: string | null;
    family: string | null;
    served: Partial<Record<EndpointId, (ServedBy | 'unknown')>>;
    features: Array<{ feature: string } & ModelFeature>;
    notes: Note[];
  };
  /** For a Region: where each endpoint is offered. */
  region?: RegionDef & { nearest: Partial<Record<EndpointId, string[]>> };
  /** For a request-shape rule: the rule as declared. */
  requestRule?: RequestRuleDef;
}

type Row = Knowledge['matrix'][number];
type EndpointDef = Knowledge['endpoints'][number];

/** The cells of `rows` (on one endpoint, or both), each with its table, source and date. */
function cellsOf(k: Knowledge, rows: readonly Row[], only?: EndpointId): ExplainedCell[] {
  const titles = new Map(k.tables.map((t) => [t.id, t.title]));
  return rows.flatMap((r) =>
    ENDPOINT_IDS.filter((e) => !only || e === only).map((e) => {
      const c = r.cells[e];
      return {
        table: r.table,
        tableTitle: titles.get(r.table) ?? r.table,
        row: r.label,
        ...(r.api ? { api: r.api } : {}),
        endpoint: e,
        value: c.value,
        ...(c.condition ? { condition: c.condition } : {}),
        ...(c.detail ? { detail: c.detail } : {}),
        ...(c.fix ? { fix: c.fix } : {}),
        source: c.source,
        asOf: c.asOf,
      };
    }),
  );
}

const notesOf = (rows: readonly Row[]): Explanation['notes'] => rows.flatMap((r) => (r.notes ?? []).map((n) => ({ ...n, about: r.label })));
const rulesAbout = (k: Knowledge, pred: (r: JreRule) => boolean): string[] => k.rules.filter(pred).map((r) => r.name);

function explainEndpoint(k: Knowledge, endpoint: EndpointDef): Explanation {
  const g = k.guidance;
  const throughput = g.throughput[endpoint.id];
  const prefer = g.prefer[endpoint.id];
  const isNew = g.newApplications.endpoint === endpoint.id;
  const guidance: Array<Sourced & { text: string }> = [
    ...(isNew ? [{ text: g.newApplications.why, source: g.newApplications.source, asOf: g.newApplications.asOf }] : []),
    { text: `Throughput and quotas: ${throughput.text}`, source: throughput.source, asOf: throughput.asOf },
    ...(prefer?.when ?? []).map((w) => ({ text: `Choose it when: ${w.text}`, source: prefer!.source, asOf: prefer!.asOf })),
    { text: `Pricing: ${g.pricing.text}`, source: g.pricing.source, asOf: g.pricing.asOf },
  ];
  const notes = [
    ...(throughput.notes ?? []).map((n) => ({ ...n, about: 'throughput and quotas' })),
    ...(isNew ? (g.newApplications.notes ?? []).map((n) => ({ ...n, about: 'recommendation for new applications' })) : []),
  ];
  return {
    id: endpoint.id,
    kind: 'endpoint',
    label: endpoint.label,
    summary: `${endpoint.description} Host: ${endpoint.host}; SigV4 signing name: ${endpoint.signingName}.`,
    cells: cellsOf(k, k.matrix, endpoint.id),
    notes,
    hosts: endpoint.hosts,
    guidance,
    rules: rulesAbout(k, (r) => r.event.params.endpoint === endpoint.id),
  };
}

/** An api, a capability or another matrix row: its rows' cells and notes. */
function explainSubject(k: Knowledge, id: string): Explanation | undefined {
  const api = k.apis.find((a) => a.id === id);
  if (api) {
    const rows = k.matrix.filter((r) => r.id === id || r.api === id);
    return { id, kind: 'api', label: api.label, cells: cellsOf(k, rows), notes: notesOf(rows), operations: api.operations, rules: rulesAbout(k, (r) => r.event.params.subject === id || r.event.params.api === id) };
  }
  const rows = k.matrix.filter((r) => r.id === id);
  const cap = k.capabilities.find((c) => c.id === id);
  if (cap) return { id, kind: 'capability', label: cap.label, summary: cap.summary, cells: cellsOf(k, rows), notes: notesOf(rows), signals: cap.signals, rules: rulesAbout(k, (r) => r.event.params.subject === id) };
  if (rows.length > 0) return { id, kind: 'row', label: rows[0]!.label, cells: cellsOf(k, rows), notes: notesOf(rows), rules: [] };
  return undefined;
}

function explainRule(k: Knowledge, rule: JreRule): Explanation {
  const p = rule.event.params;
  const rows = k.matrix.filter((r) => r.id === p.subject && (r.api ?? undefined) === p.api);
  return { id: rule.name, kind: 'rule', label: `${p.code} of ${p.subject} on ${p.endpoint ?? 'either endpoint'}${p.api ? ` (${p.api})` : ''}`, summary: p.message.replace('{where}', ''), cells: cellsOf(k, rows, p.endpoint), notes: notesOf(rows), rules: [rule.name], rule };
}

function explainRequestRule(r: RequestRuleDef): Explanation {
  return {
    id: r.id,
    kind: 'request-rule',
    label: `${r.code} (${r.subject}), ${r.severity}, ${r.confidence}`,
    summary: `${r.message.replace(/\{where\}/g, '')} Instead: ${r.fix}`,
    cells: [],
    notes: [
      ...(r.note ? [{ about: r.id, says: r.note, source: r.source, asOf: r.asOf }] : []),
      ...(r.serviceError ? [{ about: 'service error', says: `The service answers such a request with: ${r.serviceError}`, source: r.source, asOf: r.asOf }] : []),
    ],
    rules: [`request/${r.id}`],
    requestRule: r,
  };
}

function explainRegion(k: Knowledge, region: RegionDef): Explanation {
  const nearest: Partial<Record<EndpointId, string[]>> = {};
  for (const e of ENDPOINT_IDS) {
    if (region.endpoints[e] !== 'yes') nearest[e] = nearestRegions(region, k.regions.filter((r) => r.endpoints[e] === 'yes'), 3).map((r) => r.id);
  }
  const offered = ENDPOINT_IDS.map((e) => `${e}: ${region.endpoints[e]}`).join('; ');
  return {
    id: region.id,
    kind: 'region',
    label: region.label,
    summary: `${offered}.${region.note ? ` ${region.note}` : ''}`,
    cells: [],
    notes: [],
    rules: k.rules.filter((r) => r.name.endsWith(`/region/${region.id}`)).map((r) => r.name),
    region: { ...region, nearest },
  };
}

export function explain(k: Knowledge, idIn: string): Explanation {
  const endpoint = k.endpoints.find((e) => e.id === idIn || e.aliases.includes(idIn));
  if (endpoint) return explainEndpoint(k, endpoint);
  const id = idIn;
  const subject = explainSubject(k, id);
  if (subject) return subject;
  const rule = k.rules.find((r) => r.name === id);
  if (rule) return explainRule(k, rule);
  const reqRule = k.requestRules.find((r) => r.id === id);
  if (reqRule) return explainRequestRule(reqRule);
  const region = k.regions.find((r) => r.id === id);
  if (region) return explainRegion(k, region);
  const code = k.findings.find((f) => f.code === id);
  if (code) return { id, kind: 'finding-code', label: code.code, summary: code.summary, cells: [], notes: [], rules: rulesAbout(k, (r) => r.event.type === id) };
  // Anything else that looks like a model id (provider.model, a profile id or an ARN) is explained as a model.
  if (/^[a-z][a-z0-9-]*\.[a-z0-9]/.test(id) || id.startsWith('arn:')) return explainModel(k, id);
  throw new PreflightInputError('E_UNKNOWN_ID', `unknown id "${idIn}": not an endpoint, api, capability, matrix row, rule, finding code, Region or model id (try "bedrock-preflight rules" for rule names)`);
}

function explainModel(k: Knowledge, id: string): Explanation {
  const cls = modelClassifierFor(k.models)(id);
  const { base, form } = cls;
  const family = cls.family === null ? undefined : k.models.find((f) => f.id === cls.family);
  const forms: Record<ModelForm, string> = {
    base: 'a base model id',
    profile: 'a geographic or global inference profile id (cross-Region inference)',
    arn: 'an ARN that names a model',
    'arn-opaque': 'an ARN that does not name a model (a prompt router, provisioned throughput or application profile)',
  };
  if (!family) {
    const asOf = k.models.flatMap((f) => ENDPOINT_IDS.map((e) => f.endpoints[e])).filter((s): s is ServedBy => s !== 'unknown').map((s) => s.asOf).sort().pop() ?? '';
    return {
      id,
      kind: 'model',
      label: 'unknown model',
      summary: `${id} is ${forms[form]}. ${base === null ? 'It does not name a model, so no model knowledge applies.' : `No model family in the knowledge (as of ${asOf}) matches ${base}: which endpoints and APIs serve it is unknown, and check() reports it as an info finding, never an error.`}`,
      cells: [],
      notes: [],
      rules: [],
      model: { form, base, family: null, served: {}, features: [], notes: [] },
    };
  }
  const served: Partial<Record<EndpointId, ServedBy | 'unknown'>> = {};
  const lines: string[] = [];
  for (const e of ENDPOINT_IDS) {
    const s = family.endpoints[e];
    served[e] = s;
    if (s === 'unknown') lines.push(`${e}: unknown`);
    else lines.push(`${e}: ${s.apis.length ? s.apis.join(', ') : 'not served'}${s.route ? ` (route ${s.route})` : ''}${s.profileOnly || (e === 'bedrock-runtime' && family.profileRequired) ? ' (inference profile only)' : ''} [${s.confidence}]`);
  }
  const profile = family.profileRequired;
  const profileNotes = profile
    ? [{ about: 'inference profile only', says: `bedrock-runtime serves ${family.label} on demand only through an inference profile${profile.regions ? ` in ${profile.regions.join(', ')}` : ''} [${profile.confidence}]${profile.serviceError ? `; a base id gets: ${profile.serviceError}` : ''}`, source: profile.source, asOf: profile.asOf }]
    : [];
  const routeNotes = ENDPOINT_IDS.flatMap((e) => {
    const s = family.endpoints[e];
    const r = s === 'unknown' ? undefined : s.routeRequired;
    if (s === 'unknown' || r === undefined || base === null || !r.ids.includes(base)) return [];
    return [{ about: 'route', says: `${e} serves ${base} only under ${s.route} [${r.confidence}]${r.serviceError ? `; another route gets: ${r.serviceError}` : ''}`, source: r.source, asOf: r.asOf }];
  });
  const lifecycleNotes = (family.lifecycle ?? []).filter((l) => base !== null && l.ids.includes(base)).map((l) => ({
    about: 'lifecycle',
    says: `${l.label ?? family.label} on Amazon Bedrock: ${l.legacyFrom ? `Legacy from ${l.legacyFrom}, ` : ''}end of life on ${l.endOfLife}${l.regions ? ` (in ${l.regions.join(', ')})` : ''}${l.exceptRegions ? ` (not for ${l.exceptRegions.join(', ')})` : ''}; replacement: ${l.replacement} [${l.confidence}]${l.serviceError ? `; after it: ${l.serviceError}` : ''}`,
    source: l.source,
    asOf: l.asOf,
  }));
  const features = (['structuredOutputs', 'promptCaching', 'temperatureOrTopP'] as const)
    .filter((f) => family[f] !== undefined)
    .map((f) => ({ feature: f, ...family[f]! }));
  return {
    id,
    kind: 'model',
    label: family.label,
    summary: `${id} is ${forms[form]} of the family ${family.id} (${family.label}). ${lines.join('; ')}.`,
    cells: [],
    notes: [...(family.notes ?? []).map((n) => ({ ...n, about: family.label })), ...profileNotes, ...routeNotes, ...lifecycleNotes],
    rules: k.rules.filter((r) => r.name.includes(`/model/${family.id}`) || new RegExp(`^request/lifecycle-[a-z-]+-${family.id}-\\d+$`).test(r.name)).map((r) => r.name),
    model: { form, base, family: family.id, served, features, notes: family.notes ?? [] },
  };
}
