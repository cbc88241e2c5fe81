/**
 * Tests of the catalogue itself: the contract's ids exist, every cell and signal names its source and date,
 * every capability has a label, a matrix row, a signal or a reason for none, and an explanation; every finding
 * code has a template; the seed page's tables are reproduced cell for cell.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { loadKnowledge } from '../src/knowledge/assemble.js';

const root = join(import.meta.dirname, '..');
const k = loadKnowledge(join(root, 'rules'), join(root, 'schemas'), root);
const preflight = createPreflight();
const matrixTables = new Set(k.tables.map((t) => t.id));

const CONTRACT = {
  endpoints: ['bedrock-runtime', 'bedrock-mantle'],
  apis: ['invoke-model', 'converse', 'chat-completions', 'responses', 'messages'],
  inference: ['cross-region-inference', 'stateful-conversation', 'async-inference', 'client-side-tools', 'server-side-tools', 'preconfigured-tools', 'projects', 'workspaces'],
  operational: ['sigv4-auth', 'api-key-auth', 'request-metadata-tagging', 'iam-principal-attribution'],
  features: ['guardrails', 'prompt-caching', 'prompt-routing'],
  surface: ['structured-outputs'],
};

/**
 * The seed page's four comparison tables, as (row id → runtime, mantle). This is the test's own reading of
 * shared/seed/endpoints.md; when that file is beside the checkout it is parsed too and must agree.
 */
const SEED: Record<string, Array<[string, string, string]>> = {
  api: [
    ['invoke-model', 'yes', 'no'],
    ['converse', 'yes', 'no'],
    ['chat-completions', 'yes', 'yes'],
    ['responses', 'no', 'yes'],
    ['messages', 'yes', 'yes'],
  ],
  inference: [
    ['cross-region-inference', 'yes', 'no'],
    ['stateful-conversation', 'no', 'yes'],
    ['async-inference', 'no', 'yes'],
    ['client-side-tools', 'yes', 'yes'],
    ['server-side-tools', 'no', 'yes'],
    ['preconfigured-tools', 'no', 'yes'],
    ['projects', 'no', 'yes'],
    ['workspaces', 'no', 'yes'],
  ],
  operational: [
    ['sigv4-auth', 'yes', 'yes'],
    ['api-key-auth', 'yes', 'yes'],
    ['usage-attribution', 'IAM, per-request metadata tagging', 'Projects, Workspaces'],
  ],
  features: [
    ['guardrails', 'yes', 'no'],
    ['prompt-caching', 'yes', 'yes'],
    ['prompt-routing', 'yes', 'no'],
  ],
};

function cellText(row: (typeof k.matrix)[number], e: 'bedrock-runtime' | 'bedrock-mantle'): string {
  const c = row.cells[e];
  return c.detail !== undefined && c.value === 'yes' ? c.detail : c.value;
}

describe('the contract ids', () => {
  it('are exactly the endpoints, apis and capabilities of the knowledge', () => {
    expect(k.endpoints.map((e) => e.id)).toEqual(CONTRACT.endpoints);
    expect(k.apis.map((a) => a.id).sort()).toEqual([...CONTRACT.apis].sort());
    const caps = [...CONTRACT.inference, ...CONTRACT.operational, ...CONTRACT.features, ...CONTRACT.surface].sort();
    expect(k.capabilities.map((c) => c.id).sort()).toEqual(caps);
  });
  it('accept the runtime and mantle aliases', () => {
    expect(preflight.endpointId('runtime')).toBe('bedrock-runtime');
    expect(preflight.endpointId('mantle')).toBe('bedrock-mantle');
    expect(preflight.endpointId('bedrock')).toBeUndefined();
  });
});

describe('the seed tables', () => {
  for (const [table, rows] of Object.entries(SEED)) {
    it(`reproduces every cell of the ${table} table`, () => {
      for (const [id, runtime, mantle] of rows) {
        const row = k.matrix.find((r) => r.table === table && r.id === id && r.api === undefined);
        expect(row, `${table}/${id}`).toBeDefined();
        expect([cellText(row!, 'bedrock-runtime'), cellText(row!, 'bedrock-mantle')], `${table}/${id}`).toEqual(
          // Prompt caching's mantle cell is a yes icon with a note that support depends on the model.
          id === 'prompt-caching' ? [runtime, 'conditional'] : [runtime, mantle],
        );
      }
    });
  }
  it('keeps the Messages API note: output_config.format is rejected on mantle', () => {
    const row = k.matrix.find((r) => r.id === 'structured-outputs' && r.api === 'messages')!;
    expect(row.support).toEqual({ 'bedrock-runtime': 'yes', 'bedrock-mantle': 'no' });
    expect(row.cells['bedrock-mantle'].detail).toContain('400');
  });
  it('agrees with the seed page itself when it is beside the checkout', () => {
    const seedPath = join(root, '..', 'shared', 'seed', 'endpoints.md');
    if (!existsSync(seedPath)) return; // a clone without shared/: the embedded reading above still runs
    const md = readFileSync(seedPath, 'utf8');
    const parsed: Array<[string, string, string]> = [];
    for (const line of md.split('\n')) {
      const cells = line.split('|').map((s) => s.trim());
      if (cells.length < 4 || !/icon-(yes|no)\.png|IAM|Projects/.test(line)) continue;
      const value = (s: string) => (s.includes('icon-yes') ? 'yes' : s.includes('icon-no') ? 'no' : s.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1'));
      parsed.push([cells[1]!.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1'), value(cells[2]!), value(cells[3]!)]);
    }
    const ours = Object.values(SEED).flat().map(([, r, m]) => [r, m]);
    expect(parsed.map(([, r, m]) => [r, m])).toEqual(ours);
  });
});

describe('sources and dates', () => {
  const dated = (x: { source?: string; asOf?: string }, what: string) => {
    expect(x.source, what).toMatch(/^https:\/\//);
    expect(x.asOf, what).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  };
  it('every matrix cell carries a source URL and an as-of date', () => {
    for (const row of k.matrix) for (const e of CONTRACT.endpoints as Array<'bedrock-runtime' | 'bedrock-mantle'>) dated(row.cells[e], `${row.id}/${e}`);
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
  it('every capability except iam-principal-attribution has at least one request signal', () => {
    for (const c of k.capabilities) {
      if (c.id === 'iam-principal-attribution') expect(c.signals).toEqual([]);
      else expect(c.signals.length, c.id).toBeGreaterThan(0);
    }
  });
  it('every cell that stops a request says what to do instead', () => {
    for (const row of k.matrix) {
      for (const e of CONTRACT.endpoints as Array<'bedrock-runtime' | 'bedrock-mantle'>) {
        const c = row.cells[e];
        if (c.value !== 'yes') expect(c.fix, `${row.id}/${e}`).toBeTruthy();
        if (c.value === 'conditional') expect(c.condition, `${row.id}/${e}`).toBeTruthy();
      }
    }
  });
  it('every finding code the tool can emit has a template', () => {
    const codes = new Set(k.findings.map((f) => f.code));
    for (const code of ['api-unsupported', 'capability-unsupported', 'capability-conditional', 'capability-unknown', 'api-undetermined', 'api-inferred', 'path-unrecognized']) {
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

describe('the README', () => {
  it('states the knowledge coverage the rules actually have', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`**Models**: ${k.models.length} families`);
    expect(readme).toContain(`**Regions**: ${k.regions.length} Regions`);
    expect(readme).toContain(`**Request shapes**: ${k.requestRules.length} rules`);
  });
});
