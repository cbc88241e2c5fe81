/**
 * Assembles the schema-valid rules files into one Knowledge object, checking what a schema cannot: that every id
 * a file refers to exists, that every API and capability has a matrix row, that every regular expression compiles.
 * Problems carry file:line:column like schema problems do.
 */
import { join } from 'node:path';
import { ENDPOINT_IDS } from '../types.js';
import type {
  ApiDef,
  ApiId,
  CapabilityDef,
  Cell,
  CellValue,
  EndpointDef,
  EndpointId,
  FindingCode,
  FindingCodeDef,
  Guidance,
  Knowledge,
  MatrixRow,
  MatrixTable,
  ModelFamily,
  Note,
  OtherOperationDef,
  RegionDef,
  RequestRuleDef,
  RequestTest,
  SignalDef,
} from '../types.js';
import { baseModelId } from '../detect/models.js';
import { linearRegexProblem } from '../linear-regex.js';
import { compileRules } from '../compile/rules.js';
import { KnowledgeError, loadRulesFile, unknownRowId, RULE_FILE_KINDS, type KnowledgeProblem, type LoadedYaml, type RuleFileKind } from './load.js';

type RawCell = CellValue | (Partial<Cell> & { value: CellValue });
interface RawRow {
  id: string;
  api?: ApiId;
  label?: string;
  derived?: string;
  source: string;
  asOf: string;
  cells: Record<EndpointId, RawCell>;
  notes?: Note[];
}
interface RawTable extends MatrixTable {
  rows: RawRow[];
}

/** Loads and assembles the knowledge in `rulesDir` (one file per kind), validated against `schemasDir`. */
export function loadKnowledge(rulesDir: string, schemasDir: string, displayRoot?: string): Knowledge {
  const files = {} as Record<Exclude<RuleFileKind, 'cases'>, LoadedYaml>;
  const problems: KnowledgeProblem[] = [];
  for (const kind of RULE_FILE_KINDS) {
    try {
      files[kind] = loadRulesFile(join(rulesDir, `${kind}.yaml`), kind, schemasDir, displayRoot);
    } catch (e) {
      if (e instanceof KnowledgeError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new KnowledgeError(problems);
  return assembleKnowledge(files);
}

export function assembleKnowledge(files: Record<Exclude<RuleFileKind, 'cases'>, LoadedYaml>): Knowledge {
  const problems: KnowledgeProblem[] = [];
  const problem = (f: LoadedYaml, pointer: string, message: string): void => {
    const pos = f.positionOf(pointer);
    problems.push({ file: f.file, line: pos.line, column: pos.column, key: pointer, message });
  };

  const rawEndpoints = (files.endpoints.value as { endpoints: Record<string, Omit<EndpointDef, 'id'>> }).endpoints;
  for (const id of ENDPOINT_IDS) if (!rawEndpoints[id]) problem(files.endpoints, '/endpoints', `endpoint "${id}" is not defined`);
  const endpoints: EndpointDef[] = ENDPOINT_IDS.filter((id) => rawEndpoints[id]).map((id) => ({ id, ...rawEndpoints[id]! }));

  const rawApis = (files.apis.value as { apis: Record<string, Omit<ApiDef, 'id'>> }).apis;
  const otherOperations = (files.apis.value as { otherOperations?: OtherOperationDef[] }).otherOperations ?? [];
  const apis: ApiDef[] = Object.entries(rawApis).map(([id, a]) => ({ id: id as ApiId, ...a }));
  const apiIds = new Set<string>(apis.map((a) => a.id));

  const rawCaps = (files.capabilities.value as { capabilities: Record<string, Omit<CapabilityDef, 'id' | 'implies'> & { implies?: string[] }> })
    .capabilities;
  const capabilities: CapabilityDef[] = Object.entries(rawCaps).map(([id, c]) => ({
    id,
    label: c.label,
    summary: c.summary,
    implies: c.implies ?? [],
    signals: c.signals.map((s) => ({ ...s }) as SignalDef),
  }));
  const capIds = new Set(capabilities.map((c) => c.id));
  for (const id of capIds) if (apiIds.has(id)) problem(files.capabilities, `/capabilities/${id}`, `"${id}" is both an api and a capability id`);
  for (const c of capabilities) {
    c.implies.forEach((imp, i) => {
      if (!capIds.has(imp)) problem(files.capabilities, `/capabilities/${c.id}/implies/${i}`, `implies unknown capability "${imp}"`);
    });
    c.signals.forEach((s, i) => {
      if (s.matches !== undefined) {
        try {
          new RegExp(s.matches);
        } catch (e) {
          problem(files.capabilities, `/capabilities/${c.id}/signals/${i}/matches`, `invalid regular expression: ${(e as Error).message}`);
        }
      }
    });
  }

  const rawTables = (files.matrix.value as { tables: RawTable[] }).tables;
  const tables: MatrixTable[] = [];
  const matrix: MatrixRow[] = [];
  const rowKeys = new Set<string>();
  const rowIds = new Set<string>();
  const generalRowIds = new Set<string>();
  rawTables.forEach((t, ti) => {
    tables.push({ id: t.id, title: t.title, subjectHeading: t.subjectHeading });
    t.rows.forEach((r, ri) => {
      const at = `/tables/${ti}/rows/${ri}`;
      const kind = apiIds.has(r.id) ? 'api' : capIds.has(r.id) ? 'capability' : 'other';
      const subject = kind === 'api' ? apis.find((a) => a.id === r.id) : capabilities.find((c) => c.id === r.id);
      if (kind === 'other' && r.label === undefined) problem(files.matrix, `${at}/id`, unknownRowId(r.id, [...apiIds, ...capIds]));
      if (r.api !== undefined && kind !== 'capability') problem(files.matrix, `${at}/api`, 'only capability rows can be limited to one api');
      const key = `${r.id}|${r.api ?? ''}`;
      if (rowKeys.has(key)) problem(files.matrix, `${at}/id`, `duplicate row "${r.id}"${r.api ? ` for api ${r.api}` : ''}`);
      rowKeys.add(key);
      rowIds.add(r.id);
      if (r.api === undefined) generalRowIds.add(r.id);
      const cells = {} as Record<EndpointId, Cell>;
      for (const e of ENDPOINT_IDS) {
        const raw = r.cells[e];
        const c: Cell = typeof raw === 'string' ? { value: raw, source: r.source, asOf: r.asOf } : { source: r.source, asOf: r.asOf, ...raw };
        if (c.value === 'conditional' && c.condition === undefined) problem(files.matrix, `${at}/cells/${e}`, 'a conditional cell needs its condition: write it as { value: conditional, condition: … }');
        cells[e] = c;
      }
      const row: MatrixRow = {
        table: t.id,
        id: r.id,
        label: r.label ?? subject?.label ?? r.id,
        ...(r.api !== undefined ? { api: r.api } : {}),
        support: { 'bedrock-runtime': cells['bedrock-runtime'].value, 'bedrock-mantle': cells['bedrock-mantle'].value },
        source: r.source,
        asOf: r.asOf,
        cells,
        kind,
      };
      const detail = pick(cells, 'detail');
      if (detail) row.detail = detail;
      const condition = pick(cells, 'condition');
      if (condition) row.condition = condition;
      if (r.derived !== undefined) row.derived = r.derived;
      if (r.notes) row.notes = r.notes;
      matrix.push(row);
    });
  });
  matrix.forEach((row, i) => {
    if (row.derived !== undefined && !rowIds.has(row.derived)) problem(files.matrix, `/tables`, `row ${i} is derived from unknown row "${row.derived}"`);
  });
  for (const [ri, row] of matrix.entries()) if (row.kind === 'capability') markApisNotOffered(row, matrix, (message) => problem(files.matrix, `/tables`, `row ${ri} ("${row.id}"): ${message}`));
  for (const a of apis) if (!rowIds.has(a.id)) problem(files.apis, `/apis/${a.id}`, `api "${a.id}" has no row in matrix.yaml`);
  for (const c of capabilities) {
    if (!rowIds.has(c.id)) problem(files.capabilities, `/capabilities/${c.id}`, `capability "${c.id}" has no row in matrix.yaml`);
    else if (!generalRowIds.has(c.id)) problem(files.capabilities, `/capabilities/${c.id}`, `capability "${c.id}" has only rows limited to one api in matrix.yaml; it needs a row without "api" for every other api`);
  }

  const rawFindings = (files.findings.value as { findings: Record<string, Omit<FindingCodeDef, 'code'>> }).findings;
  const findings: FindingCodeDef[] = Object.entries(rawFindings).map(([code, f]) => ({ code: code as FindingCode, ...f }));

  const guidance = files.guidance.value as Guidance;
  const needIds = new Set([...apiIds, ...capIds]);
  for (const e of ENDPOINT_IDS) {
    guidance.prefer[e]?.when.forEach((w, wi) =>
      w.needs.forEach((n, ni) => {
        if (!needIds.has(n)) problem(files.guidance, `/prefer/${e}/when/${wi}/needs/${ni}`, `unknown api or capability "${n}"`);
      }),
    );
  }

  // Models: every pattern compiles, and each example is classified into its own family (first match wins).
  const models = (files.models.value as { families: ModelFamily[] }).families;
  const familyRes: RegExp[] = [];
  models.forEach((f, i) => {
    try {
      familyRes[i] = new RegExp(f.match);
    } catch (e) {
      problem(files.models, `/families/${i}/match`, `invalid regular expression: ${(e as Error).message}`);
      familyRes[i] = /$^/;
    }
  });
  const familyIds = new Set<string>();
  models.forEach((f, i) => {
    if (familyIds.has(f.id)) problem(files.models, `/families/${i}/id`, `duplicate family "${f.id}"`);
    familyIds.add(f.id);
    f.examples.forEach((ex, j) => {
      const base = baseModelId(ex).base;
      const first = base === null ? -1 : familyRes.findIndex((re) => re.test(base));
      if (first !== i) {
        problem(files.models, `/families/${i}/examples/${j}`, first < 0 ? `example "${ex}" matches no family` : `example "${ex}" is classified as "${models[first]!.id}", an earlier family`);
      }
    });
  });

  const rawRegions = (files.regions.value as { regions: Record<string, Omit<RegionDef, 'id'>> }).regions;
  const regions: RegionDef[] = Object.entries(rawRegions).map(([id, r]) => ({ id, ...r }));

  const requestRules = (files.requests.value as { rules: RequestRuleDef[] }).rules;
  const ruleIds = new Set<string>();
  const operationIds = new Set(apis.flatMap((a) => a.operations.map((o) => o.id)));
  requestRules.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (ruleIds.has(r.id)) problem(files.requests, `${at}/id`, `duplicate rule "${r.id}"`);
    ruleIds.add(r.id);
    if (r.confidence === 'inferred' && r.severity === 'error') problem(files.requests, `${at}/severity`, 'a rule resting on an inferred fact gives warnings at most');
    r.operations?.forEach((o, j) => {
      if (!operationIds.has(o)) problem(files.requests, `${at}/operations/${j}`, `unknown operation "${o}"`);
    });
    r.models?.families?.forEach((f, j) => {
      if (!familyIds.has(f)) problem(files.requests, `${at}/models/families/${j}`, `unknown model family "${f}"`);
    });
    r.models?.exceptFamilies?.forEach((f, j) => {
      if (!familyIds.has(f)) problem(files.requests, `${at}/models/exceptFamilies/${j}`, `unknown model family "${f}"`);
    });
    // Request tests and family patterns run in the linear-time engine (src/linear-regex.ts), as users' do.
    const why = r.models?.familyMatches === undefined ? undefined : linearRegexProblem(r.models.familyMatches);
    if (why !== undefined) problem(files.requests, `${at}/models/familyMatches`, why);
    const checkTest = (t: RequestTest, path: string, insideAny = false): void => {
      // The integrations collect the header names to read from body-level and `all` tests only.
      if (insideAny && (t.header !== undefined || t.headerAbsent !== undefined)) problem(files.requests, path, 'header tests are not supported inside any');
      const kinds = (['body', 'absent', 'header', 'headerAbsent', 'count', 'sequence', 'capability', 'today', 'all', 'any'] as const).filter((k) => t[k] !== undefined);
      if (kinds.length !== 1) problem(files.requests, path, `a test needs exactly one of body, absent, header, headerAbsent, count, sequence, capability, today, all, any (found ${kinds.join(', ') || 'none'})`);
      if ((t.above !== undefined || t.below !== undefined || t.empty !== undefined) && t.body === undefined) problem(files.requests, path, 'above, below and empty go with body');
      if (t.count !== undefined && t.over === undefined) problem(files.requests, path, 'count needs over');
      if (t.sequence !== undefined && (t.field === undefined || t.order === undefined)) problem(files.requests, path, 'sequence needs field and order');
      if (t.capability !== undefined && !capIds.has(t.capability)) problem(files.requests, `${path}/capability`, `unknown capability "${t.capability}"`);
      const bad = t.matches === undefined ? undefined : linearRegexProblem(t.matches);
      if (bad !== undefined) problem(files.requests, `${path}/matches`, bad);
      t.all?.forEach((sub, j) => checkTest(sub, `${path}/all/${j}`, insideAny));
      t.any?.forEach((sub, j) => checkTest(sub, `${path}/any/${j}`, true));
    };
    if (r.when !== undefined) checkTest(r.when, `${at}/when`);
  });

  if (problems.length > 0) throw new KnowledgeError(problems);
  const knowledge: Knowledge = { otherOperations, models, regions, requestRules, endpoints, apis, capabilities, tables, matrix, findings, guidance, rules: [] };
  knowledge.rules = compileRules(knowledge);
  return knowledge;
}

export const API_NOT_OFFERED = 'API not offered';

/**
 * A capability row limited to apis that an endpoint does not offer is `no` there with the detail "API not
 * offered", citing the API's cell: the capability is not applicable, not unknown. The apis of a row are its own
 * `api`, or for a general row the apis that no api-limited row of the same capability covers (none: every api).
 */
function markApisNotOffered(row: MatrixRow, matrix: readonly MatrixRow[], problem: (message: string) => void): void {
  const apiRows = matrix.filter((r) => r.kind === 'api');
  const limited = new Set(matrix.filter((r) => r.id === row.id && r.api).map((r) => r.api));
  const covered = row.api ? [row.api] : limited.size > 0 ? apiRows.map((r) => r.id).filter((a) => !limited.has(a as ApiId)) : [];
  if (covered.length === 0) return;
  for (const e of ENDPOINT_IDS) {
    const apiCells = covered.map((a) => apiRows.find((r) => r.id === a)?.cells[e]);
    if (apiCells.some((c) => c === undefined || c.value !== 'no')) continue;
    const cell = row.cells[e];
    if (cell.value === 'no') continue;
    if (cell.value === 'yes') problem(`${e} is yes, but ${e} does not offer ${covered.join(' or ')}`);
    const api = apiCells[0]!;
    row.cells[e] = { value: 'no', detail: API_NOT_OFFERED, source: api.source, asOf: api.asOf, ...(cell.fix !== undefined ? { fix: cell.fix } : {}) };
    row.support[e] = 'no';
    (row.detail ??= {})[e] = API_NOT_OFFERED;
  }
}

function pick(cells: Record<EndpointId, Cell>, key: 'detail' | 'condition'): Partial<Record<EndpointId, string>> | undefined {
  let out: Partial<Record<EndpointId, string>> | undefined;
  for (const e of ENDPOINT_IDS) {
    const v = cells[e][key];
    if (v !== undefined) (out ??= {})[e] = v;
  }
  return out;
}
