/**
 * bedrock-preflight/aws-sdk with the real BedrockRuntimeClient (its default HTTP/2 handler, SigV4 with fake
 * static credentials) against a local h2c server that records what reaches it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { PreflightError, preflightMiddleware, preflightMiddlewareOptions, preflightPlugin, withPreflight, type AwsSdkPreflightOptions } from '../../src/integrations/aws-sdk.js';
import { createPreflight, PreflightInputError, type CheckReport, type Preflight } from '../../src/index.js';
import { startRecorder, type Recorder } from './recorder.js';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const CLAUDE = 'anthropic.claude-haiku-4-5-20251001-v1:0';

let server: Recorder;
const clients: BedrockRuntimeClient[] = [];

function client(region = 'us-east-1'): BedrockRuntimeClient {
  const c = new BedrockRuntimeClient({
    region,
    endpoint: server.url,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}

function guarded(options: AwsSdkPreflightOptions = {}, region?: string): BedrockRuntimeClient {
  const c = client(region);
  c.middlewareStack.use(preflightPlugin(options));
  return c;
}

const text = (t: string): ContentBlock => ({ text: t });
const cachePoint: ContentBlock = { cachePoint: { type: 'default' } };
const converse = (content: ContentBlock[], extra: Partial<ConstructorParameters<typeof ConverseCommand>[0]> = {}) => ({
  modelId: `us.${CLAUDE}`,
  messages: [{ role: 'user' as const, content }],
  inferenceConfig: { maxTokens: 50 },
  ...extra,
});
const fiveCachePoints = [text('a'), cachePoint, text('b'), cachePoint, text('c'), cachePoint, text('d'), cachePoint, text('e'), cachePoint];
const claudeBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], ...extra });

async function rejection(p: Promise<unknown>): Promise<PreflightError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PreflightError);
  return e as PreflightError;
}

beforeAll(async () => {
  server = await startRecorder('h2c');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
});

describe('aws-sdk: invalid requests are stopped before they are signed or sent', () => {
  it('Converse with five cache points: limit-exceeded on cache-checkpoints', async () => {
    const err = await rejection(guarded().send(new ConverseCommand(converse(fiveCachePoints))));
    expect(server.received).toHaveLength(0);
    expect(err.name).toBe('PreflightError');
    expect(err.findings).toEqual([expect.objectContaining({ code: 'limit-exceeded', subject: 'cache-checkpoints', severity: 'error', path: '/body/messages/0/content/9/cachePoint' })]);
    expect(err.message).toMatch(/^error cache-checkpoints at \/body\/messages\/0\/content\/9\/cachePoint: /);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.report).toMatchObject({ endpoint: 'bedrock-runtime', api: 'converse', region: 'us-east-1', valid: false });
    expect(JSON.stringify({ message: err.message, report: err.report })).not.toMatch(new RegExp(`${ACCESS_KEY}|${SECRET_KEY.slice(0, 12)}|AWS4-HMAC`));
  });

  it('ConverseStream is checked the same way', async () => {
    const err = await rejection(guarded().send(new ConverseStreamCommand(converse(fiveCachePoints))));
    expect(err.findings[0]!.subject).toBe('cache-checkpoints');
    expect(server.received).toHaveLength(0);
  });

  it('InvokeModel of a Claude body without anthropic_version (string body)', async () => {
    const body = JSON.stringify({ max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const err = await rejection(guarded().send(new InvokeModelCommand({ modelId: CLAUDE, body, contentType: 'application/json' })));
    expect(err.findings).toEqual([expect.objectContaining({ code: 'field-missing', subject: 'anthropic-version', path: '/body' })]);
    expect(err.report.api).toBe('invoke-model');
    expect(server.received).toHaveLength(0);
  });

  it('InvokeModel with temperature and top_p for Claude Haiku 4.5 (Uint8Array body) is stopped', async () => {
    const body = new TextEncoder().encode(claudeBody({ temperature: 0.5, top_p: 0.9 }));
    const err = await rejection(guarded().send(new InvokeModelCommand({ modelId: CLAUDE, body })));
    expect(err.findings.find((f) => f.subject === 'temperature-and-top-p')).toMatchObject({ code: 'field-conflict', severity: 'error', path: '/body/top_p' });
    expect(server.received).toHaveLength(0);
  });

  it('InvokeModel with a PDF document block for Claude (Uint8Array body) is sent: a warning since 2026-12-03', async () => {
    const body = new TextEncoder().encode(
      claudeBody({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }] }] }),
    );
    const warned: string[] = [];
    await guarded({ logger: { warn: (m: string) => void warned.push(m) } }).send(new InvokeModelCommand({ modelId: CLAUDE, body })).catch(() => undefined);
    expect(server.received).toHaveLength(1);
    expect(warned.join('\n')).toContain('documents');
  });

  it('InvokeModelWithResponseStream is checked', async () => {
    const body = JSON.stringify({ max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const err = await rejection(guarded().send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body })));
    expect(err.findings[0]!.subject).toBe('anthropic-version');
    expect(server.received).toHaveLength(0);
  });

  it('the endpoint option says what is behind a custom endpoint (here mantle, which has no Converse)', async () => {
    const err = await rejection(guarded({ endpoint: 'mantle' }).send(new ConverseCommand(converse([text('hi')]))));
    expect(err.findings[0]).toMatchObject({ code: 'api-unsupported', subject: 'converse', path: '/url' });
    expect(err.report.endpoint).toBe('bedrock-mantle');
    expect(server.received).toHaveLength(0);
  });

  it('failOn: warning also stops a request with a warning (Converse without maxTokens)', async () => {
    const err = await rejection(guarded({ failOn: 'warning' }).send(new ConverseCommand(converse([text('hi')], { inferenceConfig: {} }))));
    expect(err.findings).toEqual([expect.objectContaining({ severity: 'warning', subject: 'max-tokens' })]);
    expect(err.message).toMatch(/^warning max-tokens at \/body\/inferenceConfig: /);
    expect(server.received).toHaveLength(0);
  });

  it('middleware added by hand, and a PreflightError from a command-level plugin', async () => {
    const c = client();
    c.middlewareStack.add(preflightMiddleware(), preflightMiddlewareOptions);
    await rejection(c.send(new ConverseCommand(converse(fiveCachePoints))));
    const plain = client();
    const command = new ConverseCommand(converse(fiveCachePoints));
    command.middlewareStack.use(preflightPlugin());
    await rejection(plain.send(command));
    expect(server.received).toHaveLength(0);
  });
});

describe('aws-sdk: valid requests are sent as the SDK would send them', () => {
  it('Converse arrives byte for byte as without the plugin, with the client Region in the report', async () => {
    const input = converse([text('Hello'), cachePoint], {
      system: [{ text: 'Be brief.' }],
      guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '1', trace: 'enabled' },
      requestMetadata: { team: 'claims' },
    });
    const reports: CheckReport[] = [];
    const out = await guarded({ mode: 'warn', onFindings: (r) => reports.push(r) }, 'eu-west-1').send(new ConverseCommand(input));
    expect(out.output?.message?.content?.[0]?.text).toBe('ok');
    await client('eu-west-1').send(new ConverseCommand(input));
    expect(server.received).toHaveLength(2);
    const [withPlugin, without] = server.received;
    expect(withPlugin!.path).toBe(`/model/${encodeURIComponent(`us.${CLAUDE}`)}/converse`);
    expect(withPlugin!.body.equals(without!.body)).toBe(true);
    expect(withPlugin!.headers['content-type']).toBe(without!.headers['content-type']);
    expect(withPlugin!.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/bedrock\//);
    expect(reports).toEqual([]);
  });

  it('InvokeModel with guardrail headers arrives byte for byte; the check sees URL, headers, body and Region', async () => {
    const input = { modelId: CLAUDE, body: new TextEncoder().encode(claudeBody()), contentType: 'application/json', guardrailIdentifier: 'gr-1', guardrailVersion: '2', trace: 'ENABLED' as const };
    const seen: Array<{ input: unknown; options: unknown; report: CheckReport }> = [];
    const real = createPreflight();
    const spy: Preflight = { ...real, check: (i, o) => { const report = real.check(i, o); seen.push({ input: i, options: o, report }); return report; } };
    await guarded({ preflight: spy }).send(new InvokeModelCommand(input));
    await client().send(new InvokeModelCommand(input));
    expect(server.received).toHaveLength(2);
    expect(server.received[0]!.body.equals(server.received[1]!.body)).toBe(true);
    expect(server.received[0]!.headers['x-amzn-bedrock-guardrailidentifier']).toBe('gr-1');
    const last = seen.at(-1)!;
    expect(last.input).toMatchObject({
      method: 'POST',
      url: `${server.url}/model/${encodeURIComponent(CLAUDE)}/invoke`,
      headers: expect.objectContaining({ 'x-amzn-bedrock-guardrailidentifier': 'gr-1', 'x-amzn-bedrock-guardrailversion': '2' }),
      body: JSON.parse(claudeBody()),
    });
    expect(last.options).toEqual({ endpoint: 'bedrock-runtime', region: 'us-east-1' });
    expect(last.report).toMatchObject({ valid: true, api: 'invoke-model', region: 'us-east-1' });
    expect(last.report.capabilities.map((c) => c.id)).toContain('guardrails');
  });

  it('the report of a custom endpoint has endpoint bedrock-runtime and the client Region', async () => {
    const reports: CheckReport[] = [];
    await guarded({ mode: 'warn', onFindings: (r) => reports.push(r) }, 'ap-southeast-2').send(
      new ConverseCommand(converse([text('guardrail please')], { inferenceConfig: {}, guardrailConfig: { guardrailIdentifier: 'g', guardrailVersion: '1' } })),
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ endpoint: 'bedrock-runtime', api: 'converse', region: 'ap-southeast-2', model: `us.${CLAUDE}` });
    expect(reports[0]!.capabilities.map((c) => c.id)).toContain('guardrails');
    expect(server.received).toHaveLength(1);
  });

  it('ConverseStream and InvokeModelWithResponseStream that are valid are sent', async () => {
    const c = guarded();
    const s = await c.send(new ConverseStreamCommand(converse([text('hi')])));
    for await (const _ of s.stream ?? []) void _;
    const i = await c.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body: claudeBody() }));
    for await (const _ of i.body ?? []) void _;
    expect(server.received.map((r) => r.path.split('/').pop())).toEqual(['converse-stream', 'invoke-with-response-stream']);
  });

  it('other commands pass through unchecked', async () => {
    await guarded()
      .send(new CountTokensCommand({ modelId: CLAUDE, input: { converse: { messages: [{ role: 'user', content: fiveCachePoints }] } } }))
      .catch(() => undefined);
    expect(server.received.map((r) => r.path)).toEqual([`/model/${encodeURIComponent(CLAUDE)}/count-tokens`]);
  });

  it('does not make the SDK warn about string methods on its request body', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await guarded().send(new ConverseCommand(converse([text('hi')])));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('aws-sdk: the Converse body checked is what the server receives', () => {
  // Random Converse inputs through the real client: the report the middleware made (from the serialized text, or
  // with converseBody: 'input' from the input object) equals the report of the bytes that reached the server (null members, bytes, tools, documents, cache points, key order).
  const block = fc.oneof(
    fc.string({ maxLength: 8 }).map((t): ContentBlock => ({ text: t })),
    fc.constantFrom<ContentBlock>(
      { cachePoint: { type: 'default' } },
      { cachePoint: { type: 'default', ttl: '1h' } as never },
      { image: { format: 'png', source: { bytes: new Uint8Array([137, 80, 78, 71]) } } },
      { document: { format: 'txt', name: 'notes', source: { bytes: new TextEncoder().encode('hello') } } },
      { toolUse: { toolUseId: 't1', name: 'lookup', input: { q: 'x' } } },
      { guardContent: { text: { text: 'check me' } } },
    ),
  );
  const inputArb = fc.record(
    {
      modelId: fc.constantFrom(`us.${CLAUDE}`, CLAUDE, 'amazon.nova-lite-v1:0', 'meta.llama3-8b-instruct-v1:0', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'),
      messages: fc.array(fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), content: fc.array(block, { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 3 }),
      system: fc.option(fc.array(fc.oneof(fc.constant({ text: 'be brief' }), fc.constant({ cachePoint: { type: 'default' as const } })), { minLength: 1, maxLength: 3 }), { nil: null }),
      inferenceConfig: fc.option(fc.record({ maxTokens: fc.integer({ min: 1, max: 100 }), temperature: fc.double({ min: 0, max: 1, noNaN: true }), topP: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] }), { nil: null }),
      toolConfig: fc.option(
        fc.record({ tools: fc.array(fc.constantFrom({ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }, { cachePoint: { type: 'default' as const } }), { minLength: 1, maxLength: 3 }) }),
        { nil: null },
      ),
      guardrailConfig: fc.option(fc.constant({ guardrailIdentifier: 'gr-1', guardrailVersion: '1' }), { nil: null }),
      additionalModelRequestFields: fc.option(fc.dictionary(fc.constantFrom('top_k', 'thinking', 'anthropic_beta'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }), { nil: null }),
      requestMetadata: fc.option(fc.constant({ team: 'claims' }), { nil: null }),
      performanceConfig: fc.option(fc.constant({ latency: 'optimized' as const }), { nil: null }),
    },
    { requiredKeys: ['modelId', 'messages'] },
  );

  it.each(['serialized', 'input'] as const)('converseBody: %s gives the report of the serialized body the server receives', async (converseBody) => {
    const real = createPreflight();
    const seen: Array<{ input: { url: string; headers?: unknown }; options: unknown; report: CheckReport }> = [];
    const spy: Preflight = { ...real, check: (i, o) => { const report = real.check(i, o); seen.push({ input: i as never, options: o, report }); return report; } };
    const c = guarded({ mode: 'warn', onFindings: () => {}, preflight: spy, converseBody });
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        server.received.length = 0;
        seen.length = 0;
        await c.send(new ConverseCommand(input as never));
        expect(server.received).toHaveLength(1);
        expect(seen).toHaveLength(1);
        const [{ input: envelope, options, report }] = seen as [(typeof seen)[number]];
        expect(envelope.url).toBe(`${server.url}${server.received[0]!.path}`);
        const fromBytes = real.check({ ...envelope, body: JSON.parse(server.received[0]!.body.toString('utf8')) }, options as never);
        expect(report).toEqual(fromBytes);
      }),
      { numRuns: 120 },
    );
  });

  it("reads what the client's own middleware changed in the body (converseBody: 'input' does not)", async () => {
    const addGuardrail = (c: BedrockRuntimeClient) =>
      c.middlewareStack.add(
        (next) => async (args) => {
          const r = (args as { request: { body: Uint8Array } }).request;
          const body = JSON.parse(new TextDecoder().decode(r.body)) as Record<string, unknown>;
          r.body = new TextEncoder().encode(JSON.stringify({ ...body, messages: [{ role: 'user', content: fiveCachePoints }] }));
          return next(args);
        },
        { step: 'build', priority: 'high', name: 'rewriteBody' },
      );
    const fromInput = client();
    addGuardrail(fromInput);
    fromInput.middlewareStack.use(preflightPlugin({ converseBody: 'input' }));
    await fromInput.send(new ConverseCommand(converse([text('hi')])));
    expect(server.received).toHaveLength(1);
    const fromBytes = client();
    addGuardrail(fromBytes);
    fromBytes.middlewareStack.use(preflightPlugin());
    const err = await rejection(fromBytes.send(new ConverseCommand(converse([text('hi')]))));
    expect(err.findings.map((f) => f.subject)).toEqual(['cache-checkpoints']);
    expect(server.received).toHaveLength(1);
    expect(() => preflightPlugin({ converseBody: 'bytes' as never })).toThrow(/converseBody/);
  });
});

describe('aws-sdk: every request is checked on its own', () => {
  /**
   * How many times the text of each request body that reached the server was parsed in this process before it
   * got there (the recorder parses each body it receives once, to pick its reply; that parse is not counted).
   */
  function parsesOfSentBodies(run: () => Promise<void>): Promise<number[]> {
    const texts: string[] = [];
    const parse = vi.spyOn(JSON, 'parse');
    return run()
      .then(() => {
        for (const r of server.received) texts.push(r.body.toString('utf8'));
        return texts.map((t) => parse.mock.calls.filter(([arg]) => arg === t).length - 1);
      })
      .finally(() => parse.mockRestore());
  }

  it('each body is parsed once, to be checked; one that differs where the check reads is stopped', async () => {
    const c = guarded();
    const parses = await parsesOfSentBodies(async () => {
      for (const t of ['one', 'two', 'three']) await c.send(new ConverseCommand(converse([text(t), cachePoint])));
    });
    expect(parses).toEqual([1, 1, 1]);
    expect(server.received.map((r) => (JSON.parse(r.body.toString('utf8')) as { messages: Array<{ content: Array<{ text?: string }> }> }).messages[0]!.content[0]!.text)).toEqual(['one', 'two', 'three']);
    const err = await rejection(c.send(new ConverseCommand(converse([text('one'), ...fiveCachePoints]))));
    expect(err.findings.map((f) => f.subject)).toEqual(['cache-checkpoints']);
    expect(server.received).toHaveLength(3);
  });

  it('InvokeModel byte bodies too; onFindings hears of each request with a warning', async () => {
    const reports: CheckReport[] = [];
    const c = guarded({ mode: 'warn', onFindings: (r) => reports.push(r) });
    const invoke = (body: string) => c.send(new InvokeModelCommand({ modelId: CLAUDE, body: new TextEncoder().encode(body), contentType: 'application/json' }));
    const parses = await parsesOfSentBodies(async () => {
      for (const t of ['a', 'b']) await invoke(claudeBody({ messages: [{ role: 'user', content: t }] }));
      for (const t of ['c', 'd']) await invoke(claudeBody({ anthropic_version: undefined, messages: [{ role: 'user', content: t }] }));
    });
    expect(parses).toEqual([1, 1, 1, 1]);
    expect(reports.map((r) => r.findings.map((f) => f.subject))).toEqual([['anthropic-version'], ['anthropic-version']]);
  });

  it('the same body with a header the check reads gets the header finding', async () => {
    const reports: CheckReport[] = [];
    const c = guarded({ mode: 'warn', onFindings: (r) => reports.push(r) });
    await c.send(new ConverseCommand(converse([text('hi')])));
    const beta = new ConverseCommand(converse([text('hi')]));
    beta.middlewareStack.add(
      (next) => (args) => {
        (args as { request: { headers: Record<string, string> } }).request.headers['Anthropic-Beta'] = 'context-1m-2025-08-07';
        return next(args);
      },
      { step: 'build', priority: 'high', name: 'betaHeader' },
    );
    await c.send(beta);
    expect(reports.map((r) => r.findings.map((f) => `${f.subject} ${f.path}`))).toEqual([['anthropic-beta-header /headers/Anthropic-Beta']]);
    expect(server.received).toHaveLength(2);
  });
});

describe('aws-sdk: modes', () => {
  it('warn: sends, and logs each distinct finding once', async () => {
    const lines: string[] = [];
    const c = guarded({ mode: 'warn', logger: { warn: (m) => lines.push(m) } });
    await c.send(new ConverseCommand(converse(fiveCachePoints)));
    await c.send(new ConverseCommand(converse(fiveCachePoints)));
    await c.send(new ConverseCommand(converse([text('x')], { inferenceConfig: {} })));
    await c.send(new ConverseCommand(converse([text('y')], { inferenceConfig: {} })));
    expect(server.received).toHaveLength(4);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^bedrock-preflight: error cache-checkpoints at \/body\/messages\/0\/content\/9\/cachePoint: /);
    expect(lines[1]).toMatch(/^bedrock-preflight: warning max-tokens at \/body\/inferenceConfig: /);
  });

  it('warn: console.warn by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await guarded({ mode: 'warn' }).send(new ConverseCommand(converse(fiveCachePoints)));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('cache-checkpoints');
    } finally {
      warn.mockRestore();
    }
    expect(server.received).toHaveLength(1);
  });

  it('error mode reports warnings below failOn and sends', async () => {
    const lines: string[] = [];
    await guarded({ logger: { warn: (m) => lines.push(m) } }).send(new ConverseCommand(converse([text('x')], { inferenceConfig: {} })));
    expect(lines).toEqual([expect.stringMatching(/^bedrock-preflight: warning max-tokens at \/body\/inferenceConfig: /)]);
    expect(server.received).toHaveLength(1);
  });

  it('off: sends without checking', async () => {
    const lines: string[] = [];
    await guarded({ mode: 'off', logger: { warn: (m) => lines.push(m) } }).send(new ConverseCommand(converse(fiveCachePoints)));
    expect(server.received).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  it('withPreflight adds the plugin and returns the client', async () => {
    const c = withPreflight(client(), {});
    await rejection(c.send(new ConverseCommand(converse(fiveCachePoints))));
    expect(server.received).toHaveLength(0);
  });

  it('with a Bedrock API key (no SigV4 signing Region), withPreflight takes the Region from the client config', async () => {
    const regions: Array<string | null> = [];
    const bearer = () => {
      const c = new BedrockRuntimeClient({ region: 'eu-west-3', endpoint: server.url, token: { token: 'bedrock-api-key-example' }, authSchemePreference: ['httpBearerAuth'], maxAttempts: 1 });
      clients.push(c);
      return c;
    };
    const options: AwsSdkPreflightOptions = { mode: 'warn', onFindings: (r) => regions.push(r.region) };
    const input = converse([text('x')], { inferenceConfig: {} });
    await withPreflight(bearer(), options).send(new ConverseCommand(input));
    const plain = bearer();
    plain.middlewareStack.use(preflightPlugin(options));
    await plain.send(new ConverseCommand(input));
    expect(regions).toEqual(['eu-west-3', null]);
    expect(server.received[0]!.headers['authorization']).toBe('Bearer bedrock-api-key-example');
  });

  it('one plugin on clients of different Regions behind the same URL reports each request with its Region', async () => {
    const regions: Array<string | null> = [];
    const plugin = preflightPlugin({ mode: 'warn', onFindings: (r) => regions.push(r.region) });
    const [a, b] = [client('eu-west-1'), client('ap-south-1')];
    a.middlewareStack.use(plugin);
    b.middlewareStack.use(plugin);
    const input = converse([text('x')], { inferenceConfig: {} });
    for (const c of [a, b, b, a]) await c.send(new ConverseCommand(input));
    expect(regions).toEqual(['eu-west-1', 'ap-south-1', 'ap-south-1', 'eu-west-1']);
  });

  it('invalid options throw a PreflightInputError at once', () => {
    expect(() => preflightPlugin({ mode: 'loud' as never })).toThrow(PreflightInputError);
    expect(() => preflightPlugin({ endpoint: 'bedrock-agent' })).toThrow(/unknown endpoint "bedrock-agent"/);
  });
});
