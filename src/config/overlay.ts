/**
 * Overlays make a new Knowledge: a deep copy of the base knowledge with cells overridden (the overridden cell
 * carries the override's source and date; the built-in value and the reason are kept as a note) and the
 * organisation rules compiled into json-rules-engine rules over the same facts as the built-in rules. A rule
 * that tests the request's body or headers adds a request-shape test (the forms of rules/requests.yaml), so the
 * detector computes its signal. Nothing here runs code from an overlay: rules stay data.
 */
import { compileRules } from '../compile/rules.js';
import { ENDPOINT_IDS } from '../types.js';
import type { ApiId, Cell, EndpointId, FindingCode, JreCondition, JreRule, Knowledge, MatrixRow, RequestRuleDef, RuleEventParams } from '../types.js';
import type { CellOverride, OrgRule, OrgRuleSelector } from './types.js';
import { familiesOf } from '../compile/rules.js';

/** The prefix of the ids of request-shape tests that organisation rules add. */
export const POLICY_SIGNAL_PREFIX = 'policy-';

const eq = (fact: string, value: unknown): JreCondition => ({ fact, operator: 'equal', value });

/** The model families a selector names, in knowledge order. */
const familiesOfSelector = (k: Pick<Knowledge, 'models'>, sel: { families?: string[]; familyMatches?: string }): string[] => familiesOf(k.models, sel);

/** Compiles one organisation rule to json-rules-engine rules (and the request-shape tests they rely on). */
export function compileOrgRule(r: Omit<OrgRule, 'compiled'>, k: Pick<Knowledge, 'models' | 'apis'>): { rules: JreRule[]; requestRules: RequestRuleDef[] } {
  const requestRules: RequestRuleDef[] = [];
  const allApis = k.apis.map((a) => a.id);
  const testDef = (id: string, sel: OrgRuleSelector | undefined, when: NonNullable<OrgRuleSelector['request']>): RequestRuleDef => ({
    id,
    code: (r.code ?? 'policy-request-forbidden') as FindingCode,
    subject: r.subject ?? r.id,
    ...(sel?.endpoints ? { endpoints: sel.endpoints } : {}),
    apis: sel?.apis ?? allApis,
    when,
    severity: r.severity,
    confidence: 'confirmed',
    userPatterns: true,
    message: r.message,
    fix: r.fix ?? '',
    source: r.source ?? '',
    asOf: r.asOf ?? '',
  });

  const base: JreCondition[] = [];
  const w = r.when;
  if (w?.endpoints) base.push(w.endpoints.length === 1 ? eq('endpoint', w.endpoints[0]) : { fact: 'endpoint', operator: 'in', value: w.endpoints });
  if (w?.apis) base.push(w.apis.length === 1 ? eq('api', w.apis[0]) : { fact: 'api', operator: 'in', value: w.apis });
  if (w?.regions) base.push({ fact: 'region', operator: 'in', value: w.regions });
  if (w?.models) base.push({ fact: 'modelFamily', operator: 'in', value: familiesOfSelector(k, w.models) });
  for (const c of w?.capabilities ?? []) base.push({ fact: 'capabilities', operator: 'contains', value: c });
  if (w?.request) {
    const id = `${POLICY_SIGNAL_PREFIX}${r.id}-when`;
    requestRules.push(testDef(id, w, w.request));
    base.push({ fact: 'signals', operator: 'contains', value: id });
  }

  const rules: JreRule[] = [];
  const message = `${r.message.replace(/\s+$/, '')}${r.fix ? ` Instead: ${r.fix}` : ''} (organisation rule ${r.id}, ${r.by})`;
  const add = (name: string, conditions: JreCondition[], kind: string, required: boolean, subject: string, pathFrom: RuleEventParams['pathFrom']): void => {
    const code = (r.code ?? `policy-${kind}-${required ? 'required' : 'forbidden'}`) as FindingCode;
    const params: RuleEventParams = {
      code,
      subject: r.subject ?? subject,
      severity: r.severity,
      table: 'policy',
      cell: 'no',
      source: r.source ?? '',
      asOf: r.asOf ?? '',
      ...(r.fix ? { fix: r.fix } : {}),
      confidence: 'confirmed',
      pathFrom,
      message,
    };
    rules.push({ name, priority: 1, conditions: { all: [...base, ...conditions] }, event: { type: code, params } });
  };

  const q = r.require;
  if (q) {
    for (const c of q.capabilities ?? []) add(`policy/${r.id}/requires/${c}`, [{ fact: 'capabilities', operator: 'doesNotContain', value: c }], 'capability', true, c, 'api');
    if (q.apis) add(`policy/${r.id}/requires/api`, [{ fact: 'api', operator: 'notEqual', value: null }, { fact: 'api', operator: 'notIn', value: q.apis }], 'api', true, 'api', 'api');
    if (q.endpoints) add(`policy/${r.id}/requires/endpoint`, [{ fact: 'endpoint', operator: 'notIn', value: q.endpoints }], 'endpoint', true, 'endpoint', 'api');
    if (q.regions) add(`policy/${r.id}/requires/region`, [{ fact: 'region', operator: 'notEqual', value: null }, { fact: 'region', operator: 'notIn', value: q.regions }], 'region', true, 'region', 'region');
    if (q.models) add(`policy/${r.id}/requires/model`, [{ fact: 'model', operator: 'notEqual', value: null }, { fact: 'modelFamily', operator: 'notIn', value: familiesOfSelector(k, q.models) }], 'model', true, 'model', 'model');
  }
  const f = r.forbid;
  if (f) {
    for (const c of f.capabilities ?? []) add(`policy/${r.id}/forbids/${c}`, [{ fact: 'capabilities', operator: 'contains', value: c }], 'capability', false, c, 'capability');
    for (const a of f.apis ?? []) add(`policy/${r.id}/forbids/${a}`, [eq('api', a)], 'api', false, a, 'api');
    for (const e of f.endpoints ?? []) add(`policy/${r.id}/forbids/${e}`, [eq('endpoint', e)], 'endpoint', false, e, 'api');
    if (f.regions) add(`policy/${r.id}/forbids/region`, [{ fact: 'region', operator: 'in', value: f.regions }], 'region', false, 'region', 'region');
    if (f.models) add(`policy/${r.id}/forbids/model`, [{ fact: 'modelFamily', operator: 'in', value: familiesOfSelector(k, f.models) }], 'model', false, 'model', 'model');
    if (f.request) {
      // Named request/<test id>, so that the finding's path is the test's evidence (as for rules/requests.yaml).
      const id = `${POLICY_SIGNAL_PREFIX}${r.id}`;
      requestRules.push(testDef(id, w, f.request));
      add(`request/${id}`, [{ fact: 'signals', operator: 'contains', value: id }], 'request', false, r.id, 'signal');
    }
  }
  return { rules, requestRules };
}

/** Replaces one cell of a (copied) matrix row, keeping the built-in value as a note. */
function overrideCell(row: MatrixRow, o: CellOverride): void {
  const e: EndpointId = o.endpoint;
  const seed = row.cells[e];
  const cell: Cell = { value: o.value, source: o.source, asOf: o.asOf };
  if (o.condition !== undefined) cell.condition = o.condition;
  if (o.detail !== undefined) cell.detail = o.detail;
  if (o.fix !== undefined) cell.fix = o.fix;
  row.cells[e] = cell;
  row.support[e] = o.value;
  const was = `${seed.value}${seed.condition ? ` (${seed.condition})` : ''}${seed.detail ? ` (${seed.detail})` : ''}`;
  row.notes = [
    ...(row.notes ?? []),
    { asOf: seed.asOf, source: seed.source, says: `Built-in value on ${e}: ${was}. Overridden to ${o.value} by ${o.by} (source ${o.source}, as of ${o.asOf}): ${o.reason}` },
  ];
  for (const key of ['condition', 'detail'] as const) {
    const out: Partial<Record<EndpointId, string>> = {};
    for (const x of ENDPOINT_IDS) {
      const v = row.cells[x][key];
      if (v !== undefined) out[x] = v;
    }
    if (Object.keys(out).length > 0) row[key] = out;
    else delete row[key];
  }
}

/** The matrix row a cell override names; undefined when there is none. */
export function rowFor(k: Pick<Knowledge, 'matrix'>, id: string, api: ApiId | undefined): MatrixRow | undefined {
  return k.matrix.find((r) => r.id === id && r.api === api);
}

/**
 * The knowledge with cell overrides and the given organisation rules applied; `requestRules` of every rule are
 * added so that one detector serves the rules scoped to files too.
 */
export function applyOverlay(base: Knowledge, cells: readonly CellOverride[], rules: readonly OrgRule[], allRules: readonly OrgRule[] = rules): Knowledge {
  const k = structuredClone(base) as Knowledge;
  for (const o of cells) {
    const row = rowFor(k, o.id, o.api);
    if (row) overrideCell(row, o);
  }
  const added = allRules.flatMap((r) => compileOrgRule(r, k).requestRules);
  k.requestRules = [...k.requestRules, ...added];
  const policyTests = new Set(added.map((d) => `request/${d.id}`));
  // compileRules makes a finding rule of every request-shape test; those of organisation rules are conditions.
  k.rules = [...compileRules(k).filter((r) => !policyTests.has(r.name)), ...rules.flatMap((r) => r.compiled)];
  return k;
}
