/**
 * Tests of the catalogue itself: the contract's ids exist, every cell and signal names its source and date,
 * every capability has a label, a matrix row, a signal or a reason for none, and an explanation; every finding
 * code has a template; the seed page's tables are reproduced cell for cell. The contract's ids and the seed's tables
 * are test data in test/data/ (each says where it was made from); nothing outside the repository is read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { loadKnowledge } from '../src/knowledge/assemble.js';
import type { EndpointId } from '../src/types.js';

const root = join(import.meta.dirname, '..');
const k = loadKnowledge(join(root, 'rules'), join(root, 'schemas'), root);
const preflight = createPreflight();
const matrixTables = new Set(k.tables.map((t) => t.id));

/** The contract's identifier table and the seed page's comparison tables, as test data (see each file's madeFrom). */
const CONTRACT = JSON.parse(readFileSync(join(root, 'test', 'data', 'contract-ids.json'), 'utf8')) as {
  endpoints: EndpointId[];
  endpointAliases: Record<string, EndpointId>;
  apis: string[];
  capabilities: Record<string, string[]>;
  findingCodes: string[];
};
interface SeedRow {
  id: string;
  seedRow: string;
  runtime: string;
  mantle: string;
  /** Set when a note on the page qualifies the mantle cell's yes (the matrix then has `conditional`). */
  mantleQualified?: string;
}
const SEED = JSON.parse(readFileSync(join(root, 'test', 'data', 'seed-tables.json'), 'utf8')) as { source: string; asOf: string; tables: Record<string, SeedRow[]> };

function cellText(row: (typeof k.matrix)[number], e: 'bedrock-runtime' | 'bedrock-mantle'): string {
  const c = row.cells[e];
  return c.detail !== undefined && c.value === 'yes' ? c.detail : c.value;
}

describe('the contract ids', () => {
  it('are exactly the endpoints, apis and capabilities of the knowledge', () => {
    expect(k.endpoints.map((e) => e.id)).toEqual(CONTRACT.endpoints);
    expect(k.apis.map((a) => a.id).sort()).toEqual([...CONTRACT.apis].sort());
    const caps = Object.values(CONTRACT.capabilities).flat().sort();
    expect(k.capabilities.map((c) => c.id).sort()).toEqual(caps);
  });
  it('accept the runtime and mantle aliases', () => {
    for (const [alias, id] of Object.entries(CONTRACT.endpointAliases)) expect(preflight.endpointId(alias)).toBe(id);
    expect(preflight.endpointId('bedrock')).toBeUndefined();
  });
});

describe('the seed tables', () => {
  it('come from the page the product is built from, as of the seed date', () => {
    const seedIds = new Set(Object.values(SEED.tables).flat().map((r) => r.id));
    const seedRows = k.matrix.filter((r) => r.table in SEED.tables && r.api === undefined && seedIds.has(r.id));
    expect(seedRows).toHaveLength(seedIds.size);
    for (const r of seedRows) expect([r.source, r.asOf], r.id).toEqual([SEED.source, SEED.asOf]);
  });
  for (const [table, rows] of Object.entries(SEED.tables)) {
    it(`reproduces every cell of the ${table} table`, () => {
      for (const seed of rows) {
        const row = k.matrix.find((r) => r.table === table && r.id === seed.id && r.api === undefined);
        expect(row, `${table}/${seed.id}`).toBeDefined();
        const mantle = seed.mantleQualified !== undefined && seed.mantle === 'yes' ? 'conditional' : seed.mantle;
        expect([cellText(row!, 'bedrock-runtime'), cellText(row!, 'bedrock-mantle')], `${table}/${seed.id}`).toEqual([seed.runtime, mantle]);
      }
      // Any other row of the table is derived from one of the page's rows.
      expect(k.matrix.filter((r) => r.table === table && r.api === undefined && r.derived === undefined).map((r) => r.id)).toEqual(rows.map((r) => r.id));
    });
  }
  it('keeps the Messages API note: output_config.format is rejected on mantle', () => {
    const row = k.matrix.find((r) => r.id === 'structured-outputs' && r.api === 'messages')!;
    expect(row.support).toEqual({ 'bedrock-runtime': 'yes', 'bedrock-mantle': 'no' });
    expect(row.cells['bedrock-mantle'].detail).toContain('400');
  });
});

describe('sources and dates', () => {
  const dated = (x: { source?: string; asOf?: string }, what: string) => {
    expect(x.source, what).toMatch(/^https:\/\//);
    expect(x.asOf, what).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  };
  it('every matrix cell carries a source URL and an as-of date', () => {
    for (const row of k.matrix) for (const e of CONTRACT.endpoints) dated(row.cells[e], `${row.id}/${e}`);
  });
  it('every detection signal, host and api carries a source URL and an as-of date', () => {
    for (const c of k.capabilities) c.signals.forEach((s, i) => dated(s, `${c.id} signal ${i}`));
    for (const e of k.endpoints) e.hosts.forEach((h) => dated(h, h.template));
    for (const a of k.apis) dated(a, a.id);
  });
  it('every note names its source and date', () => {
    for (const row of k.matrix) for (const n of row.notes ?? []) dated(n, `${row.id} note`);
  });
  it('every rule carries the source and date of its cell', () => {
    for (const r of k.rules) dated(r.event.params, r.name);
  });
});

describe('the catalogue', () => {
  it('every capability has a label, a summary, a matrix row and an explanation', () => {
    for (const c of k.capabilities) {
      expect(c.label.length).toBeGreaterThan(3);
      expect(c.summary.length).toBeGreaterThan(10);
      expect(k.matrix.some((r) => r.id === c.id)).toBe(true);
      expect(preflight.explain(c.id).cells.length).toBeGreaterThan(0);
    }
  });
  it('every capability has a request signal, or its summary says why a request cannot show it', () => {
    for (const c of k.capabilities) {
      if (c.signals.length === 0) expect(c.summary, c.id).toMatch(/nothing in the request shows it/);
    }
    expect(k.capabilities.filter((c) => c.signals.length > 0).length).toBeGreaterThan(k.capabilities.length / 2);
  });
  it('every cell that stops a request says what to do instead', () => {
    for (const row of k.matrix) {
      for (const e of CONTRACT.endpoints) {
        const c = row.cells[e];
        if (c.value !== 'yes') expect(c.fix, `${row.id}/${e}`).toBeTruthy();
        if (c.value === 'conditional') expect(c.condition, `${row.id}/${e}`).toBeTruthy();
      }
    }
  });
  it('every finding code the tool can emit has a template', () => {
    const codes = new Set(k.findings.map((f) => f.code));
    // The contract's codes, and those check.ts emits about the detection itself.
    for (const code of [...CONTRACT.findingCodes, 'capability-unknown', 'api-undetermined', 'api-inferred', 'path-unrecognized']) {
      expect(codes.has(code as never), code).toBe(true);
    }
    for (const r of k.rules) if (r.event.params.table !== 'requests') expect(codes.has(r.event.type), r.event.type).toBe(true);
    // Request-shape rules carry their own message, fix, source and date.
    for (const r of k.requestRules) for (const key of ['message', 'fix', 'source', 'asOf'] as const) expect(r[key], `${r.id}.${key}`).toBeTruthy();
  });
  it('compiles one rule per cell that is not yes, with no placeholder left but {where}', () => {
    const notYes = k.matrix.filter((r) => r.kind !== 'other').flatMap((r) => Object.values(r.cells).filter((c) => c.value !== 'yes'));
    expect(k.rules.filter((r) => matrixTables.has(r.event.params.table))).toHaveLength(notYes.length);
    for (const r of k.rules) expect(r.event.params.message.replace(/\{(where|model|region|api)\}/g, ''), r.name).not.toMatch(/\{[a-z]+\}/i);
  });
  it('maps cell values to the contract severities', () => {
    for (const r of k.rules.filter((x) => matrixTables.has(x.event.params.table))) {
      const want = { no: 'error', conditional: 'warning', unknown: 'info' }[r.event.params.cell as 'no' | 'conditional' | 'unknown'];
      expect(r.event.params.severity, r.name).toBe(want);
    }
  });
  it('the built-in knowledge the library ships is the knowledge of rules/', () => {
    expect(JSON.parse(JSON.stringify(preflight.knowledge))).toEqual(JSON.parse(JSON.stringify(k)));
  });
});
