/**
 * Compiles the capability matrix into json-rules-engine rules: one rule per cell that is not `yes`.
 * These rules are the reference semantics; the synchronous evaluator (evaluator.ts) runs the same rules.
 */
import { ENDPOINT_IDS } from '../types.js';
import type { CellValue, FindingCode, JreCondition, JreRule, Knowledge, MatrixRow, Severity } from '../types.js';
import { fillTemplate } from './template.js';

const SEVERITY: Record<Exclude<CellValue, 'yes'>, Severity> = { no: 'error', conditional: 'warning', unknown: 'info' };
const SUFFIX: Record<Exclude<CellValue, 'yes'>, string> = { no: 'unsupported', conditional: 'conditional', unknown: 'unknown' };

/** The rule name of a cell: `<endpoint>/<subject>` or `<endpoint>/<subject>/<api>` for an api-limited row. */
export const ruleName = (endpoint: string, row: Pick<MatrixRow, 'id' | 'api'>): string =>
  row.api ? `${endpoint}/${row.id}/${row.api}` : `${endpoint}/${row.id}`;

export function compileRules(k: Pick<Knowledge, 'matrix' | 'tables' | 'findings'>): JreRule[] {
  const templates = new Map(k.findings.map((f) => [f.code, f.template]));
  const titles = new Map(k.tables.map((t) => [t.id, t.title]));
  // For a capability with api-limited rows, its general row applies to every other api.
  const limitedApis = new Map<string, string[]>();
  for (const row of k.matrix) if (row.api) limitedApis.set(row.id, [...(limitedApis.get(row.id) ?? []), row.api]);

  const rules: JreRule[] = [];
  for (const row of k.matrix) {
    if (row.kind === 'other') continue;
    for (const endpoint of ENDPOINT_IDS) {
      const cell = row.cells[endpoint];
      if (cell.value === 'yes') continue;
      const code = `${row.kind}-${SUFFIX[cell.value]}` as FindingCode;
      const template = templates.get(code);
      if (template === undefined) throw new Error(`findings.yaml has no template for "${code}"`);
      const all: JreCondition[] = [{ fact: 'endpoint', operator: 'equal', value: endpoint }];
      if (row.kind === 'api') all.push({ fact: 'api', operator: 'equal', value: row.id });
      else all.push({ fact: 'capabilities', operator: 'contains', value: row.id });
      if (row.api) all.push({ fact: 'api', operator: 'equal', value: row.api });
      else if (row.kind === 'capability' && limitedApis.has(row.id)) all.push({ fact: 'api', operator: 'notIn', value: limitedApis.get(row.id) });
      const other = ENDPOINT_IDS.find((e) => e !== endpoint)!;
      const message = fillTemplate(template, {
        label: row.label,
        subject: row.id,
        endpoint,
        other,
        table: titles.get(row.table) ?? row.table,
        cell: cell.value,
        detail: cell.detail ? `; ${cell.detail}` : '',
        condition: cell.condition ?? '',
        fix: cell.fix ?? `send the request to ${other}.`,
      });
      rules.push({
        name: ruleName(endpoint, row),
        priority: 1,
        conditions: { all },
        event: {
          type: code,
          params: {
            code,
            subject: row.id,
            severity: SEVERITY[cell.value],
            endpoint,
            ...(row.api ? { api: row.api } : {}),
            table: row.table,
            cell: cell.value,
            source: cell.source,
            asOf: cell.asOf,
            ...(cell.condition ? { condition: cell.condition } : {}),
            ...(cell.fix ? { fix: cell.fix } : {}),
            message,
          },
        },
      });
    }
  }
  return rules;
}
