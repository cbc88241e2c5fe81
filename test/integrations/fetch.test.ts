/**
 * bedrock-preflight/fetch with the real OpenAI and Anthropic SDKs (their own request building, headers and retry
 * logic) against a local HTTP server with mantle-like paths (/v1 for OpenAI, /anthropic for Anthropic).
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { PreflightError, isPreflightError, preflightFetch, type FetchLike, type PreflightFetchOptions } from '../../src/integrations/fetch.js';
import { createPreflight, PreflightInputError, type CheckReport, type Preflight } from '../../src/index.js';
import { startRecorder, type Recorder } from './recorder.js';

const API_KEY = 'bedrock-api-key-c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';

let server: Recorder;

beforeAll(async () => {
  server = await startRecorder('http1');
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
});

const openai = (options: PreflightFetchOptions = { endpoint: 'bedrock-mantle' }, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({ baseURL: `${server.url}/v1`, apiKey: API_KEY, maxRetries: 0, fetch: preflightFetch(options), ...extra });
const anthropic = (options: PreflightFetchOptions = { endpoint: 'bedrock-mantle' }, extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
  new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: API_KEY, maxRetries: 0, fetch: preflightFetch(options), ...extra });

const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 20, ...extra });
const message = (extra: Record<string, unknown> = {}) => ({
  model: 'anthropic.claude-haiku-4-5',
  max_tokens: 20,
  messages: [{ role: 'user' as const, content: 'Extract the order number from: order 4471.' }],
  ...extra,
});
const jsonFormat = { format: { type: 'json_schema', schema: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'], additionalProperties: false } } };

/** The SDK's error for a request the wrapper stopped: the SDKs wrap errors thrown by fetch; the PreflightError is the cause. */
async function stopped(p: Promise<unknown>): Promise<PreflightError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPreflightError(err)).toBe(true);
  const pe = PreflightError.from(err)!;
  expect(pe).toBeInstanceOf(PreflightError);
  expect(JSON.stringify({ message: pe.message, report: pe.report })).not.toContain('c2VjcmV0');
  return pe;
}

describe('fetch with the OpenAI SDK (mantle-like /v1)', () => {
  it('a global. cross-Region profile on mantle is stopped: cross-region-inference', async () => {
    const err = await stopped(openai().chat.completions.create(chat('global.openai.gpt-oss-120b')));
    expect(server.received).toHaveLength(0);
    expect(err.findings).toEqual([expect.objectContaining({ code: 'capability-unsupported', subject: 'cross-region-inference', path: '/body/model' })]);
    expect(err.message).toMatch(/^error cross-region-inference at \/body\/model: /);
    expect(err.report).toMatchObject({ endpoint: 'bedrock-mantle', api: 'chat-completions', valid: false });
  });

  it('with the SDK retries, nothing reaches the server either (each retry is checked again)', async () => {
    let calls = 0;
    const wrapped = preflightFetch({ endpoint: 'bedrock-mantle' });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: API_KEY, maxRetries: 1, fetch: (i, init) => (calls++, wrapped(i, init)) });
    const err = await stopped(client.chat.completions.create(chat('global.openai.gpt-oss-120b')));
    expect(err.findings[0]!.subject).toBe('cross-region-inference');
    expect(calls).toBe(2);
    expect(server.received).toHaveLength(0);
  });

  it("blocked: 'respond' answers with a 400 the SDK does not retry: its own BadRequestError at once, the findings in it", async () => {
    let calls = 0;
    const wrapped = preflightFetch({ endpoint: 'bedrock-mantle', blocked: 'respond' });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: API_KEY, fetch: (i, init) => (calls++, wrapped(i, init)) }); // default retries
    const err = await client.chat.completions.create(chat('global.openai.gpt-oss-120b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect((err as Error).message).toMatch(/^400 error cross-region-inference at \/body\/model: /);
    expect(calls).toBe(1);
    expect(server.received).toHaveLength(0);
    const pe = await stopped(Promise.reject(err));
    expect(pe.findings).toEqual([expect.objectContaining({ code: 'capability-unsupported', subject: 'cross-region-inference', path: '/body/model' })]);
    expect(pe.report).toMatchObject({ endpoint: 'bedrock-mantle', api: 'chat-completions', valid: false });
    // A valid request is sent as usual.
    await client.chat.completions.create(chat('openai.gpt-oss-120b'));
    expect(server.received).toHaveLength(1);
  });

  it('a valid request arrives byte for byte as the SDK sends it without the wrapper', async () => {
    const body = chat('openai.gpt-oss-120b', { temperature: 0.2 });
    const out = await openai().chat.completions.create(body);
    expect(out.choices[0]!.message.content).toBe('ok');
    await new OpenAI({ baseURL: `${server.url}/v1`, apiKey: API_KEY, maxRetries: 0 }).chat.completions.create(body);
    expect(server.received).toHaveLength(2);
    const [a, b] = server.received;
    expect(a!.path).toBe('/v1/chat/completions');
    expect(a!.body.equals(b!.body)).toBe(true);
    expect(a!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(a!.headers['content-type']).toBe(b!.headers['content-type']);
  });

  it('Responses with background on a proxy declared as runtime is stopped (api-unsupported, async-inference)', async () => {
    const err = await stopped(openai({ endpoint: 'runtime', region: 'us-east-1' }).responses.create({ model: 'openai.gpt-oss-120b', input: 'hi', background: true, max_output_tokens: 20 }));
    expect(err.findings.map((f) => f.subject)).toEqual(['responses', 'async-inference']);
    expect(err.message.split('\n')).toHaveLength(2);
    expect(server.received).toHaveLength(0);
  });

  it('GET requests (list models) pass through unchecked', async () => {
    await openai().models.list().catch(() => undefined);
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
  });

  it('without the endpoint option, a host that is not a Bedrock host is passed through untouched', async () => {
    const calls: Array<[unknown, unknown]> = [];
    const base: FetchLike = (input, init) => {
      calls.push([input, init]);
      return globalThis.fetch(input, init);
    };
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat('global.openai.gpt-oss-120b')) };
    await preflightFetch(base)(`${server.url}/v1/chat/completions`, init);
    expect(calls[0]![1]).toBe(init);
    expect(server.received).toHaveLength(1);
  });
});

describe('fetch with the Anthropic SDK (mantle-like /anthropic)', () => {
  it('output_config.format on mantle is stopped: structured-outputs', async () => {
    const err = await stopped(anthropic().messages.create(message({ output_config: jsonFormat }) as Anthropic.MessageCreateParamsNonStreaming));
    expect(server.received).toHaveLength(0);
    expect(err.findings).toEqual([expect.objectContaining({ code: 'capability-unsupported', subject: 'structured-outputs', path: '/body/output_config/format' })]);
    expect(err.report).toMatchObject({ endpoint: 'bedrock-mantle', api: 'messages', model: 'anthropic.claude-haiku-4-5' });
  });

  it("blocked: 'respond' gives the SDK's BadRequestError at once, with the findings for PreflightError.from", async () => {
    const client = new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: API_KEY, fetch: preflightFetch({ endpoint: 'bedrock-mantle', blocked: 'respond' }) });
    const err = await client.messages.create(message({ output_config: jsonFormat } as never)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(server.received).toHaveLength(0);
    const pe = await stopped(Promise.reject(err));
    expect(pe.findings.map((f) => f.subject)).toEqual(['structured-outputs']);
  });

  it('tools[].strict on mantle is sent with a tools-strict warning (inferred), and stopped with failOn: warning', async () => {
    const tools = [{ name: 'lookup', description: 'Look up an order', input_schema: { type: 'object' as const, properties: { id: { type: 'string' } } }, strict: true }];
    const reports: CheckReport[] = [];
    await anthropic({ endpoint: 'bedrock-mantle', onFindings: (r) => void reports.push(r) }).messages.create(message({ tools }) as Anthropic.MessageCreateParamsNonStreaming);
    expect(server.received).toHaveLength(1);
    expect(reports[0]!.findings).toEqual([expect.objectContaining({ code: 'field-rejected', subject: 'tools-strict', severity: 'warning', path: '/body/tools/0/strict' })]);
    const err = await stopped(anthropic({ endpoint: 'bedrock-mantle', failOn: 'warning' }).messages.create(message({ tools }) as Anthropic.MessageCreateParamsNonStreaming));
    expect(err.findings[0]).toMatchObject({ subject: 'tools-strict', severity: 'warning' });
    expect(server.received).toHaveLength(1);
  });

  it('a valid request arrives byte for byte as without the wrapper; the check sees the SDK headers', async () => {
    const seen: unknown[] = [];
    const real = createPreflight();
    const spy: Preflight = { ...real, check: (i, o) => (seen.push(i), real.check(i, o)) };
    const out = await anthropic({ endpoint: 'mantle', region: 'us-east-1', preflight: spy }).messages.create(message());
    expect(out.content[0]).toMatchObject({ type: 'text', text: 'ok' });
    await new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: API_KEY, maxRetries: 0 }).messages.create(message());
    expect(server.received).toHaveLength(2);
    expect(server.received[0]!.path).toBe('/anthropic/v1/messages');
    expect(server.received[0]!.body.equals(server.received[1]!.body)).toBe(true);
    expect(server.received[0]!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: `${server.url}/anthropic/v1/messages`, headers: expect.objectContaining({ 'anthropic-version': expect.any(String) }) });
  });

  it('a streaming request is checked before it is sent', async () => {
    const err = await stopped(
      (async () => {
        const stream = await anthropic().messages.create({ ...(message({ output_config: jsonFormat }) as Anthropic.MessageCreateParamsNonStreaming), stream: true });
        for await (const _ of stream) void _;
      })(),
    );
    expect(err.findings[0]!.subject).toBe('structured-outputs');
    expect(server.received).toHaveLength(0);
  });
});

describe('fetch: every request is checked on its own', () => {
  it('the check runs once per request; a request that differs where the check reads is stopped', async () => {
    const preflight = createPreflight({ knowledge: createPreflight().knowledge });
    const check = vi.spyOn(preflight, 'check');
    const spied = openai({ endpoint: 'mantle', preflight });
    await spied.chat.completions.create(chat('openai.gpt-oss-120b'));
    await spied.chat.completions.create(chat('openai.gpt-oss-120b', { messages: [{ role: 'user', content: 'other text' }] }));
    expect(check).toHaveBeenCalledTimes(2);

    const client = openai({ endpoint: 'mantle', preflight: createPreflight({ knowledge: preflight.knowledge }) });
    for (const text of ['one', 'two', 'three']) await client.chat.completions.create(chat('openai.gpt-oss-120b', { messages: [{ role: 'user', content: text }] }));
    expect(server.received).toHaveLength(5);
    const err = await stopped(client.chat.completions.create(chat('global.openai.gpt-oss-120b', { messages: [{ role: 'user', content: 'one' }] })));
    expect(err.findings[0]).toMatchObject({ subject: 'cross-region-inference' });
    expect(server.received).toHaveLength(5);
    // Each one arrived as sent.
    expect(server.received.slice(2).map((r) => (JSON.parse(r.body.toString("utf8")) as { messages: Array<{ content: string }> }).messages[0]!.content)).toEqual(['one', 'two', 'three']);
  });

  it('onFindings hears of every request with a warning', async () => {
    const reports: CheckReport[] = [];
    const client = openai({ endpoint: 'mantle', mode: 'warn', onFindings: (r) => reports.push(r) });
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: `no max tokens ${i}` }] });
    expect(reports).toHaveLength(3);
    expect(server.received).toHaveLength(3);
  });

  it('the same body with other headers: a request with a project header on runtime is stopped', async () => {
    const client = openai({ endpoint: 'runtime' });
    await client.chat.completions.create(chat('openai.gpt-oss-120b'));
    const err = await stopped(client.chat.completions.create(chat('openai.gpt-oss-120b'), { headers: { 'OpenAI-Project': 'proj_1' } }));
    expect(err.findings.map((f) => f.subject)).toContain('projects');
    expect(server.received).toHaveLength(1);
  });
});

describe('fetch: the ESM and CommonJS copies of the package', () => {
  it('a preflight made with the CommonJS build works in this wrapper: its input errors are recognised', async () => {
    const cjs = createRequire(import.meta.url)('../../dist/index.cjs') as typeof import('../../src/index.js');
    expect(new cjs.PreflightInputError('E_USAGE', 'x')).toBeInstanceOf(PreflightInputError);
    const f = preflightFetch({ endpoint: 'mantle', preflight: cjs.createPreflight({ knowledge: cjs.builtInKnowledge }) });
    const err = await f(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat('global.openai.gpt-oss-120b')) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    await f(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat('openai.gpt-oss-120b')) });
    expect(server.received).toHaveLength(1);
  });
});

describe('fetch: modes and bodies', () => {
  const url = () => `${server.url}/v1/chat/completions`;
  const invalid = () => JSON.stringify(chat('global.openai.gpt-oss-120b'));

  it('warn: sends, logs each distinct finding once (injectable logger)', async () => {
    const lines: string[] = [];
    const client = openai({ endpoint: 'mantle', mode: 'warn', logger: { warn: (m) => lines.push(m) } });
    await client.chat.completions.create(chat('global.openai.gpt-oss-120b'));
    await client.chat.completions.create(chat('global.openai.gpt-oss-120b'));
    await client.chat.completions.create({ model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'no max tokens' }] });
    expect(server.received).toHaveLength(3);
    expect(lines).toEqual([
      expect.stringMatching(/^bedrock-preflight: error cross-region-inference at \/body\/model: /),
      expect.stringMatching(/^bedrock-preflight: warning max-tokens at \/body: /),
    ]);
  });

  it('warn: console.warn by default; onFindings instead of logging when given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reports: Array<[CheckReport, { method: string; url: string }]> = [];
    try {
      await preflightFetch({ endpoint: 'mantle', mode: 'warn' })(url(), { method: 'POST', body: invalid() });
      expect(warn).toHaveBeenCalledTimes(1);
      await preflightFetch({ endpoint: 'mantle', mode: 'warn', onFindings: (r, req) => reports.push([r, req]) })(url(), { method: 'POST', body: invalid() });
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]![0]).toMatchObject({ valid: false, findings: [expect.objectContaining({ subject: 'cross-region-inference' })] });
    expect(reports[0]![1]).toEqual({ method: 'POST', url: url() });
    expect(server.received).toHaveLength(2);
  });

  it('off: sends without checking, and is the underlying fetch call as is', async () => {
    const calls: unknown[][] = [];
    const f = preflightFetch((input, init) => (calls.push([input, init]), globalThis.fetch(input, init)), { endpoint: 'mantle', mode: 'off' });
    const init = { method: 'POST', body: invalid() };
    await f(url(), init);
    expect(calls[0]![1]).toBe(init);
    expect(server.received).toHaveLength(1);
  });

  it('failOn: warning stops a request with a warning', async () => {
    const err = await stopped(openai({ endpoint: 'mantle', failOn: 'warning' }).chat.completions.create({ model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }] }));
    expect(err.findings[0]).toMatchObject({ severity: 'warning', subject: 'max-tokens' });
    expect(server.received).toHaveLength(0);
  });

  it('reads Request objects, bytes, Blobs and ReadableStreams without consuming them', async () => {
    const f = preflightFetch({ endpoint: 'mantle' });
    const bytes = new TextEncoder().encode(invalid());
    await expect(f(new Request(url(), { method: 'POST', body: invalid() }))).rejects.toThrow(PreflightError);
    await expect(f(url(), { method: 'POST', body: bytes })).rejects.toThrow(PreflightError);
    await expect(f(url(), { method: 'POST', body: new Blob([bytes]) })).rejects.toThrow(PreflightError);
    const stream = () => new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) });
    await expect(f(url(), { method: 'POST', body: stream(), duplex: 'half' } as RequestInit)).rejects.toThrow(PreflightError);
    expect(server.received).toHaveLength(0);

    const valid = new TextEncoder().encode(JSON.stringify(chat('openai.gpt-oss-120b')));
    const req = new Request(url(), { method: 'POST', body: valid });
    await f(req);
    await f(url(), { method: 'POST', body: valid });
    await f(url(), { method: 'POST', body: new Blob([valid]) });
    await f(url(), { method: 'POST', body: new ReadableStream({ start: (c) => (c.enqueue(valid), c.close()) }), duplex: 'half' } as RequestInit);
    expect(server.received).toHaveLength(4);
    for (const r of server.received) expect(r.body.equals(Buffer.from(valid))).toBe(true);
  });

  it('bodies that are not JSON objects are passed through unchecked', async () => {
    const f = preflightFetch({ endpoint: 'mantle' });
    await f(url(), { method: 'POST', body: 'not json' });
    await f(url(), { method: 'POST', body: '[1, 2]' });
    await f(url(), { method: 'POST', body: new URLSearchParams({ a: 'b' }) });
    expect(server.received).toHaveLength(3);
  });

  it('a real Bedrock host is checked without the endpoint option (the request never leaves)', async () => {
    const calls: unknown[] = [];
    const f = preflightFetch((i) => (calls.push(i), Promise.resolve(new Response('{}'))));
    const err = await stopped(f('https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', { method: 'POST', body: invalid() }));
    expect(err.report).toMatchObject({ endpoint: 'bedrock-mantle', region: 'us-east-1' });
    await f('https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1/chat/completions', { method: 'POST', body: JSON.stringify(chat('openai.gpt-oss-120b')) });
    expect(calls).toHaveLength(1);
  });

  it('a Headers object gives the same report as a record of all its headers (only the names the knowledge tests are read)', async () => {
    const real = createPreflight();
    const reports: CheckReport[] = [];
    const spy: Preflight = { ...real, check: (i, o) => { const r = real.check(i, o); reports.push(r); return r; } };
    const sent = (): Promise<Response> => Promise.resolve(new Response('{}'));
    const wrapped = preflightFetch(sent, { endpoint: 'mantle', mode: 'warn', onFindings: () => {}, preflight: spy });
    const name = fc.constantFrom('Content-Type', 'anthropic-version', 'Anthropic-Beta', 'authorization', 'X-Api-Key', 'OpenAI-Project', 'anthropic-workspace', 'x-amzn-bedrock-guardrailidentifier', 'X-Amzn-Bedrock-Request-Metadata', 'user-agent', 'x-stainless-os', 'accept');
    const value = fc.constantFrom('application/json', '2023-06-01', 'Bearer bedrock-api-key-abc', 'AWS4-HMAC-SHA256 Credential=x', 'default', 'proj_123', '', 'x');
    const bodies = [JSON.stringify(message()), JSON.stringify(chat('openai.gpt-oss-120b'))];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), fc.constantFrom(0, 1), async (pairs, b) => {
        const headers = new Headers(pairs);
        const path = b === 0 ? '/anthropic/v1/messages' : '/v1/chat/completions';
        reports.length = 0;
        await wrapped(`${server.url}${path}`, { method: 'POST', headers, body: bodies[b] });
        const all: Record<string, string> = {};
        headers.forEach((v, k) => (all[k] = v));
        expect(reports).toEqual([real.check({ method: 'POST', url: `${server.url}${path}`, headers: all, body: JSON.parse(bodies[b]!) }, { endpoint: 'mantle' })]);
      }),
      { numRuns: 300 },
    );
  });

  it("blocked: 'respond' with a plain fetch resolves to the synthetic 400, which was never sent", async () => {
    const res = await preflightFetch({ endpoint: 'mantle', blocked: 'respond' })(url(), { method: 'POST', body: invalid() });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-should-retry')).toBe('false');
    const body = (await res.json()) as { message: string; error: { bedrock_preflight: { findings: Array<{ subject: string }> } } };
    expect(body.message).toMatch(/^error cross-region-inference at \/body\/model: /);
    expect(body.error.bedrock_preflight.findings.map((f) => f.subject)).toEqual(['cross-region-inference']);
    expect(server.received).toHaveLength(0);
    expect(PreflightError.from({ status: 400, headers: new Headers(), error: body })).toBeUndefined();
    const hostile = { status: 400, headers: { get: () => { throw new Error('boom'); } }, error: body };
    expect(PreflightError.from(hostile)).toBeUndefined();
    expect(PreflightError.from({ status: 400, headers: new Headers({ 'x-bedrock-preflight': 'blocked' }), error: body })?.findings.map((f) => f.subject)).toEqual(['cross-region-inference']);
    expect(() => preflightFetch({ blocked: 'swallow' as never })).toThrow(/blocked/);
  });

  it('invalid options throw a PreflightInputError at once', () => {
    expect(() => preflightFetch({ endpoint: 'nowhere' })).toThrow(PreflightInputError);
    expect(() => preflightFetch({ failOn: 'info' as never })).toThrow(/invalid bedrock-preflight\/fetch options: failOn/);
  });
});
