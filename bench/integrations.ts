/**
 * npx tsx bench/integrations.ts: what the in-application integrations cost, and `serve` under load.
 *
 * 1. The AWS SDK middleware: the same Converse call through BedrockRuntimeClients with and without the plugin,
 *    against a local h2c server, in rotating order over several rounds; the added time per request as a ratio,
 *    with two plain clients compared to each other as the noise floor. The same for the fetch wrapper under the
 *    OpenAI SDK (local HTTP/1.1 server). The integration's own time inside a call (target: a median of at most
 *    40 µs) is taken on separate, probed clients; the check alone in a hot loop too.
 *    The integrations are imported from the build (dist/), as an application gets them; `npm run bench` builds
 *    first.
 * (serve under load is in bench/serve.ts, against a plain node:http floor.)
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import OpenAI from 'openai';
import { preflightMiddlewareOptions, preflightPlugin } from '../dist/aws-sdk.js';
import { preflightFetch } from '../dist/fetch.js';
import { createPreflight } from '../dist/index.js';
import { prompt } from './requests.js';

const converseReply = JSON.stringify({
  output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  metrics: { latencyMs: 1 },
});
const chatReply = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'openai.gpt-oss-120b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

function reply(res: http.ServerResponse | http2.Http2ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

async function listen(server: http.Server | http2.Http2Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Each call asks a different question, as an application's requests differ in their text: nothing of one
// request's body is the same object or string as the last one's.
let asked = 0;
const question = () => `Summarise the policy in two sentences (question ${++asked}).`;
const converseInput = (): ConverseCommandInput => ({
  modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  system: [{ text: prompt(4) }, { cachePoint: { type: 'default' } }],
  messages: [
    { role: 'user', content: [{ text: prompt(3) }] },
    { role: 'assistant', content: [{ text: prompt(2) }] },
    { role: 'user', content: [{ text: question() }] },
  ],
  inferenceConfig: { maxTokens: 512, temperature: 0.2 },
  guardrailConfig: { guardrailIdentifier: 'q1w2e3r4t5', guardrailVersion: '2' },
});
const chatInput = () => ({
  model: 'openai.gpt-oss-120b',
  messages: [
    { role: 'system' as const, content: prompt(4) },
    { role: 'user' as const, content: `${prompt(3)} ${question()}` },
  ],
  max_completion_tokens: 512,
});

/** The most an integration may add inside one SDK call (median), in µs: far below anything a model call shows. */
const IN_CALL_TARGET_US = 40;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Comparison {
  /** Median over rounds of (guarded − plain) / plain, in %. */
  added: number;
  /** The lowest and highest round. */
  low: number;
  high: number;
  /** Median over rounds of the same ratio between the two plain clients: the noise floor of this machine. */
  noise: number;
  plain: number;
  guarded: number;
}

/**
 * Two plain clients and one guarded client (configured exactly as a user would, with nothing else added), called
 * in rotating order so that drift on a shared machine hits all alike. Each round gives each client's median time
 * per call (robust to GC pauses and scheduler noise); the result is the median over rounds. The two plain
 * clients measured against each other give the noise floor the added time should be read against.
 */
async function compare(plainA: () => Promise<unknown>, plainB: () => Promise<unknown>, guarded: () => Promise<unknown>, rounds = 5, perRound = 1000): Promise<Comparison> {
  const calls = [plainA, plainB, guarded];
  for (let i = 0; i < 300; i++) for (const f of calls) await f();
  const added: number[] = [];
  const noise: number[] = [];
  const plainMs: number[] = [];
  const guardedMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const times: number[][] = [[], [], []];
    for (let i = 0; i < perRound; i++) {
      for (let j = 0; j < 3; j++) {
        const k = (i + j) % 3;
        const t = process.hrtime.bigint();
        await calls[k]!();
        times[k]!.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const [a, b, g] = times.map(median) as [number, number, number];
    const plain = (a + b) / 2;
    added.push(((g - plain) / plain) * 100);
    noise.push(((b - a) / a) * 100);
    plainMs.push(plain);
    guardedMs.push(g);
  }
  return { added: median(added), low: Math.min(...added), high: Math.max(...added), noise: median(noise), plain: median(plainMs), guarded: median(guardedMs) };
}

/** The check alone on the envelope the middleware builds, including parsing the serialized body (µs per call). */
function checkAlone(): { converse: number; chat: number } {
  const preflight = createPreflight();
  const time = (f: () => unknown) => {
    for (let i = 0; i < 2000; i++) f();
    const n = 20_000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    return Number(process.hrtime.bigint() - t) / 1e3 / n;
  };
  const { modelId, ...converseBody } = converseInput();
  const converseText = JSON.stringify(converseBody);
  const converseUrl = `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(modelId!)}/converse`;
  const chatText = JSON.stringify(chatInput());
  return {
    converse: time(() => preflight.check({ method: 'POST', url: converseUrl, headers: { 'content-type': 'application/json' }, body: JSON.parse(converseText) })),
    chat: time(() => preflight.check({ method: 'POST', url: 'http://127.0.0.1:1/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: JSON.parse(chatText) }, { endpoint: 'bedrock-mantle' })),
  };
}

/**
 * The integration's own time per request inside a real call: taken on a separate client whose probes sit right
 * around the integration (so that the comparison above runs without them).
 */
async function ownTime(call: () => Promise<unknown>, samples: () => number[], n = 3000): Promise<number> {
  for (let i = 0; i < n; i++) await call();
  return median(samples().slice(n / 3));
}

async function main(): Promise<void> {
  const results: Array<[string, string]> = [];
  const alone = checkAlone();
  results.push(['check alone, hot loop: Converse envelope / chat body', `${alone.converse.toFixed(1)} µs / ${alone.chat.toFixed(1)} µs`]);
  const added = (r: Comparison) =>
    `${r.added.toFixed(1)} % (rounds ${r.low.toFixed(1)} to ${r.high.toFixed(1)} %; median ${(r.plain * 1000).toFixed(0)} µs → ${(r.guarded * 1000).toFixed(0)} µs; plain vs plain ${r.noise.toFixed(1)} %)`;
  // The integrations' target: the median time they add inside the SDK call.
  const share = (us: number, r: Comparison) =>
    `${us.toFixed(1)} µs (target <= ${IN_CALL_TARGET_US} µs) = ${((us / (r.plain * 1000)) * 100).toFixed(1)} % of the plain call against a loopback server`;

  // AWS SDK: the same Converse call through three clients, one with the plugin.
  const h2 = http2.createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(res, converseReply));
  });
  const h2url = await listen(h2);
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const newClient = () => new BedrockRuntimeClient({ region: 'us-east-1', endpoint: h2url, credentials });
  const [plainA, plainB, guardedClient, probedClient] = [newClient(), newClient(), newClient(), newClient()];
  guardedClient.middlewareStack.use(preflightPlugin());
  probedClient.middlewareStack.use(preflightPlugin());
  const sdkTimes: number[] = [];
  let t0 = 0n;
  const probe =
    (f: () => void) =>
    <A, O>(next: (args: A) => Promise<O>) =>
    (args: A) => {
      f();
      return next(args);
    };
  probedClient.middlewareStack.addRelativeTo(probe(() => (t0 = process.hrtime.bigint())), { relation: 'before', toMiddleware: preflightMiddlewareOptions.name, name: 'benchBefore' });
  probedClient.middlewareStack.addRelativeTo(probe(() => void sdkTimes.push(Number(process.hrtime.bigint() - t0) / 1e3)), {
    relation: 'after',
    toMiddleware: preflightMiddlewareOptions.name,
    name: 'benchAfter',
  });
  const converse = (c: BedrockRuntimeClient) => () => c.send(new ConverseCommand(converseInput()));
  const sdk = await compare(converse(plainA), converse(plainB), converse(guardedClient));
  const sdkOwn = await ownTime(converse(probedClient), () => sdkTimes);
  for (const c of [plainA, plainB, guardedClient, probedClient]) c.destroy();
  results.push(['AWS SDK Converse: added per call (measured end to end)', added(sdk)]);
  results.push(['AWS SDK Converse: the middleware itself, in the call (median)', share(sdkOwn, sdk)]);

  // OpenAI SDK: the same call through three clients, one with the fetch wrapper.
  const h1 = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(res, chatReply));
  });
  const h1url = await listen(h1);
  const openai = (fetch?: typeof globalThis.fetch) => new OpenAI({ baseURL: `${h1url}/v1`, apiKey: 'bench', maxRetries: 0, ...(fetch === undefined ? {} : { fetch }) });
  const fetchTimes: number[] = [];
  let f0 = 0n;
  const inner: typeof fetch = (input, init) => {
    fetchTimes.push(Number(process.hrtime.bigint() - f0) / 1e3);
    return fetch(input, init);
  };
  const probedWrapper = preflightFetch(inner, { endpoint: 'bedrock-mantle' });
  const probedOpenai = openai((input, init) => {
    f0 = process.hrtime.bigint();
    return probedWrapper(input, init);
  });
  const chat = (c: OpenAI) => () => c.chat.completions.create(chatInput());
  const viaFetch = await compare(chat(openai()), chat(openai()), chat(openai(preflightFetch({ endpoint: 'bedrock-mantle' }))));
  const fetchOwn = await ownTime(chat(probedOpenai), () => fetchTimes);
  results.push(['OpenAI SDK chat.completions: added per call (measured end to end)', added(viaFetch)]);
  results.push(['OpenAI SDK chat.completions: the fetch wrapper itself, in the call (median)', share(fetchOwn, viaFetch)]);
  await new Promise<void>((r) => h2.close(() => r()));
  h1.closeAllConnections();
  await new Promise<void>((r) => h1.close(() => r()));

  const w = Math.max(...results.map(([k]) => k.length));
  console.log(`bedrock-preflight integrations bench (node ${process.version})\n`);
  for (const [k, v] of results) console.log(`${k.padEnd(w)}  ${v}`);
}

await main();
