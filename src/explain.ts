/**
 * explain: everything the knowledge says about one id (endpoint, api, capability, matrix row, rule or finding
 * code): its cells with source and date, the notes where sources disagree, the signals that detect it.
 */
import { PreflightInputError } from './errors.js';
import { ENDPOINT_IDS } from './types.js';
import type { CellValue, EndpointId, JreRule, Knowledge, Note, SignalDef, Sourced } from './types.js';

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
  kind: 'endpoint' | 'api' | 'capability' | 'row' | 'rule' | 'finding-code';
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
}

export function explain(k: Knowledge, idIn: string): Explanation {
  const endpoint = k.endpoints.find((e) => e.id === idIn || e.aliases.includes(idIn));
  const id = endpoint?.id ?? idIn;
  const titles = new Map(k.tables.map((t) => [t.id, t.title]));
  const rowsOf = (pred: (r: Knowledge['matrix'][number]) => boolean) => k.matrix.filter(pred);
  const cellsOf = (rows: Knowledge['matrix'], only?: EndpointId): ExplainedCell[] =>
    rows.flatMap((r) =>
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
  const notesOf = (rows: Knowledge['matrix']) => rows.flatMap((r) => (r.notes ?? []).map((n) => ({ ...n, about: r.label })));
  const rulesAbout = (pred: (r: JreRule) => boolean) => k.rules.filter(pred).map((r) => r.name);

  if (endpoint) {
    const g = k.guidance;
    const guidance: Array<Sourced & { text: string }> = [
      { text: `Throughput and quotas: ${g.throughput[endpoint.id].text}`, source: g.throughput[endpoint.id].source, asOf: g.throughput[endpoint.id].asOf },
      ...(g.prefer[endpoint.id]?.when ?? []).map((w) => ({ text: `Choose it when: ${w.text}`, source: g.prefer[endpoint.id]!.source, asOf: g.prefer[endpoint.id]!.asOf })),
      { text: `Pricing: ${g.pricing.text}`, source: g.pricing.source, asOf: g.pricing.asOf },
    ];
    if (g.newApplications.endpoint === endpoint.id) guidance.unshift({ text: g.newApplications.why, source: g.newApplications.source, asOf: g.newApplications.asOf });
    const notes = [
      ...(g.throughput[endpoint.id].notes ?? []).map((n) => ({ ...n, about: 'throughput and quotas' })),
      ...(g.newApplications.endpoint === endpoint.id ? (g.newApplications.notes ?? []).map((n) => ({ ...n, about: 'recommendation for new applications' })) : []),
    ];
    return {
      id,
      kind: 'endpoint',
      label: endpoint.label,
      summary: `${endpoint.description} Host: ${endpoint.host}; SigV4 signing name: ${endpoint.signingName}.`,
      cells: cellsOf(k.matrix, endpoint.id),
      notes,
      hosts: endpoint.hosts,
      guidance,
      rules: rulesAbout((r) => r.event.params.endpoint === endpoint.id),
    };
  }
  const api = k.apis.find((a) => a.id === id);
  if (api) {
    const rows = rowsOf((r) => r.id === id || r.api === id);
    return { id, kind: 'api', label: api.label, cells: cellsOf(rows), notes: notesOf(rows), operations: api.operations, rules: rulesAbout((r) => r.event.params.subject === id || r.event.params.api === id) };
  }
  const cap = k.capabilities.find((c) => c.id === id);
  if (cap) {
    const rows = rowsOf((r) => r.id === id);
    return { id, kind: 'capability', label: cap.label, summary: cap.summary, cells: cellsOf(rows), notes: notesOf(rows), signals: cap.signals, rules: rulesAbout((r) => r.event.params.subject === id) };
  }
  const rows = rowsOf((r) => r.id === id);
  if (rows.length > 0) return { id, kind: 'row', label: rows[0]!.label, cells: cellsOf(rows), notes: notesOf(rows), rules: [] };
  const rule = k.rules.find((r) => r.name === id);
  if (rule) {
    const p = rule.event.params;
    const ruleRows = rowsOf((r) => r.id === p.subject && (r.api ?? undefined) === p.api);
    return { id, kind: 'rule', label: `${p.code} of ${p.subject} on ${p.endpoint}${p.api ? ` (${p.api})` : ''}`, summary: p.message.replace('{where}', ''), cells: cellsOf(ruleRows, p.endpoint), notes: notesOf(ruleRows), rules: [rule.name], rule };
  }
  const code = k.findings.find((f) => f.code === id);
  if (code) return { id, kind: 'finding-code', label: code.code, summary: code.summary, cells: [], notes: [], rules: rulesAbout((r) => r.event.type === id) };
  throw new PreflightInputError('E_UNKNOWN_ID', `unknown id "${idIn}": not an endpoint, api, capability, matrix row, rule or finding code (try "bedrock-preflight rules" for rule names)`);
}
