/**
 * recommend: the contract's ranking (no is out; yes > conditional > unknown; ties to the seed's choice for new
 * applications), splits, reasons that cite cells, and never price.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPreflight, isPreflightInputError } from '../src/index.js';

const p = createPreflight();
const k = p.knowledge;
const needIds = [...k.apis.map((a) => a.id), ...k.capabilities.map((c) => c.id)];

describe('recommend', () => {
  it.each([
    [['converse', 'prompt-routing'], 'bedrock-runtime'],
    [['invoke-model'], 'bedrock-runtime'],
    [['guardrails', 'cross-region-inference'], 'bedrock-runtime'],
    [['responses', 'async-inference'], 'bedrock-mantle'],
    [['stateful-conversation', 'server-side-tools', 'projects'], 'bedrock-mantle'],
    [['messages', 'workspaces'], 'bedrock-mantle'],
    [['messages', 'structured-outputs'], 'bedrock-runtime'],
    [['chat-completions'], 'bedrock-mantle'],
    [['prompt-caching'], 'bedrock-runtime'],
    [['request-metadata-tagging', 'iam-principal-attribution'], 'bedrock-runtime'],
  ])('%j → %s', (needs, endpoint) => {
    expect(p.recommend({ needs }).endpoint).toBe(endpoint);
  });

  it('a tie goes to the seed\'s choice for new applications and says so', () => {
    const r = p.recommend({ needs: ['chat-completions', 'client-side-tools', 'sigv4-auth'] });
    expect(r.endpoint).toBe(k.guidance.newApplications.endpoint);
    expect(r.reasons.join(' ')).toContain('new applications');
  });

  it('yes ranks above conditional: prompt caching goes to runtime, with the condition in the reasons', () => {
    const r = p.recommend({ needs: ['messages', 'prompt-caching'] });
    expect(r.endpoint).toBe('bedrock-runtime');
    expect(r.reasons.some((x) => x.includes('conditional on bedrock-mantle') && x.includes('depends on the model'))).toBe(true);
  });

  it('splits when no endpoint meets every need, and says which need goes where', () => {
    const r = p.recommend({ needs: ['responses', 'guardrails', 'async-inference', 'prompt-routing'] });
    expect(r.endpoint).toBeNull();
    expect(r.split).toEqual({ responses: 'bedrock-mantle', guardrails: 'bedrock-runtime', 'async-inference': 'bedrock-mantle', 'prompt-routing': 'bedrock-runtime' });
  });

  it('reasons cite the cells with source and date, and never price', () => {
    const r = p.recommend({ needs: ['converse', 'guardrails'] });
    expect(r.reasons.some((x) => x.includes('https://') && /as of \d{4}-\d{2}-\d{2}/.test(x))).toBe(true);
    for (const needs of [['responses'], ['converse'], ['responses', 'guardrails'], []]) {
      expect(p.recommend({ needs }).reasons.join(' ')).not.toMatch(/price|pricing|cost/i);
    }
  });

  it('recommends for a request: its api and capabilities are the needs', () => {
    const r = p.recommend({ request: { url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages', body: { model: 'anthropic.claude-haiku-4-5', max_tokens: 10, messages: [], output_config: { format: { type: 'json_schema', schema: {} } } } } });
    expect(r).toMatchObject({ endpoint: 'bedrock-runtime', needs: ['messages', 'structured-outputs'] });
  });

  it('rejects unknown needs with E_UNKNOWN_ID', () => {
    try {
      p.recommend({ needs: ['responses', 'teleportation'] });
      expect.unreachable();
    } catch (e) {
      expect(isPreflightInputError(e) && e.code).toBe('E_UNKNOWN_ID');
    }
  });

  it('properties: the chosen endpoint has no `no` cell; a null endpoint means both have one; adding a need never makes an out endpoint eligible', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...needIds), { maxLength: 6 }), fc.constantFrom(...needIds), (needs, extra) => {
        const r = p.recommend({ needs });
        if (r.endpoint) expect(Object.values(r.endpoints[r.endpoint].cells)).not.toContain('no');
        else for (const e of ['bedrock-runtime', 'bedrock-mantle'] as const) expect(r.endpoints[e].meetsAll).toBe(false);
        const more = p.recommend({ needs: [...needs, extra] });
        for (const e of ['bedrock-runtime', 'bedrock-mantle'] as const) if (!r.endpoints[e].meetsAll) expect(more.endpoints[e].meetsAll).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('guidance lines fit the needs: a line naming apis is about those apis, a line naming capabilities needs one of them', () => {
    const apiIds = new Set<string>(k.apis.map((a) => a.id));
    const lines = Object.values(k.guidance.prefer).flatMap((pr) => pr!.when);
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...needIds), { maxLength: 5 }), (needs) => {
        const r = p.recommend({ needs });
        for (const reason of r.reasons.filter((x) => x.startsWith('Seed guidance'))) {
          const line = lines.find((w) => reason.includes(w.text))!;
          const apis = line.needs.filter((n) => apiIds.has(n));
          const caps = line.needs.filter((n) => !apiIds.has(n));
          if (apis.length > 0) expect(apis.some((a) => needs.includes(a)), reason).toBe(true);
          if (caps.length > 0) expect(caps.some((c) => needs.includes(c)), reason).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a Messages request with an API key gets the Messages line of the guidance, not the OpenAI-compatible ones', () => {
    const mantle = k.guidance.prefer['bedrock-mantle']!.when;
    const messagesLine = mantle.find((w) => w.needs.includes('messages') && !w.needs.includes('stateful-conversation'))!;
    const openAiOnly = mantle.filter((w) => w.needs.some((n) => k.apis.some((a) => a.id === n)) && !w.needs.includes('messages'));
    expect(messagesLine).toBeDefined();
    const report = p.check({
      url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages',
      headers: { 'x-api-key': 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl', 'anthropic-version': '2023-06-01' },
      body: { model: 'anthropic.claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Hello' }] },
    });
    expect(report.valid).toBe(true);
    const reasons = report.recommendation.reasons.join('\n');
    expect(reasons).toContain(messagesLine.text);
    for (const w of openAiOnly) expect(reasons).not.toContain(w.text);
  });
});

describe('the recommendation of a request with errors never contradicts itself', () => {
  const p = createPreflight();
  const requests = [
    { url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages', body: { model: 'anthropic.claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } } },
    { url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/responses', body: { model: 'openai.gpt-oss-120b', input: 'hi', background: true, store: true } },
  ];
  it.each(requests.map((r, i) => [i, r] as const))('request %i: no reason names a way to stay on the endpoint sent to, and the changes are the target\'s', (_i, r) => {
    const report = p.check(r);
    expect(report.valid).toBe(false);
    const rec = report.recommendation;
    expect(rec.endpoint).not.toBe(report.endpoint);
    expect(rec.reasons.join('\n')).not.toMatch(/to stay on/);
    const onTarget = p.check(r, { endpoint: rec.endpoint! }).findings.filter((f) => f.severity === 'error');
    expect((rec.changes ?? []).map((c) => c.subject)).toEqual(onTarget.map((f) => f.subject));
  });
});

describe("a report's recommendation, made when first read", () => {
  const p = createPreflight();
  // Structured outputs on the mantle Messages API: an error, and the recommendation moves it to runtime.
  const invalid = {
    url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages',
    body: { model: 'anthropic.claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
  };
  const requests = [invalid, { url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse', body: { messages: [{ role: 'user', content: [{ text: 'hi' }] }] } }];

  it.each(requests.map((r, i) => [i, r] as const))('is an ordinary enumerable property to every reader (request %i)', (_, request) => {
    const report = p.check(request);
    expect(Object.keys(report)).toContain('recommendation');
    const { recommendation } = p.check(request);
    // JSON, a spread copy and structuredClone all carry the same recommendation, read once and kept.
    expect(JSON.parse(JSON.stringify(report)).recommendation).toEqual(recommendation);
    expect({ ...report }.recommendation).toEqual(recommendation);
    expect(structuredClone(report).recommendation).toEqual(recommendation);
    expect(report.recommendation).toBe(report.recommendation);
    expect(recommendation.endpoint).toBe(p.recommend({ request }).endpoint);
  });

  it('is computed from the findings as checked, whatever a caller does to them afterwards', () => {
    const before = p.check(invalid);
    expect(before.valid).toBe(false);
    expect(before.recommendation.endpoint).toBe('bedrock-runtime');
    const expected = structuredClone(before.recommendation);
    const after = p.check(invalid);
    after.findings.length = 0;
    expect(after.recommendation).toEqual(expected);
  });

  it('can be replaced', () => {
    const report = p.check(invalid);
    report.recommendation = { endpoint: 'bedrock-runtime', reasons: ['mine'] };
    expect(JSON.parse(JSON.stringify(report)).recommendation.reasons).toEqual(['mine']);
  });
});
