/**
 * bedrock-preflight/aws-sdk with the real BedrockRuntimeClient (its default HTTP/2 handler, SigV4 with fake
 * static credentials) against a local h2c server that records what reaches it.
 */
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
const CLAUDE = 'anthropic.claude-3-5-haiku-20241022-v1:0';

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

  it('InvokeModel with a document block (Uint8Array body)', async () => {
    const body = new TextEncoder().encode(
      claudeBody({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }] }] }),
    );
    const err = await rejection(guarded().send(new InvokeModelCommand({ modelId: CLAUDE, body })));
    expect(err.findings[0]).toMatchObject({ code: 'field-rejected', subject: 'documents', path: '/body/messages/0/content/0/type' });
    expect(server.received).toHaveLength(0);
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

  it('invalid options throw a PreflightInputError at once', () => {
    expect(() => preflightPlugin({ mode: 'loud' as never })).toThrow(PreflightInputError);
    expect(() => preflightPlugin({ endpoint: 'bedrock-agent' })).toThrow(/unknown endpoint "bedrock-agent"/);
  });
});
