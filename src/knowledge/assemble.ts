/**
 * Assembles the schema-valid rules files into one Knowledge object, checking what a schema cannot: that every id
 * a file refers to exists, that every API and capability has a matrix row, that every regular expression compiles.
 * Problems carry file:line:column like schema problems do.
 */
import { join } from 'node:path';
import { ELEMENT_TEST_KINDS, ENDPOINT_IDS } from '../types.js';
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

/** Collects the problems of an assembly, each at a JSON Pointer of one loaded file. */
class Problems {
  readonly list: KnowledgeProblem[] = [];
  add(f: LoadedYaml, pointer: string, message: string): void {
    const pos = f.positionOf(pointer);
    this.list.push({ file: f.file, line: pos.line, column: pos.column, key: pointer, message });
  }
}

type Files = Record<Exclude<RuleFileKind, 'cases'>, LoadedYaml>;

/** The ids of apis.yaml and capabilities.yaml, which the other files refer to. */
interface Ids {
  apis: ReadonlySet<string>;
  capabilities: ReadonlySet<string>;
}

/** Every id in `ids` (at `pointer`/i) is an api of apis.yaml. */
function checkApiIds(p: Problems, f: LoadedYaml, pointer: string, ids: readonly string[] | undefined, known: Ids): void {
  ids?.forEach((id, i) => {
    if (!known.apis.has(id)) p.add(f, `${pointer}/${i}`, `unknown api "${id}" (expected one of: ${[...known.apis].join(', ')})`);
  });
}

function assembleEndpoints(p: Problems, files: Files): EndpointDef[] {
  const raw = (files.endpoints.value as { endpoints: Record<string, Omit<EndpointDef, 'id'>> }).endpoints;
  for (const id of ENDPOINT_IDS) if (!raw[id]) p.add(files.endpoints, '/endpoints', `endpoint "${id}" is not defined`);
  return ENDPOINT_IDS.filter((id) => raw[id]).map((id) => ({ id, ...raw[id]! }));
}

function assembleCapabilities(p: Problems, files: Files, apiIds: ReadonlySet<string>): CapabilityDef[] {
  const raw = (files.capabilities.value as { capabilities: Record<string, Omit<CapabilityDef, 'id' | 'implies'> & { implies?: string[] }> }).capabilities;
  const capabilities: CapabilityDef[] = Object.entries(raw).map(([id, c]) => ({
    id,
    label: c.label,
    summary: c.summary,
    implies: c.implies ?? [],
    signals: c.signals.map((s) => ({ ...s }) as SignalDef),
  }));
  const known: Ids = { apis: apiIds, capabilities: new Set(capabilities.map((c) => c.id)) };
  const f = files.capabilities;
  for (const c of capabilities) {
    const at = `/capabilities/${c.id}`;
    if (apiIds.has(c.id)) p.add(f, at, `"${c.id}" is both an api and a capability id`);
    c.implies.forEach((imp, i) => {
      if (!known.capabilities.has(imp)) p.add(f, `${at}/implies/${i}`, `implies unknown capability "${imp}"`);
    });
    c.signals.forEach((s, i) => {
      checkApiIds(p, f, `${at}/signals/${i}/apis`, s.apis, known);
      if (s.matches === undefined) return;
      try {
        new RegExp(s.matches);
      } catch (e) {
        p.add(f, `${at}/signals/${i}/matches`, `invalid regular expression: ${(e as Error).message}`);
      }
    });
  }
  return capabilities;
}

/** One row of matrix.yaml, with its cells filled from the row's source and date. */
function assembleRow(p: Problems, f: LoadedYaml, t: RawTable, r: RawRow, at: string, subjects: { apis: ApiDef[]; capabilities: CapabilityDef[]; ids: Ids }): MatrixRow {
  const { ids } = subjects;
  const kind = ids.apis.has(r.id) ? 'api' : ids.capabilities.has(r.id) ? 'capability' : 'other';
  const subject = kind === 'api' ? subjects.apis.find((a) => a.id === r.id) : subjects.capabilities.find((c) => c.id === r.id);
  if (kind === 'other' && r.label === undefined) p.add(f, `${at}/id`, unknownRowId(r.id, [...ids.apis, ...ids.capabilities]));
  if (r.api !== undefined && kind !== 'capability') p.add(f, `${at}/api`, 'only capability rows can be limited to one api');
  else if (r.api !== undefined && !ids.apis.has(r.api)) p.add(f, `${at}/api`, `unknown api "${r.api}" (expected one of: ${[...ids.apis].join(', ')})`);
  const cells = {} as Record<EndpointId, Cell>;
  for (const e of ENDPOINT_IDS) {
    const raw = r.cells[e];
    const c: Cell = typeof raw === 'string' ? { value: raw, source: r.source, asOf: r.asOf } : { source: r.source, asOf: r.asOf, ...raw };
    if (c.value === 'conditional' && c.condition === undefined) p.add(f, `${at}/cells/${e}`, 'a conditional cell needs its condition: write it as { value: conditional, condition: … }');
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
  return row;
}

function assembleMatrix(p: Problems, files: Files, apis: ApiDef[], capabilities: CapabilityDef[], ids: Ids): { tables: MatrixTable[]; matrix: MatrixRow[] } {
  const rawTables = (files.matrix.value as { tables: RawTable[] }).tables;
  const tables: MatrixTable[] = [];
  const matrix: MatrixRow[] = [];
  const rowKeys = new Set<string>();
  rawTables.forEach((t, ti) => {
    tables.push({ id: t.id, title: t.title, subjectHeading: t.subjectHeading });
    t.rows.forEach((r, ri) => {
      const at = `/tables/${ti}/rows/${ri}`;
      const key = `${r.id}|${r.api ?? ''}`;
      if (rowKeys.has(key)) p.add(files.matrix, `${at}/id`, `duplicate row "${r.id}"${r.api ? ` for api ${r.api}` : ''}`);
      rowKeys.add(key);
      matrix.push(assembleRow(p, files.matrix, t, r, at, { apis, capabilities, ids }));
    });
  });
  return { tables, matrix };
}

/** Rows derived from rows that exist, capability rows "API not offered" where their apis are not, and a row for every api and capability. */
function checkMatrix(p: Problems, files: Files, matrix: MatrixRow[], apis: ApiDef[], capabilities: CapabilityDef[]): void {
  const rowIds = new Set(matrix.map((r) => r.id));
  const generalRowIds = new Set(matrix.filter((r) => r.api === undefined).map((r) => r.id));
  matrix.forEach((row, i) => {
    if (row.derived !== undefined && !rowIds.has(row.derived)) p.add(files.matrix, `/tables`, `row ${i} is derived from unknown row "${row.derived}"`);
  });
  for (const [ri, row] of matrix.entries()) if (row.kind === 'capability') markApisNotOffered(row, matrix, (message) => p.add(files.matrix, `/tables`, `row ${ri} ("${row.id}"): ${message}`));
  for (const a of apis) if (!rowIds.has(a.id)) p.add(files.apis, `/apis/${a.id}`, `api "${a.id}" has no row in matrix.yaml`);
  for (const c of capabilities) {
    if (!rowIds.has(c.id)) p.add(files.capabilities, `/capabilities/${c.id}`, `capability "${c.id}" has no row in matrix.yaml`);
    else if (!generalRowIds.has(c.id)) p.add(files.capabilities, `/capabilities/${c.id}`, `capability "${c.id}" has only rows limited to one api in matrix.yaml; it needs a row without "api" for every other api`);
  }
}

function checkGuidance(p: Problems, files: Files, guidance: Guidance, ids: Ids): void {
  for (const e of ENDPOINT_IDS) {
    guidance.prefer[e]?.when.forEach((w, wi) =>
      w.needs.forEach((n, ni) => {
        if (!ids.apis.has(n) && !ids.capabilities.has(n)) p.add(files.guidance, `/prefer/${e}/when/${wi}/needs/${ni}`, `unknown api or capability "${n}"`);
      }),
    );
  }
}

/** Every pattern compiles, each example is classified into its own family (first match wins), and the apis exist. */
function checkModels(p: Problems, files: Files, models: ModelFamily[], ids: Ids): Set<string> {
  const f = files.models;
  const familyRes = models.map((m, i) => {
    try {
      return new RegExp(m.match);
    } catch (e) {
      p.add(f, `/families/${i}/match`, `invalid regular expression: ${(e as Error).message}`);
      return /$^/;
    }
  });
  const familyIds = new Set<string>();
  models.forEach((m, i) => {
    if (familyIds.has(m.id)) p.add(f, `/families/${i}/id`, `duplicate family "${m.id}"`);
    familyIds.add(m.id);
    for (const e of ENDPOINT_IDS) {
      const served = m.endpoints[e];
      if (typeof served === 'object') checkApiIds(p, f, `/families/${i}/endpoints/${e}/apis`, served.apis, ids);
    }
    m.examples.forEach((ex, j) => {
      const base = baseModelId(ex).base;
      const first = base === null ? -1 : familyRes.findIndex((re) => re.test(base));
      if (first !== i) {
        p.add(f, `/families/${i}/examples/${j}`, first < 0 ? `example "${ex}" matches no family` : `example "${ex}" is classified as "${models[first]!.id}", an earlier family`);
      }
    });
  });
  return familyIds;
}

const TEST_KINDS = ['body', 'absent', 'header', 'headerAbsent', 'count', 'sequence', 'capability', 'today', 'modelIds', 'exceptModelIds', 'compare', 'repeats', 'pairs', 'some', 'all', 'any'] as const;


/** Where a test sits: inside `any` (no header tests), inside `some` (tests of one element's keys only). */
interface TestPlace {
  insideAny?: boolean;
  inElement?: boolean;
}

/** A request test's shape and ids; header tests only outside `any` (the integrations collect header names from the rest). */
function checkRequestTest(p: Problems, f: LoadedYaml, ids: Ids, t: RequestTest, path: string, place: TestPlace = {}): void {
  if (place.insideAny && (t.header !== undefined || t.headerAbsent !== undefined)) p.add(f, path, 'header tests are not supported inside any');
  const kinds = TEST_KINDS.filter((k) => t[k] !== undefined);
  if (kinds.length !== 1) p.add(f, path, `a test needs exactly one of ${TEST_KINDS.join(', ')} (found ${kinds.join(', ') || 'none'})`);
  const outside = place.inElement ? kinds.filter((k) => !(ELEMENT_TEST_KINDS as readonly string[]).includes(k)) : [];
  if (outside.length > 0) p.add(f, path, `inside some, a test is one of ${ELEMENT_TEST_KINDS.join(', ')} (found ${outside.join(', ')})`);
  if ((t.above !== undefined || t.below !== undefined || t.empty !== undefined || t.notType !== undefined) && t.body === undefined) p.add(f, path, 'above, below, empty and notType go with body');
  if (t.count !== undefined && t.over === undefined) p.add(f, path, 'count needs over');
  if (t.sequence !== undefined && (t.field === undefined || t.order === undefined)) p.add(f, path, 'sequence needs field and order');
  if (t.capability !== undefined && !ids.capabilities.has(t.capability)) p.add(f, `${path}/capability`, `unknown capability "${t.capability}"`);
  const bad = t.matches === undefined ? undefined : linearRegexProblem(t.matches);
  if (bad !== undefined) p.add(f, `${path}/matches`, bad);
  t.all?.forEach((sub, j) => checkRequestTest(p, f, ids, sub, `${path}/all/${j}`, place));
  t.any?.forEach((sub, j) => checkRequestTest(p, f, ids, sub, `${path}/any/${j}`, { ...place, insideAny: true }));
  if (t.some !== undefined) checkRequestTest(p, f, ids, t.some.test, `${path}/some/test`, { inElement: true });
}

function checkRequestRules(p: Problems, files: Files, rules: RequestRuleDef[], apis: ApiDef[], familyIds: ReadonlySet<string>, ids: Ids): void {
  const f = files.requests;
  const ruleIds = new Set<string>();
  const operationIds = new Set(apis.flatMap((a) => a.operations.map((o) => o.id)));
  rules.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (ruleIds.has(r.id)) p.add(f, `${at}/id`, `duplicate rule "${r.id}"`);
    ruleIds.add(r.id);
    if (r.confidence === 'inferred' && r.severity === 'error') p.add(f, `${at}/severity`, 'a rule resting on an inferred fact gives warnings at most');
    checkApiIds(p, f, `${at}/apis`, r.apis, ids);
    r.operations?.forEach((o, j) => {
      if (!operationIds.has(o)) p.add(f, `${at}/operations/${j}`, `unknown operation "${o}"`);
    });
    for (const key of ['families', 'exceptFamilies'] as const) {
      r.models?.[key]?.forEach((fam, j) => {
        if (!familyIds.has(fam)) p.add(f, `${at}/models/${key}/${j}`, `unknown model family "${fam}"`);
      });
    }
    // Request tests and family patterns must be RE2-compatible (src/linear-regex.ts), as users' are.
    for (const key of ['familyMatches', 'exceptFamilyMatches'] as const) {
      const why = r.models?.[key] === undefined ? undefined : linearRegexProblem(r.models[key]);
      if (why !== undefined) p.add(f, `${at}/models/${key}`, why);
    }
    if (r.when !== undefined) checkRequestTest(p, f, ids, r.when, `${at}/when`);
  });
}

/**
 * The Regions a lifecycle entry is limited to must be Regions of rules/regions.yaml: a misspelt one would never
 * match. (Excluded Regions need only be Region codes, which the schema checks: excluding a Region Bedrock does not
 * list yet, such as us-gov-east-1, is harmless.)
 */
function checkLifecycleRegions(p: Problems, files: Files, models: readonly ModelFamily[], regionIds: ReadonlySet<string>): void {
  models.forEach((m, i) =>
    m.lifecycle?.forEach((l, j) => {
      l.regions?.forEach((r, k) => {
        if (!regionIds.has(r)) p.add(files.models, `/families/${i}/lifecycle/${j}/regions/${k}`, `unknown Region "${r}" (not in rules/regions.yaml)`);
      });
    }),
  );
}

export function assembleKnowledge(files: Files): Knowledge {
  const p = new Problems();
  const endpoints = assembleEndpoints(p, files);
  const rawApis = (files.apis.value as { apis: Record<string, Omit<ApiDef, 'id'>> }).apis;
  const otherOperations = (files.apis.value as { otherOperations?: OtherOperationDef[] }).otherOperations ?? [];
  const apis: ApiDef[] = Object.entries(rawApis).map(([id, a]) => ({ id: id as ApiId, ...a }));
  const capabilities = assembleCapabilities(p, files, new Set(apis.map((a) => a.id)));
  const ids: Ids = { apis: new Set(apis.map((a) => a.id)), capabilities: new Set(capabilities.map((c) => c.id)) };
  const { tables, matrix } = assembleMatrix(p, files, apis, capabilities, ids);
  checkMatrix(p, files, matrix, apis, capabilities);
  const findings: FindingCodeDef[] = Object.entries((files.findings.value as { findings: Record<string, Omit<FindingCodeDef, 'code'>> }).findings).map(([code, f]) => ({ code: code as FindingCode, ...f }));
  const guidance = files.guidance.value as Guidance;
  checkGuidance(p, files, guidance, ids);
  const models = (files.models.value as { families: ModelFamily[] }).families;
  const familyIds = checkModels(p, files, models, ids);
  const regions: RegionDef[] = Object.entries((files.regions.value as { regions: Record<string, Omit<RegionDef, 'id'>> }).regions).map(([id, r]) => ({ id, ...r }));
  checkLifecycleRegions(p, files, models, new Set(regions.map((r) => r.id)));
  const requestRules = (files.requests.value as { rules: RequestRuleDef[] }).rules;
  checkRequestRules(p, files, requestRules, apis, familyIds, ids);
  if (p.list.length > 0) throw new KnowledgeError(p.list);
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
