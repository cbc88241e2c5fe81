/**
 * The recommendation agrees with the verdict (issue #12 §5, CONTRACT "recommendation agrees with findings"), and
 * check() reads bodies given as text or bytes and envelopes sent through a proxy (§6). Requests come from the
 * cases beside the rules, mutated: moved to the other endpoint, a body key dropped, a key of another case added.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPreflight, isPreflightInputError } from '../src/index.js';
import type { CheckOptions, CheckReport } from '../src/index.js';
import { loadRulesFile } from '../src/knowledge/load.js';

const root = join(import.meta.dirname, '..');
const p = createPreflight();
const ENDPOINTS = p.knowledge.endpoints.map((e) => e.id);

interface Case {
  name: string;
  input: Record<string, unknown>;
  options?: CheckOptions;
}
const cases: Case[] = readdirSync(join(root, 'rules', 'cases'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => (JSON.parse(JSON.stringify(loadRulesFile(join(root, 'rules', 'cases', f), 'cases', join(root, 'schemas'), root).value)) as { cases: Case[] }).cases);

function tryCheck(input: unknown, options?: CheckOptions): CheckReport | undefined {
  try {
    return p.check(input, options);
  } catch (e) {
    if (isPreflightInputError(e)) return undefined;
    throw e;
  }
}

const bodyOf = (input: Record<string, unknown>): Record<string, unknown> | undefined => {
  const b = typeof input['url'] === 'string' ? input['body'] : input;
  return b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : undefined;
};

/** A case, maybe moved to the other endpoint, maybe with a body key dropped or one of another case's keys added. */
const mutated = fc
  .record({
    c: fc.constantFrom(...cases),
    donor: fc.constantFrom(...cases),
    move: fc.boolean(),
    drop: fc.nat(),
    add: fc.nat(),
    how: fc.constantFrom('none', 'drop', 'add', 'both'),
  })
  .map(({ c, donor, move, drop, add, how }) => {
    const input = structuredClone(c.input);
    const body = bodyOf(input);
    const donorBody = bodyOf(donor.input);
    if (body && (how === 'drop' || how === 'both')) {
      const keys = Object.keys(body);
      if (keys.length > 0) delete body[keys[drop % keys.length]!];
    }
    if (body && donorBody && (how === 'add' || how === 'both')) {
      const keys = Object.keys(donorBody);
      if (keys.length > 0) {
        const key = keys[add % keys.length]!;
        body[key] = structuredClone(donorBody[key]);
      }
    }
    const options: CheckOptions = { ...c.options };
    if (move) {
      const report = tryCheck(c.input, c.options);
      if (report) options.endpoint = ENDPOINTS.find((e) => e !== report.endpoint)!;
    }
    return { input, options };
  });

describe('the recommendation agrees with the verdict', () => {
  it('has cases to draw from', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it('property: an invalid request is never told to stay unchanged; a valid one is never moved; recommend <file> equals check', () => {
    fc.assert(
      fc.property(mutated, ({ input, options }) => {
        const report = tryCheck(input, options);
        if (!report) return;
        const rec = report.recommendation;
        if (!report.valid) {
          const sameAndNothingToChange = rec.endpoint === report.endpoint && (rec.changes ?? []).length === 0;
          expect(sameAndNothingToChange, JSON.stringify(rec)).toBe(false);
          expect(rec.reasons.join(' ')).not.toMatch(/meet every need/);
        } else {
          expect(rec.endpoint).toBe(report.endpoint);
        }
        const r = p.recommend({ request: input, options });
        expect({ endpoint: r.endpoint, reasons: r.reasons, split: r.split, changes: r.changes }).toEqual({ endpoint: rec.endpoint, reasons: rec.reasons, split: rec.split, changes: rec.changes });
      }),
      { numRuns: 400 },
    );
  });

  it('every case with an error gets an endpoint and changes that leave no error, or a null endpoint', () => {
    for (const c of cases) {
      const report = tryCheck(c.input, c.options);
      if (!report || report.valid) continue;
      const rec = report.recommendation;
      if (rec.endpoint === null) {
        expect(rec.split, c.name).toBeDefined();
        continue;
      }
      if (rec.endpoint !== report.endpoint && (rec.changes ?? []).length === 0) {
        // Moving alone is enough: the same request has no error on the recommended endpoint.
        const moved = tryCheck(c.input, { ...c.options, endpoint: rec.endpoint });
        if (moved && moved.api === report.api) expect(moved.valid, c.name).toBe(true);
      }
    }
  });

  it('a request error that holds on both endpoints names the field to change and keeps the endpoint', () => {
    const c = cases.find((x) => /temperature and top_p/i.test(x.name) && tryCheck(x.input, x.options)?.findings.some((f) => f.code === 'field-conflict'));
    expect(c).toBeDefined();
    const report = p.check(c!.input, c!.options);
    const conflict = report.findings.find((f) => f.code === 'field-conflict')!;
    expect(report.recommendation.changes).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'field-conflict', path: conflict.path, change: conflict.fix })]));
  });

  it('a conditional cell alone does not steer a request away from the endpoint that serves it', () => {
    const conditional = p.knowledge.matrix.find((r) => !r.api && r.kind === 'capability' && ENDPOINTS.some((e) => r.cells[e].value === 'conditional'))!;
    const endpoint = ENDPOINTS.find((e) => conditional.cells[e].value === 'conditional')!;
    const c = cases.find((x) => {
      const r = tryCheck(x.input, x.options);
      return r?.valid && r.endpoint === endpoint && r.findings.some((f) => f.code === 'capability-conditional' && f.subject === conditional.id);
    });
    expect(c).toBeDefined();
    const report = p.check(c!.input, c!.options);
    expect(report.recommendation.endpoint).toBe(endpoint);
    expect(report.recommendation.reasons.join(' ')).toContain(`${conditional.id}: conditional on ${endpoint}`);
  });
});

describe('bodies as text or bytes', () => {
  const envelope = cases.find((c) => typeof c.input['url'] === 'string' && !tryCheck(c.input, c.options)?.valid && bodyOf(c.input) && !c.options)!;
  const json = JSON.stringify(envelope.input['body']);
  const expected = p.check(envelope.input);

  it.each([
    ['a JSON string', json],
    ['a Buffer', Buffer.from(json)],
    ['a Uint8Array', new TextEncoder().encode(json)],
    ['an ArrayBuffer', new TextEncoder().encode(json).buffer],
  ])("an envelope's body given as %s reads as the object", (_, body) => {
    expect(p.check({ ...envelope.input, body })).toEqual(expected);
  });

  it('a whole request given as bytes or a string reads as the object', () => {
    const text = JSON.stringify(envelope.input);
    expect(p.check(Buffer.from(text))).toEqual(expected);
    expect(p.check(`\uFEFF${text}`)).toEqual(expected);
  });

  it("an envelope's empty body is a request without a body, as when the key is absent", () => {
    const { body: _, ...noBody } = envelope.input;
    for (const body of ['', new Uint8Array(0), ' \n']) expect(p.check({ ...envelope.input, body })).toEqual(p.check(noBody));
    expect(() => p.check(new Uint8Array(0), { endpoint: 'mantle' })).toThrow(/not valid JSON/);
  });

  it.each([
    ['a string', '{"model": '],
    ['bytes', Buffer.from('{"model": ')],
    ['an ArrayBuffer', new TextEncoder().encode('[1, 2').buffer],
  ])('malformed JSON in %s is an E_INPUT_PARSE error, never a valid request', (_, body) => {
    for (const input of [{ ...envelope.input, body }, body]) {
      try {
        p.check(input, { endpoint: 'mantle' });
        expect.unreachable();
      } catch (e) {
        expect(isPreflightInputError(e) && e.code).toBe('E_INPUT_PARSE');
      }
    }
  });

  it.each([
    ['check(x, null)', () => p.check(envelope.input, null as unknown as CheckOptions)],
    ['check(null)', () => p.check(null)],
    ['recommend(null)', () => p.recommend(null as never)],
    ['recommend({ needs: "x" })', () => p.recommend({ needs: 'responses' as never })],
    ['explain(undefined)', () => p.explain(undefined as never)],
  ])('%s throws a PreflightInputError, not a TypeError', (_, call) => {
    try {
      call();
      expect.unreachable();
    } catch (e) {
      expect(isPreflightInputError(e), String(e)).toBe(true);
    }
  });
});

describe("an envelope's Host header behind a proxy", () => {
  const envelope = cases.find((c) => typeof c.input['url'] === 'string' && !c.options && tryCheck(c.input)?.region)!;
  const url = new URL(envelope.input['url'] as string);
  const expected = p.check(envelope.input);

  it.each(['http://127.0.0.1:8080', 'http://localhost:4000', 'https://llm-proxy.internal.example'])('the URL %s with the Host header names the endpoint and Region', (origin) => {
    const viaProxy = { ...envelope.input, url: `${origin}${url.pathname}`, headers: { ...(envelope.input['headers'] as object), Host: url.host } };
    const report = p.check(viaProxy);
    expect({ endpoint: report.endpoint, region: report.region, api: report.api, valid: report.valid }).toEqual({
      endpoint: expected.endpoint,
      region: expected.region,
      api: expected.api,
      valid: expected.valid,
    });
  });

  it('a Bedrock URL wins over a Host header that names something else', () => {
    const report = p.check({ ...envelope.input, headers: { host: 'proxy.example' } });
    expect(report.endpoint).toBe(expected.endpoint);
  });

  it('a loopback URL without a Host header still needs --endpoint', () => {
    expect(() => p.check({ ...envelope.input, url: `http://127.0.0.1${url.pathname}`, headers: {} })).toThrow(/neither/);
  });
});
