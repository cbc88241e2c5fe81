/**
 * The ESLint rules as RuleTester tables (JavaScript, and TypeScript through typescript-eslint's parser).
 *
 * Expectations come from the library's check, not from copies of the knowledge: each invalid case gives the
 * request the source sends (as an HTTP envelope) and marks, with a comment `/*>pointer*\/`, where each expected
 * finding is; the expected message is check's finding at that pointer. Each valid case with unknown parts gives a
 * request the unknown parts could stand for, and a test holds that check reports something on it: the rule stays
 * silent because of the unknowns, not because nothing would be found.
 */
import tsParser from '@typescript-eslint/parser';
import { RuleTester } from 'eslint';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPreflight, type Finding, type Severity } from '../../src/index.js';
import plugin from '../../src/eslint/index.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const preflight = createPreflight();
const MANTLE = 'https://bedrock-mantle.us-east-1.api.aws';
const RUNTIME = 'https://bedrock-runtime.us-east-1.amazonaws.com';
const CLAUDE = preflight.knowledge.models.find((m) => m.id.includes('claude') && m.examples.some((e) => e.startsWith('anthropic.claude-haiku')))!.examples.find((e) => e.startsWith('anthropic.'))!;

interface Envelope {
  url: string;
  body: Record<string, unknown>;
}

const RULE_OF = { error: 'request-errors', warning: 'request-warnings', info: 'request-info' } as const;

/** Markers `/*>pointer*\/` in code: the pointer and the 1-based line and column just after the comment. */
function markers(code: string): Array<{ pointer: string; line: number; column: number }> {
  const out = [];
  for (const m of code.matchAll(/\/\*>(.*?)\*\//g)) {
    const end = m.index + m[0].length;
    const before = code.slice(0, end).split('\n');
    out.push({ pointer: m[1]!, line: before.length, column: before.at(-1)!.length + 1 });
  }
  return out;
}

function findingAt(envelope: Envelope, pointer: string, severity: Severity): Finding {
  const f = preflight.check(envelope).findings.find((x) => x.path === pointer && x.severity === severity);
  if (f === undefined) throw new Error(`check reports no ${severity} at ${pointer} for ${envelope.url}`);
  return f;
}

/** A suggestion's change: remove a property (its text), or replace a literal's text. */
type Change = { remove: string } | { replace: string; by: string };

interface InvalidCase {
  name: string;
  code: string;
  envelope: Envelope;
  severity: Severity;
  settings?: Record<string, unknown>;
  /** The suggestion of each marker's finding, in marker order (none where undefined). */
  suggests?: Array<Change | undefined>;
}

function suggestion(code: string, c: Change | undefined) {
  if (c === undefined) return [];
  if ('remove' in c) return [{ messageId: 'removeField', output: code.replace(c.remove, '') }];
  return [{ messageId: 'replaceValue', output: code.replace(c.replace, c.by) }];
}

function invalid(c: InvalidCase): RuleTester.InvalidTestCase {
  const errors = markers(c.code).map((m, i) => {
    const f = findingAt(c.envelope, m.pointer, c.severity);
    return { message: `${f.code} ${f.subject}: ${f.message}`, line: m.line, column: m.column, suggestions: suggestion(c.code, c.suggests?.[i]) };
  });
  return { name: c.name, code: c.code, errors, settings: { 'bedrock-preflight': { config: false, ...c.settings } } };
}

interface ValidCase {
  name: string;
  code: string;
  /** A request the source's unknown parts could stand for, on which check does report (see the test below). */
  couldBe?: Envelope;
  settings?: Record<string, unknown>;
}

/** The route of the knowledge's operations of an API that check reads on a host without a route finding. */
function cleanRoute(base: string, api: string): string {
  const ops = preflight.knowledge.apis.find((a) => a.id === api)!.operations;
  const clean = ops.filter((o) => !preflight.check({ url: `${base}${o.path}`, body: {} }).findings.some((f) => f.code.startsWith('route-')));
  expect(clean.length).toBeGreaterThan(0);
  return clean[0]!.route!;
}

const valid = (c: ValidCase): RuleTester.ValidTestCase => ({ name: c.name, code: c.code, settings: { 'bedrock-preflight': { config: false, ...c.settings } } });

const ANTHROPIC = `import Anthropic from '@anthropic-ai/sdk';\nconst anthropic = new Anthropic({ baseURL: '${MANTLE}/anthropic' });\n`;
const OPENAI_MANTLE = `import OpenAI from 'openai';\nconst openai = new OpenAI({ baseURL: '${MANTLE}/v1' });\n`;
const AWS = `import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';\nconst client = new BedrockRuntimeClient({ region: 'us-east-1' });\n`;

const JS_INVALID: InvalidCase[] = [
  {
    name: 'Anthropic messages.create on mantle: a strict tool',
    code: `${ANTHROPIC}await anthropic.messages.create({ model: '${CLAUDE}', max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, /*>/body/tools/0/strict*/strict: true }] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, strict: true }] } },
    severity: 'warning',
  },
  {
    name: 'Anthropic beta.messages.stream on mantle: the first message is not the user',
    code: `${ANTHROPIC}anthropic.beta.messages.stream({ model: '${CLAUDE}', max_tokens: 5, messages: [{ /*>/body/messages/0/role*/role: 'assistant', content: 'x' }] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [{ role: 'assistant', content: 'x' }] } },
    severity: 'info',
  },
  {
    name: 'Anthropic messages.parse without max_tokens (warning at the request object)',
    code: `${ANTHROPIC}await anthropic.messages.parse(/*>/body*/{ model: '${CLAUDE}', messages: [] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, messages: [] } },
    severity: 'warning',
  },
  {
    name: "Anthropic's Bedrock SDK, AnthropicBedrockMantle: the mantle Messages API (a strict tool)",
    code: `import { AnthropicBedrockMantle } from '@anthropic-ai/bedrock-sdk';\nconst claude = new AnthropicBedrockMantle({ awsRegion: 'us-east-1' });\nawait claude.messages.create({ model: '${CLAUDE}', max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, /*>/body/tools/0/strict*/strict: true }] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, strict: true }] } },
    severity: 'warning',
  },
  {
    name: "Anthropic's Bedrock SDK, AnthropicBedrock: runtime InvokeModel, the model in the path (temperature and top_p)",
    code: `import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';\nconst claude = new AnthropicBedrock({ awsRegion: 'us-east-1' });\nawait claude.messages.create({ model: 'us.${CLAUDE}', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], temperature: 1, /*>/body/top_p*/top_p: 1 });`,
    envelope: {
      url: `${RUNTIME}/model/us.${CLAUDE}/invoke`,
      body: { max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], temperature: 1, top_p: 1, anthropic_version: 'bedrock-2023-05-31' },
    },
    severity: 'error',
    suggests: [{ remove: 'top_p: 1' }],
  },
  {
    name: 'a thinking budget not below max_tokens, both written in the call (two numbers compared)',
    code: `import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';\nconst claude = new AnthropicBedrock({ awsRegion: 'us-east-1' });\nawait claude.messages.create({ model: 'us.${CLAUDE}', max_tokens: 2048, thinking: { type: 'enabled', /*>/body/thinking/budget_tokens*/budget_tokens: 4096 }, messages: [{ role: 'user', content: 'hi' }] });`,
    envelope: {
      url: `${RUNTIME}/model/us.${CLAUDE}/invoke`,
      body: { max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 4096 }, messages: [{ role: 'user', content: 'hi' }], anthropic_version: 'bedrock-2023-05-31' },
    },
    severity: 'error',
  },
  {
    name: 'the last message of a literal array: a prefill ending in a space',
    code: `import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';\nconst claude = new AnthropicBedrock({ awsRegion: 'us-east-1' });\nawait claude.messages.create({ model: 'us.${CLAUDE}', max_tokens: 64, messages: [{ role: 'user', content: 'Name three colours.' }, { role: 'assistant', /*>/body/messages/1/content*/content: 'Here: ' }] });`,
    envelope: {
      url: `${RUNTIME}/model/us.${CLAUDE}/invoke`,
      body: { max_tokens: 64, messages: [{ role: 'user', content: 'Name three colours.' }, { role: 'assistant', content: 'Here: ' }], anthropic_version: 'bedrock-2023-05-31' },
    },
    severity: 'error',
  },
  {
    name: 'Converse sent through a client in the file: temperature and topP',
    code: `${AWS}await client.send(new ConverseCommand({ modelId: '${CLAUDE}', messages: [], inferenceConfig: { temperature: 1, /*>/body/inferenceConfig/topP*/topP: 1, maxTokens: 5 } }));`,
    envelope: { url: `${RUNTIME}/model/${CLAUDE}/converse`, body: { messages: [], inferenceConfig: { temperature: 1, topP: 1, maxTokens: 5 } } },
    severity: 'error',
    suggests: [{ remove: 'topP: 1,' }],
  },
  {
    name: 'ConverseStream without maxTokens',
    code: `${AWS}await client.send(new ConverseStreamCommand(/*>/body*/{ modelId: '${CLAUDE}', messages: [] }));`,
    envelope: { url: `${RUNTIME}/model/${CLAUDE}/converse-stream`, body: { messages: [] } },
    severity: 'warning',
  },
  {
    name: 'a command held in a const, sent through a client whose endpoint is mantle (reported at the endpoint)',
    code: `import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';\nconst client = new BedrockRuntimeClient({ region: 'us-east-1', /*>/url*/endpoint: '${MANTLE}' });\nconst command = new ConverseCommand({ modelId: '${CLAUDE}', messages: [], inferenceConfig: { maxTokens: 5 } });\nawait client.send(command);`,
    envelope: { url: `${MANTLE}/model/${CLAUDE}/converse`, body: { messages: [], inferenceConfig: { maxTokens: 5 } } },
    severity: 'error',
  },
  {
    name: 'InvokeModel with JSON.stringify: no anthropic_version (at the body object)',
    code: `${AWS}await client.send(new InvokeModelCommand({ modelId: '${CLAUDE}', body: JSON.stringify(/*>/body*/{ messages: [], max_tokens: 5 }) }));`,
    envelope: { url: `${RUNTIME}/model/${CLAUDE}/invoke`, body: { messages: [], max_tokens: 5 } },
    severity: 'error',
  },
  {
    name: 'InvokeModel with a literal JSON string (at the string)',
    code: `${AWS}await client.send(new InvokeModelCommand({ modelId: '${CLAUDE}', body: /*>/body*/'{"messages":[],"max_tokens":5}' }));`,
    envelope: { url: `${RUNTIME}/model/${CLAUDE}/invoke`, body: { messages: [], max_tokens: 5 } },
    severity: 'error',
  },
  {
    name: 'InvokeModelWithResponseStream with stream in the body',
    code: `${AWS}const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 5, messages: [], /*>/body/stream*/stream: true });\nawait client.send(new InvokeModelWithResponseStreamCommand({ modelId: '${CLAUDE}', body }));`,
    envelope: { url: `${RUNTIME}/model/${CLAUDE}/invoke-with-response-stream`, body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 5, messages: [], stream: true } },
    severity: 'warning',
  },
  {
    name: 'OpenAI chat.completions.create on mantle without a token limit',
    code: `${OPENAI_MANTLE}await openai.chat.completions.create(/*>/body*/{ model: 'openai.gpt-oss-120b', messages: [] });`,
    envelope: { url: `${MANTLE}/v1/chat/completions`, body: { model: 'openai.gpt-oss-120b', messages: [] } },
    severity: 'warning',
  },
  {
    name: 'OpenAI responses.create through runtime /openai/v1 (reported at the baseURL)',
    code: `import OpenAI from 'openai';\nconst openai = new OpenAI({ /*>/url*/baseURL: '${RUNTIME}/openai/v1' });\nawait openai.responses.create({ model: 'openai.gpt-oss-120b', input: 'x', max_output_tokens: 5 });`,
    envelope: { url: `${RUNTIME}/openai/v1/responses`, body: { model: 'openai.gpt-oss-120b', input: 'x', max_output_tokens: 5 } },
    severity: 'error',
  },
  {
    name: 'a client from elsewhere: the endpoint and Region from settings',
    code: `import OpenAI from 'openai';\nexport async function ask(client) {\n  return client.responses.create(/*>/body*/{ model: 'openai.gpt-oss-120b', input: 'x' });\n}`,
    envelope: { url: `${MANTLE}/v1/responses`, body: { model: 'openai.gpt-oss-120b', input: 'x' } },
    severity: 'warning',
    settings: { endpoint: 'mantle', region: 'us-east-1' },
  },
  {
    name: 'spreads of const literals are read (the finding is at the const)',
    code: `${ANTHROPIC}const tool = { name: 'a', input_schema: {}, /*>/body/tools/0/strict*/strict: false };\nconst common = { model: '${CLAUDE}', max_tokens: 5 };\nawait anthropic.messages.create({ ...common, messages: [], tools: [tool] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, strict: false }] } },
    severity: 'warning',
  },
  {
    name: 'a known key after an unknown spread still counts',
    code: `${ANTHROPIC}await anthropic.messages.create({ ...options, model: '${CLAUDE}', max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, /*>/body/tools/0/strict*/strict: true }] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, strict: true }] } },
    severity: 'warning',
  },
  {
    name: 'a model ARN on mantle: the plain model id is suggested',
    code: `${OPENAI_MANTLE}await openai.chat.completions.create({ /*>/body/model*/model: 'arn:aws:bedrock:us-east-1::foundation-model/openai.gpt-oss-120b', messages: [], max_tokens: 5 });`,
    envelope: { url: `${MANTLE}/v1/chat/completions`, body: { model: 'arn:aws:bedrock:us-east-1::foundation-model/openai.gpt-oss-120b', messages: [], max_tokens: 5 } },
    severity: 'warning',
    suggests: [{ replace: `'arn:aws:bedrock:us-east-1::foundation-model/openai.gpt-oss-120b'`, by: '"openai.gpt-oss-120b"' }],
  },
  {
    name: 'a route the endpoint does not take: the route of the knowledge is suggested',
    code: `import OpenAI from 'openai';\nconst openai = new OpenAI({ /*>/url*/baseURL: '${RUNTIME}/v1' });\nawait openai.chat.completions.create({ model: 'openai.gpt-oss-120b', messages: [], max_tokens: 5 });`,
    envelope: { url: `${RUNTIME}/v1/chat/completions`, body: { model: 'openai.gpt-oss-120b', messages: [], max_tokens: 5 } },
    severity: 'warning',
    suggests: [{ replace: `'${RUNTIME}/v1'`, by: JSON.stringify(`${RUNTIME}${cleanRoute(RUNTIME, 'chat-completions')}`) }],
  },
  {
    name: 'what no source says is an info',
    code: `${OPENAI_MANTLE}await openai.chat.completions.create({ model: 'openai.gpt-oss-120b', messages: [], max_tokens: 5, response_format: { /*>/body/response_format/type*/type: 'json_schema', json_schema: { name: 'x', schema: {} } } });`,
    envelope: { url: `${MANTLE}/v1/chat/completions`, body: { model: 'openai.gpt-oss-120b', messages: [], max_tokens: 5, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } } },
    severity: 'info',
  },
];

const JS_VALID: ValidCase[] = [
  {
    name: 'an unknown spread may hold max_tokens',
    code: `${ANTHROPIC}await anthropic.messages.create({ ...options, model: '${CLAUDE}', messages: [] });`,
    couldBe: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, messages: [] } },
  },
  {
    name: 'a computed key may be max_tokens',
    code: `${ANTHROPIC}await anthropic.messages.create({ [limitKey]: 5, model: '${CLAUDE}', messages: [] });`,
    couldBe: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, messages: [] } },
  },
  {
    name: 'an unknown value may be undefined (no conflict of temperature and topP)',
    code: `${AWS}await client.send(new ConverseCommand({ modelId: '${CLAUDE}', messages: [], inferenceConfig: { temperature: t, topP: p, maxTokens: 5 } }));`,
    couldBe: { url: `${RUNTIME}/model/${CLAUDE}/converse`, body: { messages: [], inferenceConfig: { temperature: 1, topP: 1, maxTokens: 5 } } },
  },
  {
    name: 'an unknown model: no rule of a model applies',
    code: `${AWS}await client.send(new ConverseCommand({ modelId, messages: [], inferenceConfig: { temperature: 1, topP: 1, maxTokens: 5 } }));`,
    couldBe: { url: `${RUNTIME}/model/${CLAUDE}/converse`, body: { messages: [], inferenceConfig: { temperature: 1, topP: 1, maxTokens: 5 } } },
  },
  {
    name: 'messages after an unknown spread: the first message is unknown',
    code: `${AWS}await client.send(new ConverseCommand({ modelId: '${CLAUDE}', messages: [...history, { role: 'assistant', content: [{ text: 'x' }] }], inferenceConfig: { maxTokens: 5 } }));`,
    couldBe: { url: `${RUNTIME}/model/${CLAUDE}/converse`, body: { messages: [{ role: 'assistant', content: [{ text: 'x' }] }], inferenceConfig: { maxTokens: 5 } } },
  },
  {
    name: 'an unknown spread after a key may replace its value',
    code: `${AWS}await client.send(new ConverseCommand({ modelId: '${CLAUDE}', messages: [{ role: 'assistant', content: [{ text: 'x' }] }], inferenceConfig: { maxTokens: 5 }, ...rest }));`,
    couldBe: { url: `${RUNTIME}/model/${CLAUDE}/converse`, body: { messages: [{ role: 'assistant', content: [{ text: 'x' }] }], inferenceConfig: { maxTokens: 5 } } },
  },
  {
    name: 'a const changed later is not a literal',
    code: `${ANTHROPIC}const request = { model: '${CLAUDE}', messages: [] };\nrequest.max_tokens = 5;\nawait anthropic.messages.create(request);`,
    couldBe: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, messages: [] } },
  },
  {
    name: 'an InvokeModel body that is not a literal',
    code: `${AWS}await client.send(new InvokeModelCommand({ modelId: '${CLAUDE}', body: encode(request) }));`,
    couldBe: { url: `${RUNTIME}/model/${CLAUDE}/invoke`, body: { messages: [], max_tokens: 5 } },
  },
  {
    name: 'a messages.create of another SDK (nothing imported from Anthropic)',
    code: `await twilio.messages.create({ body: 'hi', to: '+1', from: '+2' });`,
  },
  {
    name: 'an OpenAI client without baseURL goes to OpenAI, not Bedrock',
    code: `import OpenAI from 'openai';\nconst openai = new OpenAI();\nawait openai.chat.completions.create({ model: 'gpt-4o', messages: [] });`,
  },
  {
    name: 'a client from elsewhere and no settings: nothing says the endpoint',
    code: `import OpenAI from 'openai';\nexport const ask = (client) => client.responses.create({ model: 'openai.gpt-oss-120b', input: 'x' });`,
  },
  {
    name: "Anthropic's Bedrock SDK, AnthropicBedrock.messages.stream: a clean runtime request (stream and model leave the body)",
    code: `const { AnthropicBedrock } = require('@anthropic-ai/bedrock-sdk');\nconst claude = new AnthropicBedrock({ awsRegion: 'us-east-1' });\nclaude.messages.stream({ model: 'us.${CLAUDE}', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] });`,
  },
  {
    name: 'a thinking budget compared with a max_tokens the source does not fix: no finding',
    code: `import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';\nconst claude = new AnthropicBedrock({ awsRegion: 'us-east-1' });\nexport const ask = (maxTokens) => claude.messages.create({ model: 'us.${CLAUDE}', max_tokens: maxTokens, thinking: { type: 'enabled', budget_tokens: 4096 }, messages: [{ role: 'user', content: 'hi' }] });`,
    couldBe: {
      url: `${RUNTIME}/model/us.${CLAUDE}/invoke`,
      body: { max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 4096 }, messages: [{ role: 'user', content: 'hi' }], anthropic_version: 'bedrock-2023-05-31' },
    },
  },
  {
    name: 'an array that ends in a spread: its last message is not known, so nothing is said of it',
    code: `import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';\nconst claude = new AnthropicBedrock({ awsRegion: 'us-east-1' });\nexport const ask = (rest) => claude.messages.create({ model: 'us.${CLAUDE}', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Here: ' }, ...rest] });`,
    couldBe: {
      url: `${RUNTIME}/model/us.${CLAUDE}/invoke`,
      body: { max_tokens: 64, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Here: ' }], anthropic_version: 'bedrock-2023-05-31' },
    },
  },
  {
    name: 'a clean request',
    code: `${ANTHROPIC}await anthropic.messages.create({ model: '${CLAUDE}', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });`,
  },
];

const TS_INVALID: InvalidCase[] = [
  {
    name: 'TypeScript: as const, satisfies and a non-null assertion are read through',
    code: `import Anthropic from '@anthropic-ai/sdk';\nconst anthropic = new Anthropic({ baseURL: \`${MANTLE}/anthropic\` });\nconst tools = [{ name: 'a', input_schema: {}, /*>/body/tools/0/strict*/strict: true }] as const;\nawait anthropic.messages.create({ model: '${CLAUDE}' as string, max_tokens: 5, messages: [], tools: tools! } satisfies Anthropic.MessageCreateParams);`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [], tools: [{ name: 'a', input_schema: {}, strict: true }] } },
    severity: 'warning',
  },
  {
    name: 'TypeScript: a Region from a template literal is unknown, the endpoint and route are not',
    code: `import Anthropic from '@anthropic-ai/sdk';\nconst region: string = process.env.AWS_REGION!;\nconst anthropic = new Anthropic({ baseURL: \`https://bedrock-mantle.\${region}.api.aws/anthropic\` });\nawait anthropic.messages.create({ model: '${CLAUDE}', max_tokens: 5, messages: [{ /*>/body/messages/0/role*/role: 'assistant' as const, content: 'x' }] });`,
    envelope: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, max_tokens: 5, messages: [{ role: 'assistant', content: 'x' }] } },
    severity: 'info',
  },
];

const TS_VALID: ValidCase[] = [
  {
    name: 'TypeScript: a typed parameter is unknown',
    code: `${ANTHROPIC}export async function ask(params: Anthropic.MessageCreateParams) {\n  return anthropic.messages.create({ ...params, model: '${CLAUDE}' });\n}`,
    couldBe: { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE } },
  },
];

function bySeverity(cases: InvalidCase[], severity: Severity): RuleTester.InvalidTestCase[] {
  return cases.filter((c) => c.severity === severity).map(invalid);
}

const js = new RuleTester({ languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } });
const ts = new RuleTester({ languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } });

for (const severity of ['error', 'warning', 'info'] as const) {
  const rule = plugin.rules[RULE_OF[severity]];
  js.run(`${RULE_OF[severity]} (JavaScript)`, rule, { valid: JS_VALID.map(valid), invalid: bySeverity(JS_INVALID, severity) });
  ts.run(`${RULE_OF[severity]} (TypeScript)`, rule, { valid: [...TS_VALID, ...JS_VALID].map(valid), invalid: bySeverity([...TS_INVALID, ...JS_INVALID], severity) });
}

describe('the valid cases with unknown parts are silent because of the unknowns', () => {
  for (const c of [...JS_VALID, ...TS_VALID].filter((x) => x.couldBe !== undefined)) {
    it(c.name, () => {
      expect(preflight.check(c.couldBe!).findings.filter((f) => f.severity !== 'info')).not.toEqual([]);
    });
  }
});

describe('a .bedrock-preflight.yaml applies as for lint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-eslint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const code = `${ANTHROPIC}await anthropic.messages.create({ model: '${CLAUDE}', messages: [] });`;
  const envelope = { url: `${MANTLE}/anthropic/v1/messages`, body: { model: CLAUDE, messages: [] } };
  const f = findingAt(envelope, '/body', 'warning');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `ignores:\n  - path: '**'\n    subject: ${f.subject}\n    code: ${f.code}\n    reason: the SDK's defaults set it\n`);
  js.run('request-warnings with a configuration', plugin.rules['request-warnings'], {
    valid: [{ code, settings: { 'bedrock-preflight': { config } } }],
    invalid: [{ code, settings: { 'bedrock-preflight': { config: false } }, errors: [{ message: `${f.code} ${f.subject}: ${f.message}` }] }],
  });
  // Its endpoint mapping gives calls whose client the file does not show an endpoint, as it does request files.
  const mapped = join(dir, 'mapped.yaml');
  writeFileSync(mapped, `endpoints:\n  - glob: 'mantle/**'\n    endpoint: bedrock-mantle\n`);
  const elsewhere = `import OpenAI from 'openai';\nexport const ask = (client) => client.responses.create(/*>/body*/{ model: 'openai.gpt-oss-120b', input: 'x' });`;
  const expected = invalid({ name: 'mapped', code: elsewhere, envelope: { url: `${MANTLE}/v1/responses`, body: { model: 'openai.gpt-oss-120b', input: 'x' } }, severity: 'warning' });
  js.run('request-warnings with a configuration that maps files to an endpoint', plugin.rules['request-warnings'], {
    valid: [{ code: elsewhere, filename: join(dir, 'other', 'app.js'), settings: { 'bedrock-preflight': { config: mapped } } }],
    invalid: [{ ...expected, filename: join(dir, 'mantle', 'app.js'), settings: { 'bedrock-preflight': { config: mapped } } }],
  });
  js.run('request-errors with a configuration that cannot be loaded', plugin.rules['request-errors'], {
    valid: [],
    invalid: [{ code, settings: { 'bedrock-preflight': { config: join(dir, 'missing.yaml') } }, errors: [{ messageId: 'setup' }] }],
  });
});
