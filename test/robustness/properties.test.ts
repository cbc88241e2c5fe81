/**
 * Properties no example covers: check never throws on any JSON (only PreflightInputError, for input it cannot
 * read) and always returns the contract's shape; key order never changes a report; adding a capability the
 * endpoint lacks never removes a finding; the same input always gives the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPreflight, isPreflightInputError, builtInKnowledge, type CheckReport } from '../../src/index.js';
import { MIX } from '../../bench/requests.js';

const preflight = createPreflight();
const root = join(import.meta.dirname, '..', '..');
const validateReport = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(join(root, 'schemas', 'check-report.schema.json'), 'utf8')));

function checkOrInputError(input: unknown, options?: Record<string, string>): CheckReport | undefined {
  try {
    return preflight.check(input, options);
  } catch (e) {
    if (isPreflightInputError(e)) return undefined;
    throw e;
  }
}

function expectContractShape(r: CheckReport): void {
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  expect(r.valid).toBe(!r.findings.some((f) => f.severity === 'error'));
}

/** Deeply rebuilds every object with its keys in a shuffled order. */
function shuffleKeys(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries) Object.defineProperty(out, k, { value: shuffleKeys(x, rnd), enumerable: true, writable: true, configurable: true });
  return out;
}

const endpointArb = fc.constantFrom('runtime', 'mantle', 'bedrock-runtime', 'bedrock-mantle');
const realistic = MIX.map((m) => m.input);

/** Sets the value at a path of segments, creating objects on the way (arrays are indexed). */
function mutate(v: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(v) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
  for (let i = 0; i < path.length - 1; i++) {
    const next = own(node, path[i]!);
    // Define, never assign: `__proto__` must become an own key, not reach Object.prototype.
    if (next === null || typeof next !== 'object') Object.defineProperty(node, path[i]!, { value: {}, enumerable: true, writable: true, configurable: true });
    node = own(node, path[i]!) as Record<string, unknown>;
  }
  if (value === undefined) delete node[path[path.length - 1]!];
  else Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const keyArb = fc.oneof(
  fc.constantFrom('body', 'url', 'headers', 'model', 'messages', 'tools', 'system', 'input', 'output_config', 'format', 'type', 'guardrailConfig', 'background', '0', '__proto__', 'constructor', 'prototype', 'toString'),
  fc.string({ maxLength: 8 }),
);

describe('check on arbitrary input', () => {
  it('never throws on any JSON value (input errors are PreflightInputError) and returns the contract shape', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), endpointArb, (value, endpoint) => {
        const r = checkOrInputError(value, { endpoint });
        if (r) expectContractShape(r);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) expect(r).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary mutations of realistic requests', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...realistic),
        fc.array(fc.tuple(fc.array(keyArb, { minLength: 1, maxLength: 4 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined))), { minLength: 1, maxLength: 5 }),
        (base, edits) => {
          let input: unknown = base;
          for (const [path, value] of edits) input = mutate(input, path, value);
          const r = checkOrInputError(input, { endpoint: 'mantle' });
          if (r) expectContractShape(r);
          const r2 = checkOrInputError(input);
          if (r2) expectContractShape(r2);
        },
      ),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reordering keys never changes a report', () => {
    fc.assert(
      fc.property(fc.constantFrom(...realistic), fc.integer(), (input, seed) => {
        let s = seed >>> 0 || 1;
        const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
        expect(preflight.check(shuffleKeys(input, rnd))).toEqual(preflight.check(input));
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same input gives the same bytes, also from a fresh instance', () => {
    const fresh = createPreflight({ knowledge: structuredClone(builtInKnowledge) });
    for (const input of realistic) {
      const a = JSON.stringify(preflight.check(input));
      expect(JSON.stringify(preflight.check(structuredClone(input)))).toBe(a);
      expect(JSON.stringify(fresh.check(input))).toBe(a);
    }
  });
});

describe('adding a capability the endpoint lacks never removes a finding', () => {
  // One request per capability with a `no` cell: the first case of rules/cases/capabilities.yaml that expects it
  // to be stopped as unsupported (a capability-unsupported error about it).
  const snippets = unsupportedCapabilitySnippets();
  // The evidence path of a finding may move (the new part can be the first place a capability shows), so findings are compared by code and subject.
  const key = (r: CheckReport) => r.findings.map((f) => `${f.code}|${f.subject}`);

  it('for random requests of the same API and endpoint', () => {
    fc.assert(
      fc.property(fc.constantFrom(...snippets), fc.constantFrom(...realistic), (snip, base) => {
        const baseBody = structuredClone((base as { body: Record<string, unknown> }).body);
        const before = preflight.check({ url: snip.url, headers: { ...((base as { headers?: object }).headers ?? {}) }, body: baseBody });
        const after = preflight.check({
          url: snip.url,
          headers: { ...((base as { headers?: object }).headers ?? {}), ...(snip.headers ?? {}) },
          body: { ...baseBody, ...snip.body },
        });
        const had = new Set(key(after));
        for (const k of key(before)) {
          // A snippet may replace the model; findings about the old model may go, findings about everything else stay.
          if ((k.startsWith('model-') || k.endsWith('|model')) && 'model' in snip.body) continue;
          expect(had.has(k), `${k} disappeared`).toBe(true);
        }
        expect(after.findings.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

interface Snippet {
  url: string;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * For each capability that has a `no` cell in the knowledge, the part of a case's request that shows it: the URL,
 * and the top-level body member or the header at the finding's path. Fails when such a capability has no case.
 */
function unsupportedCapabilitySnippets(): Snippet[] {
  const capabilities = new Set(builtInKnowledge.capabilities.filter((c) => c.signals.length > 0).map((c) => c.id));
  const lacking = new Set(
    builtInKnowledge.matrix.filter((r) => capabilities.has(r.id) && Object.values(r.support).includes('no')).map((r) => r.id),
  );
  const file = parse(readFileSync(join(root, 'rules', 'cases', 'capabilities.yaml'), 'utf8')) as {
    cases: Array<{ input: Snippet & Record<string, unknown>; expect: { findings?: Array<{ code: string; subject: string; path?: string }> } }>;
  };
  const snippets = new Map<string, Snippet>();
  for (const c of file.cases) {
    if (typeof c.input.url !== 'string' || c.input.body === null || typeof c.input.body !== 'object') continue;
    for (const f of c.expect.findings ?? []) {
      if (f.code !== 'capability-unsupported' || !lacking.has(f.subject) || snippets.has(f.subject)) continue;
      const [, part, name] = (f.path ?? '/url').split('/') as [string, string, string | undefined];
      const snippet: Snippet = { url: c.input.url, body: {} };
      if (part === 'body' && name !== undefined) snippet.body[name] = c.input.body[name];
      if (part === 'headers' && name !== undefined) snippet.headers = { [name]: c.input.headers![name]! };
      snippets.set(f.subject, snippet);
    }
  }
  expect([...snippets.keys()].sort()).toEqual([...lacking].sort());
  return [...snippets.values()];
}
