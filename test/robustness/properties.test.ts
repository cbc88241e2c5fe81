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
  // One snippet per capability with a `no` cell, in the shape of each API it can appear in.
  const snippets: Array<{ endpoint: 'bedrock-runtime' | 'bedrock-mantle'; url: string; body: Record<string, unknown>; headers?: Record<string, string> }> = [
    { endpoint: 'bedrock-mantle', url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'us.meta.llama3-3-70b-instruct-v1:0' } },
    { endpoint: 'bedrock-mantle', url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: {}, headers: { 'X-Amzn-Bedrock-GuardrailIdentifier': 'gr1', 'X-Amzn-Bedrock-GuardrailVersion': '1' } },
    { endpoint: 'bedrock-mantle', url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: {}, headers: { 'X-Amzn-Bedrock-Request-Metadata': '{"team":"a"}' } },
    { endpoint: 'bedrock-mantle', url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages', body: { output_config: { format: { type: 'json_schema', schema: {} } } } },
    { endpoint: 'bedrock-runtime', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/responses', body: { background: true } },
    { endpoint: 'bedrock-runtime', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/responses', body: { previous_response_id: 'resp_1' } },
    { endpoint: 'bedrock-runtime', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/responses', body: { tools: [{ type: 'web_search' }, { type: 'mcp', server_label: 'x' }] } },
    { endpoint: 'bedrock-runtime', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/chat/completions', body: {}, headers: { 'OpenAI-Project': 'proj_abc' } },
    { endpoint: 'bedrock-runtime', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/anthropic/v1/messages', body: {}, headers: { 'anthropic-workspace': 'wrkspc_1' } },
  ];
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
          if (k.startsWith('model-') && 'model' in snip.body) continue;
          expect(had.has(k), `${k} disappeared`).toBe(true);
        }
        expect(after.findings.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
