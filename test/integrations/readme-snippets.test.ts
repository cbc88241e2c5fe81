/**
 * The README's integration snippets, run as written, through the published subpaths (the package imports itself
 * by name: `bedrock-preflight/aws-sdk` and `bedrock-preflight/fetch` resolve to dist/ through the exports map).
 * The only changes from the README: the clients point at a local recorder instead of AWS (so the endpoint option
 * tells the wrapper what is behind it, and the AWS client gets fake credentials).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { preflightPlugin, PreflightError } from 'bedrock-preflight/aws-sdk';
import { preflightFetch, PreflightError as FetchPreflightError, type CheckReport } from 'bedrock-preflight/fetch';
import { createServer } from '../../src/serve/index.js';
import { startRecorder, type Recorder } from './recorder.js';

let h2: Recorder;
let h1: Recorder;
beforeAll(async () => {
  [h2, h1] = await Promise.all([startRecorder('h2c'), startRecorder('http1')]);
});
afterAll(async () => {
  await Promise.all([h2.close(), h1.close()]);
});

function captureConsoleError(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void lines.push(String(m)));
  return { lines, restore: () => spy.mockRestore() };
}

describe('README: AWS SDK', () => {
  it('client.middlewareStack.use(preflightPlugin()) stops an invalid Converse and lets a valid one through', async () => {
    const err = captureConsoleError();
    try {
      // README (with endpoint and credentials for the local recorder):
      const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: h2.url, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
      client.middlewareStack.use(preflightPlugin()); // { mode: 'error' | 'warn' | 'off', failOn, onFindings, logger }

      const cache = { cachePoint: { type: 'default' as const } };
      const invalid: ConverseCommandInput = {
        modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        messages: [{ role: 'user', content: [{ text: 'a' }, cache, { text: 'b' }, cache, { text: 'c' }, cache, { text: 'd' }, cache, { text: 'e' }, cache] }],
        inferenceConfig: { maxTokens: 512 },
      };
      for (const input of [invalid, { ...invalid, messages: [{ role: 'user' as const, content: [{ text: 'hi' }, cache] }] }]) {
        try {
          await client.send(new ConverseCommand(input));
        } catch (e) {
          if (!(e instanceof PreflightError)) throw e;
          console.error(e.message); // one line per finding: "error cache-checkpoints at /body/…/cachePoint: …"
        }
      }
      client.destroy();
    } finally {
      err.restore();
    }
    expect(err.lines).toEqual([expect.stringMatching(/^error cache-checkpoints at \/body\/messages\/0\/content\/9\/cachePoint: .*Instead: /)]);
    expect(h2.received.map((r) => r.path)).toEqual(['/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse']);
  });
});

describe('README: OpenAI and Anthropic SDKs', () => {
  it('fetch: preflightFetch() stops output_config.format on mantle; PreflightError.from finds it in the SDK error', async () => {
    const err = captureConsoleError();
    try {
      // README (base URLs of the local recorder, so the endpoint is given; on bedrock-mantle hosts it is not needed):
      const apiKey = 'bedrock-api-key-example';
      const mantle = { endpoint: 'bedrock-mantle', region: 'us-east-1' };
      const openai = new OpenAI({ baseURL: `${h1.url}/v1`, apiKey, fetch: preflightFetch(mantle) });
      const anthropic = new Anthropic({ baseURL: `${h1.url}/anthropic`, apiKey, fetch: preflightFetch(mantle) });

      try {
        await anthropic.messages.create({
          model: 'anthropic.claude-haiku-4-5',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Order 4471 was refunded 19.99 EUR. Extract it.' }],
          output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { order: { type: 'string' } } } } },
        } as Anthropic.MessageCreateParamsNonStreaming);
      } catch (e) {
        const stopped = FetchPreflightError.from(e); // the SDKs wrap errors thrown by fetch; this finds ours
        if (!stopped) throw e;
        console.error(stopped.message);
      }
      const ok = await openai.chat.completions.create({ model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 64 });
      expect(ok.choices[0]!.message.content).toBe('ok');
    } finally {
      err.restore();
    }
    expect(err.lines).toEqual([expect.stringMatching(/^error structured-outputs at \/body\/output_config\/format: /)]);
    expect(h1.received.map((r) => r.path)).toEqual(['/v1/chat/completions']);
  });
});

describe('README: serve', () => {
  it('the curl calls: /v1/check with an envelope, a bare body with ?endpoint=, /v1/recommend', async () => {
    const server = createServer({ port: 0 });
    const base = await server.listen();
    try {
      const envelope = await fetch(`${base}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages', body: { model: 'anthropic.claude-haiku-4-5', max_tokens: 10, messages: [], output_config: { format: { type: 'json_schema' } } } }),
      });
      expect(envelope.status).toBe(200);
      expect(await envelope.json()).toMatchObject({ valid: false, findings: [expect.objectContaining({ subject: 'structured-outputs' })] });
      // curl -d sends application/x-www-form-urlencoded: the body is read by its content.
      const bare = await fetch(`${base}/v1/check?endpoint=mantle`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '{"model":"global.openai.gpt-oss-120b","messages":[{"role":"user","content":"hi"}]}',
      });
      expect(await bare.json()).toMatchObject({ endpoint: 'bedrock-mantle', api: 'chat-completions', valid: false });
      const rec = await fetch(`${base}/v1/recommend`, { method: 'POST', body: '{"needs":["responses","guardrails"]}' });
      expect(await rec.json()).toMatchObject({ endpoint: null, split: { responses: 'bedrock-mantle', guardrails: 'bedrock-runtime' } });
    } finally {
      await server.close();
    }
  });
});

describe('the subpaths as published', () => {
  it('load as ESM and as CommonJS; a PreflightError of either build is an instance of the other', () => {
    const require = createRequire(import.meta.url);
    const cjsFetch = require('bedrock-preflight/fetch') as typeof import('bedrock-preflight/fetch');
    const cjsAws = require('bedrock-preflight/aws-sdk') as typeof import('bedrock-preflight/aws-sdk');
    expect(typeof cjsFetch.preflightFetch).toBe('function');
    expect(typeof cjsAws.preflightPlugin).toBe('function');
    const report: CheckReport = { endpoint: 'bedrock-mantle', api: null, model: null, region: null, valid: false, capabilities: [], findings: [], recommendation: { endpoint: null, reasons: [] } };
    const fromCjs = new cjsFetch.PreflightError(report, []);
    expect(fromCjs).toBeInstanceOf(PreflightError);
    expect(fromCjs).toBeInstanceOf(FetchPreflightError);
    expect(PreflightError.from(new Error('wrapped', { cause: fromCjs }))).toBe(fromCjs);
    expect(new Error('x')).not.toBeInstanceOf(PreflightError);
  });
});
