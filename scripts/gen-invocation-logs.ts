/**
 * A generator of realistic Bedrock model invocation log records for tests and the bench, made from the example
 * requests in rules/cases/*.yaml (never from real customer data): every case sent to bedrock-runtime through a
 * logged operation (InvokeModel, InvokeModelWithResponseStream, Converse, ConverseStream, and the runtime's Chat
 * Completions and Messages routes) becomes a record, with both kinds of mistakes the cases hold (requests that
 * fail on runtime today, and requests that cannot move to bedrock-mantle). A share of records has its body
 * delivered to S3 separately, as AWS does for large bodies.
 *
 *   tsx scripts/gen-invocation-logs.ts <dir> [--bytes N] [--files N] [--plain]
 * writes <dir>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/<yyyy>/<mm>/<dd>/<hh>/<name>.json.gz files of
 * JSON Lines, N uncompressed bytes in all (default 64 MiB).
 */
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createGzip, constants } from 'node:zlib';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Operation names of the records, by the last part of the runtime path. */
const OPERATION_OF: Array<[RegExp, string]> = [
  [/^\/model\/[^/]+\/invoke$/, 'InvokeModel'],
  [/^\/model\/[^/]+\/invoke-with-response-stream$/, 'InvokeModelWithResponseStream'],
  [/^\/model\/[^/]+\/converse$/, 'Converse'],
  [/^\/model\/[^/]+\/converse-stream$/, 'ConverseStream'],
  [/^\/openai\/v1\/chat\/completions$/, 'ChatCompletions'],
  [/^\/anthropic\/v1\/messages$/, 'Messages'],
];

export interface RequestTemplate {
  operation: string;
  modelId: string;
  region: string;
  body: unknown;
  case: string;
}

/** The cases of rules/cases that are logged runtime calls, as record templates. */
export function templatesFromCases(casesDir = join(root, 'rules', 'cases')): RequestTemplate[] {
  const out: RequestTemplate[] = [];
  for (const f of readdirSync(casesDir).filter((n) => n.endsWith('.yaml')).sort()) {
    const doc = parse(readFileSync(join(casesDir, f), 'utf8')) as { cases?: Array<{ name: string; input?: { url?: string; body?: unknown } }> };
    for (const c of doc.cases ?? []) {
      const t = templateOf(c.name, c.input);
      if (t) out.push(t);
    }
  }
  return out;
}

function templateOf(name: string, input: { url?: string; body?: unknown } | undefined): RequestTemplate | undefined {
  if (!input || typeof input.url !== 'string' || input.body === undefined || input.body === null || typeof input.body !== 'object') return undefined;
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return undefined;
  }
  const host = /^bedrock-runtime\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const operation = OPERATION_OF.find(([re]) => re.test(url.pathname))?.[1];
  if (!host || !operation) return undefined;
  const fromPath = /^\/model\/([^/]+)\//.exec(url.pathname)?.[1];
  const modelId = fromPath !== undefined ? decodeURIComponent(fromPath) : (input.body as { model?: unknown }).model;
  if (typeof modelId !== 'string' || modelId === '') return undefined;
  return { operation, modelId, region: host[1]!, body: input.body, case: name };
}

/** A small deterministic pseudo-random generator (mulberry32), so that a corpus is the same for the same seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNT = '111122223333';
const ROLES = ['chat-frontend', 'batch-summarizer', 'support-agent', 'search-indexer', 'eval-runner'];

/** Record number i, from template t: the logged request, its identity and, for every 50th, a body in S3. */
export function recordOf(t: RequestTemplate, i: number, rand: () => number): Record<string, unknown> {
  const requestId = `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-${i.toString(16).padStart(4, '0')}-4000-8000-${Math.floor(rand() * 0xffffffffffff).toString(16).padStart(12, '0')}`;
  const role = ROLES[Math.floor(rand() * ROLES.length)]!;
  const inS3 = i % 50 === 49;
  const inputTokens = 20 + Math.floor(rand() * 2000);
  const input: Record<string, unknown> = inS3
    ? { inputContentType: 'application/json', inputBodyS3Path: `s3://invocation-logs-example/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${t.region}/data/${requestId}_input.json.gz`, inputTokenCount: inputTokens }
    : { inputContentType: 'application/json', inputBodyJson: t.body, inputTokenCount: inputTokens };
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: new Date(Date.UTC(2026, 11, 1) + i * 997).toISOString().replace(/\.\d+Z$/, 'Z'),
    accountId: ACCOUNT,
    identity: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-${i % 7}` },
    region: t.region,
    requestId,
    operation: t.operation,
    modelId: t.modelId,
    input,
    output: { outputContentType: 'application/json', outputBodyJson: { stopReason: 'end_turn', usage: { inputTokens, outputTokens: 120 } }, outputTokenCount: 120 },
  };
}

export interface CorpusOptions {
  dir: string;
  /** Uncompressed bytes to write in all. */
  bytes: number;
  files?: number;
  gzip?: boolean;
  seed?: number;
}

/** Writes a corpus laid out as the S3 delivery prefix; returns the files and the number of records. */
export async function writeCorpus(o: CorpusOptions): Promise<{ files: string[]; records: number; bytes: number }> {
  const templates = templatesFromCases();
  const rand = random(o.seed ?? 1);
  const fileCount = o.files ?? 8;
  const perFile = Math.ceil(o.bytes / fileCount);
  const files: string[] = [];
  let i = 0;
  let total = 0;
  for (let f = 0; f < fileCount; f++) {
    const region = templates[f % templates.length]!.region;
    const hour = String(f % 24).padStart(2, '0');
    const dir = join(o.dir, 'AWSLogs', ACCOUNT, 'BedrockModelInvocationLogs', region, '2026', '12', '01', hour);
    mkdirSync(dir, { recursive: true });
    const name = join(dir, `${ACCOUNT}_BedrockModelInvocationLogs_${region}_20261201T${hour}00Z_${String(f).padStart(4, '0')}.json${o.gzip === false ? 'l' : '.gz'}`);
    const sink = createWriteStream(name);
    const out = o.gzip === false ? sink : createGzip({ level: constants.Z_BEST_SPEED });
    if (out !== sink) out.pipe(sink);
    let written = 0;
    let batch = '';
    while (written < perFile) {
      const line = `${JSON.stringify(recordOf(templates[i % templates.length]!, i, rand))}\n`;
      i++;
      written += line.length;
      batch += line;
      if (batch.length > 1 << 20) {
        if (!out.write(batch)) await once(out, 'drain');
        batch = '';
      }
    }
    out.end(batch);
    await once(sink, 'finish');
    total += written;
    files.push(name);
  }
  return { files, records: i, bytes: total };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: tsx scripts/gen-invocation-logs.ts <dir> [--bytes N] [--files N] [--plain]');
    process.exit(2);
  }
  const flag = (name: string): string | undefined => rest[rest.indexOf(name) + 1];
  const r = await writeCorpus({ dir, bytes: Number(flag('--bytes') ?? 64 * 1048576), files: Number(flag('--files') ?? 8), gzip: !rest.includes('--plain') });
  console.log(`wrote ${r.records} records (${r.bytes} bytes) in ${r.files.length} files under ${dir}`);
}
