import { ENDPOINT_IDS } from '../types.js';
import type { Cell, EndpointId, Knowledge, MatrixRow } from '../types.js';

/** The seed's "Inference operations" table as matrix rows: host, supported APIs (from the API table), description. */
export function endpointTableRows(k: Knowledge): MatrixRow[] {
  const byId = new Map(k.endpoints.map((e) => [e.id, e]));
  const sourced = (e: EndpointId) => ({ source: byId.get(e)!.source, asOf: byId.get(e)!.asOf });
  const row = (id: string, label: string, text: (e: EndpointId) => string): MatrixRow => {
    const cells = {} as Record<EndpointId, Cell>;
    const detail = {} as Record<EndpointId, string>;
    for (const e of ENDPOINT_IDS) {
      cells[e] = { value: 'yes', detail: text(e), ...sourced(e) };
      detail[e] = text(e);
    }
    return { table: 'endpoints', id, label, support: { 'bedrock-runtime': 'yes', 'bedrock-mantle': 'yes' }, detail, ...sourced('bedrock-runtime'), cells, kind: 'other' };
  };
  const apiRows = k.matrix.filter((r) => r.kind === 'api');
  return [
    row('host', 'Endpoint', (e) => byId.get(e)!.host),
    row('supported-apis', 'Supported APIs', (e) => apiRows.filter((r) => r.cells[e].value === 'yes').map((r) => r.label).join(' / ')),
    row('description', 'Description', (e) => byId.get(e)!.description),
  ];
}

