/**
 * Compiles the knowledge into json-rules-engine rules: one rule per matrix cell that is not `yes`, per model
 * family fact, per Region an endpoint is missing from, and per request-shape rule. These rules are the reference
 * semantics; the synchronous evaluator (evaluator.ts) runs the same rules.
 */
import { ENDPOINT_IDS } from '../types.js';
import type {
  ApiId,
  CellValue,
  Confidence,
  EndpointId,
  FindingCode,
  JreCondition,
  JreRule,
  Knowledge,
  MatrixRow,
  ModelFamily,
  ModelFeatureName,
  RegionDef,
  RuleEventParams,
  ServedBy,
  Severity,
} from '../types.js';
import { fillTemplate } from './template.js';
import { compileLinearRegex } from '../linear-regex.js';
import { lifecycleRules } from './lifecycle.js';

const SEVERITY: Record<Exclude<CellValue, 'yes'>, Severity> = { no: 'error', conditional: 'warning', unknown: 'info' };
const SUFFIX: Record<Exclude<CellValue, 'yes'>, string> = { no: 'unsupported', conditional: 'conditional', unknown: 'unknown' };

/** Which capability a model feature of rules/models.yaml is about. */
export const FEATURE_CAPABILITY: Partial<Record<ModelFeatureName, string>> = {
  structuredOutputs: 'structured-outputs',
  promptCaching: 'prompt-caching',
};

/** The rule name of a cell: `<endpoint>/<subject>` or `<endpoint>/<subject>/<api>` for an api-limited row. */
export const ruleName = (endpoint: string, row: Pick<MatrixRow, 'id' | 'api'>): string =>
  row.api ? `${endpoint}/${row.id}/${row.api}` : `${endpoint}/${row.id}`;

const other = (e: EndpointId): EndpointId => ENDPOINT_IDS.find((x) => x !== e)!;
const eq = (fact: string, value: unknown): JreCondition => ({ fact, operator: 'equal', value });
const severityOf = (confidence: Confidence, wanted: Severity = 'error'): Severity => (confidence === 'inferred' && wanted === 'error' ? 'warning' : wanted);
const confidenceNote = (c: Confidence): string => (c === 'confirmed' ? ' (confirmed by the source)' : ' (inferred: the source is community evidence or reasoning)');

function rule(name: string, all: JreCondition[], params: RuleEventParams): JreRule {
  return { name, priority: 1, conditions: { all }, event: { type: params.code, params } };
}

type RuleKnowledge = Pick<Knowledge, 'matrix' | 'tables' | 'findings' | 'models' | 'regions' | 'requestRules' | 'apis' | 'capabilities' | 'endpoints'>;

/** What every part of the compilation reads: the knowledge, and lookups made from it once. */
interface RuleContext {
  k: RuleKnowledge;
  template(code: FindingCode): string;
  /** A finding code's definition, which must name its source. */
  codeDef(code: FindingCode): RuleKnowledge['findings'][number] & { source: string };
  titles: Map<string, string>;
  apiLabel: Map<string, string>;
  capLabel: Map<string, string>;
  /** The latest as-of date of the model families' facts. */
  modelsAsOf: string;
}

export function compileRules(k: RuleKnowledge): JreRule[] {
  const c = ruleContext(k);
  return [
    ...matrixRules(c),
    ...k.models.flatMap((f) => [...ENDPOINT_IDS.flatMap((e) => modelServedRules(c, f, e)), ...modelFeatureRules(c, f)]),
    ...modelFallbackRules(c),
    ...regionRules(c),
    ...requestShapeRules(c),
  ];
}

const latest = (dates: string[]): string => dates.reduce((a, b) => (a > b ? a : b), '');

function ruleContext(k: RuleKnowledge): RuleContext {
  const templates = new Map(k.findings.map((f) => [f.code, f.template]));
  return {
    k,
    template(code) {
      const t = templates.get(code);
      if (t === undefined) throw new Error(`findings.yaml has no template for "${code}"`);
      return t;
    },
    codeDef(code) {
      const d = k.findings.find((f) => f.code === code);
      if (!d?.source) throw new Error(`findings.yaml: "${code}" needs a source`);
      return { ...d, source: d.source };
    },
    titles: new Map(k.tables.map((t) => [t.id, t.title])),
    apiLabel: new Map(k.apis.map((a) => [a.id, a.label])),
    capLabel: new Map(k.capabilities.map((cap) => [cap.id, cap.label])),
    modelsAsOf: latest(k.models.flatMap((f) => ENDPOINT_IDS.map((e) => f.endpoints[e]).filter((s): s is ServedBy => s !== 'unknown').map((s) => s.asOf))),
  };
}

/** Model families that settle a conditional or unknown capability cell for an endpoint. */
function settledBy(k: RuleKnowledge, capability: string, endpoint: EndpointId): string[] {
  const feature = (Object.keys(FEATURE_CAPABILITY) as ModelFeatureName[]).find((f) => FEATURE_CAPABILITY[f] === capability);
  if (!feature) return [];
  // A 'no' is reported by the model's own rule; a 'yes' settles the cell only when a source confirms it.
  return k.models.filter((m) => {
    const f = m[feature];
    const v = f?.[endpoint];
    return v === 'no' || (v === 'yes' && f?.confidence === 'confirmed');
  }).map((m) => m.id);
}

/** 1. Matrix cells. For a capability with api-limited rows, its general row applies to every other api. */
function matrixRules(c: RuleContext): JreRule[] {
  const limitedApis = new Map<string, string[]>();
  for (const row of c.k.matrix) if (row.api) limitedApis.set(row.id, [...(limitedApis.get(row.id) ?? []), row.api]);
  const rules: JreRule[] = [];
  for (const row of c.k.matrix) {
    if (row.kind === 'other') continue;
    for (const endpoint of ENDPOINT_IDS) {
      if (row.cells[endpoint].value !== 'yes') rules.push(cellRule(c, row, endpoint, limitedApis.get(row.id)));
    }
  }
  return rules;
}

function cellConditions(c: RuleContext, row: MatrixRow, endpoint: EndpointId, limitedApis: string[] | undefined): JreCondition[] {
  const all: JreCondition[] = [eq('endpoint', endpoint)];
  if (row.kind === 'api') all.push(eq('api', row.id));
  else all.push({ fact: 'capabilities', operator: 'contains', value: row.id });
  if (row.api) all.push(eq('api', row.api));
  else if (row.kind === 'capability' && limitedApis !== undefined) all.push({ fact: 'api', operator: 'notIn', value: limitedApis });
  // A model whose own knowledge settles a conditional or unknown cell is judged by that knowledge instead.
  if (row.cells[endpoint].value !== 'no' && row.kind === 'capability') {
    const settled = settledBy(c.k, row.id, endpoint);
    if (settled.length > 0) all.push({ fact: 'modelFamily', operator: 'notIn', value: settled });
  }
  return all;
}

function cellRule(c: RuleContext, row: MatrixRow, endpoint: EndpointId, limitedApis: string[] | undefined): JreRule {
  const cell = row.cells[endpoint];
  const value = cell.value as Exclude<CellValue, 'yes'>;
  const code = `${row.kind}-${SUFFIX[value]}` as FindingCode;
  const message = fillTemplate(c.template(code), {
    label: row.label,
    subject: row.id,
    endpoint,
    other: other(endpoint),
    table: c.titles.get(row.table) ?? row.table,
    cell: cell.value,
    detail: cell.detail ? `; ${cell.detail}` : '',
    condition: cell.condition ?? '',
    fix: cell.fix ?? `send the request to ${other(endpoint)}.`,
  });
  return rule(ruleName(endpoint, row), cellConditions(c, row, endpoint, limitedApis), {
    code,
    subject: row.id,
    severity: SEVERITY[value],
    endpoint,
    ...(row.api ? { api: row.api } : {}),
    table: row.table,
    cell: cell.value,
    source: cell.source,
    asOf: cell.asOf,
    ...(cell.condition ? { condition: cell.condition } : {}),
    ...(cell.fix ? { fix: cell.fix } : {}),
    pathFrom: row.kind === 'api' ? 'api' : 'capability',
    message,
  });
}

/** The event of a model family's rule: its facts' source and confidence, the code's template filled with `data`. */
function modelParams(c: RuleContext, code: FindingCode, f: ModelFamily, e: EndpointId, s: { source: string; asOf: string; confidence: Confidence }, data: Record<string, string>): RuleEventParams {
  return {
    code,
    subject: data['subject'] ?? 'model',
    severity: severityOf(s.confidence),
    endpoint: e,
    table: 'models',
    cell: 'no',
    source: s.source,
    asOf: s.asOf,
    fix: data['fix']!,
    confidence: s.confidence,
    pathFrom: data['pathFrom'] === 'capability' ? 'capability' : data['pathFrom'] === 'api' ? 'api' : 'model',
    message: fillTemplate(c.template(code), { label: f.label, endpoint: e, ...data }) + confidenceNote(s.confidence),
  };
}

/** 2. How an endpoint serves a model family: not at all, not through some apis, on one route, by profile only. */
function modelServedRules(c: RuleContext, f: ModelFamily, e: EndpointId): JreRule[] {
  const served = f.endpoints[e];
  if (served === 'unknown') return [];
  const base = [eq('endpoint', e), eq('modelFamily', f.id)];
  const otherServed = f.endpoints[other(e)];
  const elsewhere = otherServed !== 'unknown' && otherServed.apis.length > 0 ? otherServed.apis : undefined;
  if (served.apis.length === 0) {
    const fix = elsewhere ? `send it to ${other(e)}, which serves it through ${elsewhere.join(', ')}.` : `pick a model that ${e} serves.`;
    return [rule(`${e}/model/${f.id}`, [...base, { fact: 'api', operator: 'notEqual', value: null }], modelParams(c, 'model-unsupported', f, e, served, { fix }))];
  }
  const rules: JreRule[] = [];
  const offered = c.k.matrix.filter((r) => r.kind === 'api' && r.cells[e].value !== 'no').map((r) => r.id as ApiId);
  const missing = offered.filter((a) => !served.apis.includes(a));
  if (missing.length > 0) {
    rules.push(
      rule(`${e}/model/${f.id}/api`, [...base, { fact: 'api', operator: 'in', value: missing }], modelParams(c, 'model-api-unsupported', f, e, served, {
        apis: served.apis.map((a) => c.apiLabel.get(a) ?? a).join(', '),
        fix: `call it through ${served.apis.join(' or ')} on ${e}${elsewhere ? `, or send it to ${other(e)} (${elsewhere.join(', ')})` : ''}.`,
      })),
    );
  }
  const routed = served.apis.filter((a) => a === 'chat-completions' || a === 'responses');
  if (served.route !== undefined && routed.length > 0) rules.push(...routeRules(c, f, e, served, [...base, { fact: 'api', operator: 'in', value: routed }]));
  const profile = e === 'bedrock-runtime' ? f.profileRequired : undefined;
  if (served.profileOnly === true || profile !== undefined) {
    const inRegions = profile?.regions ? [{ fact: 'region', operator: 'in', value: profile.regions }] : [];
    rules.push(
      rule(`${e}/model/${f.id}/profile`, [...base, { fact: 'api', operator: 'notEqual', value: null }, eq('modelForm', 'base'), ...inRegions], modelParams(c, 'model-profile-required', f, e, profile ?? served, {
        fix: 'use a geographic or global inference profile id (for example us.<model id> or global.<model id>) or its ARN.',
      })),
    );
  }
  return rules;
}

/**
 * A family served on one route only (mantle's /openai/v1, say): another route is a finding. The ids that
 * `routeRequired` names get it at that evidence's confidence, the family's other ids at the entry's.
 */
function routeRules(c: RuleContext, f: ModelFamily, e: EndpointId, served: ServedBy, base: JreCondition[]): JreRule[] {
  const route = served.route!;
  const onOtherRoute = [...base, { fact: 'route', operator: 'notIn', value: [route, null] }];
  const data = { route, pathFrom: 'api', fix: `use the base URL https://${(c.k.endpoints.find((x) => x.id === e)?.host ?? e).replace('{region}', '<region>')}${route}.` };
  const named = served.routeRequired;
  if (named === undefined) return [rule(`${e}/model/${f.id}/route`, onOtherRoute, modelParams(c, 'model-route-mismatch', f, e, served, data))];
  return [
    rule(`${e}/model/${f.id}/route`, [...onOtherRoute, { fact: 'model', operator: 'in', value: named.ids }], modelParams(c, 'model-route-mismatch', f, e, named, data)),
    rule(`${e}/model/${f.id}/route-other-ids`, [...onOtherRoute, { fact: 'model', operator: 'notIn', value: named.ids }], modelParams(c, 'model-route-mismatch', f, e, served, data)),
  ];
}

/** 2b. Model features (structured outputs, prompt caching) a family lacks on an endpoint. */
function modelFeatureRules(c: RuleContext, f: ModelFamily): JreRule[] {
  const rules: JreRule[] = [];
  for (const feature of Object.keys(FEATURE_CAPABILITY) as ModelFeatureName[]) {
    const known = f[feature];
    const capability = FEATURE_CAPABILITY[feature]!;
    if (!known) continue;
    const label = c.capLabel.get(capability) ?? capability;
    for (const e of ENDPOINT_IDS) {
      if (known[e] !== 'no') continue;
      const all = [eq('endpoint', e), eq('modelFamily', f.id), { fact: 'capabilities', operator: 'contains', value: capability }];
      // Where the capability's own cell is `no` for an api, that cell's rule reports it.
      const noApis = c.k.matrix.filter((r) => r.id === capability && r.api && r.cells[e].value === 'no').map((r) => r.api!);
      if (noApis.length > 0) all.push({ fact: 'api', operator: 'notIn', value: noApis });
      rules.push(
        rule(`${e}/model/${f.id}/${capability}`, all, modelParams(c, 'model-feature-unsupported', f, e, known, {
          subject: capability,
          feature: label,
          pathFrom: 'capability',
          fix: `remove it from the request, or pick a model that supports ${label} on ${e}.`,
        })),
      );
    }
  }
  return rules;
}

/** 2c. A model id no family matches, and ARNs on mantle. */
function modelFallbackRules(c: RuleContext): JreRule[] {
  const unknownModel = c.codeDef('model-unknown');
  const rules = ENDPOINT_IDS.map((e) =>
    rule(`${e}/model-unknown`, [eq('endpoint', e), { fact: 'model', operator: 'notEqual', value: null }, eq('modelFamily', null), { fact: 'modelForm', operator: 'notEqual', value: 'arn-opaque' }], {
      code: 'model-unknown',
      subject: 'model',
      severity: 'info',
      endpoint: e,
      table: 'models',
      cell: 'unknown',
      source: unknownModel.source,
      asOf: c.modelsAsOf,
      pathFrom: 'model',
      message: fillTemplate(c.template('model-unknown'), { endpoint: e, asOf: c.modelsAsOf }),
    }),
  );
  const idForm = c.codeDef('model-id-form');
  const confidence = idForm.confidence ?? 'inferred';
  rules.push(
    rule('bedrock-mantle/model-id-form', [eq('endpoint', 'bedrock-mantle'), { fact: 'modelForm', operator: 'in', value: ['arn', 'arn-opaque'] }], {
      code: 'model-id-form',
      subject: 'model',
      severity: severityOf(confidence),
      endpoint: 'bedrock-mantle',
      table: 'models',
      cell: 'no',
      source: idForm.source,
      asOf: idForm.asOf ?? c.modelsAsOf,
      ...(idForm.fix ? { fix: idForm.fix } : {}),
      confidence,
      pathFrom: 'model',
      message: fillTemplate(idForm.template, { endpoint: 'bedrock-mantle', fix: idForm.fix ?? '' }) + confidenceNote(confidence),
    }),
  );
  return rules;
}

/** 3. Regions an endpoint is missing from (or not known to be in), and Regions not in the knowledge. */
function regionRules(c: RuleContext): JreRule[] {
  const known = c.k.regions.map((r) => r.id);
  const regionsAsOf = latest(c.k.regions.map((r) => r.asOf));
  return ENDPOINT_IDS.flatMap((e) => [
    ...c.k.regions.filter((r) => r.endpoints[e] !== 'yes').map((r) => regionRule(c, r, e)),
    rule(`${e}/region-unknown`, [eq('endpoint', e), { fact: 'region', operator: 'notIn', value: [...known, null] }], {
      code: 'region-unknown',
      subject: 'region',
      severity: 'warning',
      endpoint: e,
      table: 'regions',
      cell: 'unknown',
      source: c.codeDef('region-unknown').source,
      asOf: regionsAsOf,
      pathFrom: 'region',
      message: fillTemplate(c.template('region-unknown'), { asOf: regionsAsOf, endpoint: e }),
    }),
  ]);
}

function regionRule(c: RuleContext, r: RegionDef, e: EndpointId): JreRule {
  const v = r.endpoints[e] as Exclude<CellValue, 'yes'>;
  const code: FindingCode = v === 'no' ? 'region-unsupported' : 'region-endpoint-unknown';
  const confidence = r.confidence ?? 'confirmed';
  const offeredIn = c.k.regions.filter((x) => x.endpoints[e] === 'yes');
  const nearest = nearestRegions(r, offeredIn, 3).map((n) => `${n.id} (${n.label})`).join(', ');
  return rule(`${e}/region/${r.id}`, [eq('endpoint', e), eq('region', r.id)], {
    code,
    subject: 'region',
    severity: v === 'no' ? severityOf(confidence) : 'warning',
    endpoint: e,
    table: 'regions',
    cell: v,
    source: r.source,
    asOf: r.asOf,
    fix: `send the request to ${e} in one of: ${nearest}.`,
    confidence,
    pathFrom: 'region',
    message: fillTemplate(c.template(code), { endpoint: e, label: r.label, nearest }) + (v === 'no' ? confidenceNote(confidence) : ''),
  });
}

/** 4. Request-shape rules (rules/requests.yaml), then the dated rules of the models' lifecycle. */
function requestShapeRules(c: RuleContext): JreRule[] {
  const lifecycle = lifecycleRules(c.k.models, c.k.apis.map((a) => a.id));
  return [...c.k.requestRules, ...lifecycle].map((r) => {
    const all: JreCondition[] = [];
    if (r.endpoints && r.endpoints.length === 1) all.push(eq('endpoint', r.endpoints[0]));
    all.push(r.apis.length === 1 ? eq('api', r.apis[0]) : { fact: 'api', operator: 'in', value: r.apis });
    if (r.operations) all.push({ fact: 'operation', operator: 'in', value: r.operations });
    if (r.routes) all.push({ fact: 'route', operator: 'in', value: r.routes });
    if (r.regions) all.push({ fact: 'region', operator: 'in', value: r.regions });
    if (r.exceptRegions) all.push({ fact: 'region', operator: 'notIn', value: r.exceptRegions });
    if (r.models) all.push({ fact: 'modelFamily', operator: 'in', value: familiesOf(c.k.models, r.models, r.endpoints) });
    if (r.when) all.push({ fact: 'signals', operator: 'contains', value: r.id });
    return rule(`request/${r.id}`, all, {
      code: r.code,
      subject: r.subject,
      severity: severityOf(r.confidence, r.severity),
      ...(r.endpoints?.length === 1 ? { endpoint: r.endpoints[0]! } : {}),
      table: 'requests',
      cell: 'no',
      source: r.source,
      asOf: r.asOf,
      fix: r.fix,
      confidence: r.confidence,
      pathFrom: r.when ? 'signal' : r.routes ? 'api' : 'signal',
      message: `${r.message.replace(/\s+$/, '')} Instead: ${r.fix}${confidenceNote(r.confidence)}`,
    });
  });
}

/** The model families a selector names (ids, an id pattern, a feature that is yes on the endpoints), in knowledge order. */
export function familiesOf(models: readonly ModelFamily[], sel: NonNullable<Knowledge['requestRules'][number]['models']>, endpoints?: EndpointId[]): string[] {
  const re = sel.familyMatches !== undefined ? compileLinearRegex(sel.familyMatches) : undefined;
  const except = sel.exceptFamilyMatches !== undefined ? compileLinearRegex(sel.exceptFamilyMatches) : undefined;
  return models
    .filter((m) => {
      if (sel.families && !sel.families.includes(m.id)) return false;
      if (sel.exceptFamilies?.includes(m.id)) return false;
      if (re && !re.test(m.id)) return false;
      if (except?.test(m.id)) return false;
      if (sel.feature) {
        const f = m[sel.feature];
        if (!f) return false;
        const es = endpoints ?? ENDPOINT_IDS;
        if (!es.some((e) => f[e] === 'yes')) return false;
      }
      return true;
    })
    .map((m) => m.id);
}

/** The `count` Regions of `candidates` nearest to `r` by great-circle distance. */
export function nearestRegions(r: RegionDef, candidates: readonly RegionDef[], count: number): RegionDef[] {
  const rad = Math.PI / 180;
  const dist = (a: RegionDef, b: RegionDef) => {
    const [la1, lo1] = a.location;
    const [la2, lo2] = b.location;
    const h = Math.sin(((la2 - la1) * rad) / 2) ** 2 + Math.cos(la1 * rad) * Math.cos(la2 * rad) * Math.sin(((lo2 - lo1) * rad) / 2) ** 2;
    return 2 * Math.asin(Math.min(1, Math.sqrt(h)));
  };
  return candidates
    .filter((c) => c.id !== r.id)
    .map((c) => ({ c, d: dist(r, c) }))
    .sort((a, b) => a.d - b.d || a.c.id.localeCompare(b.c.id))
    .slice(0, count)
    .map((x) => x.c);
}
