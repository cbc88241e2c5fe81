/**
 * Credentials in a request (SigV4 signatures and access keys, session tokens, Bedrock API keys, x-api-key values)
 * never appear in any output: reports, every text format, error messages (library and CLI, also with --debug).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import { formatCheckText } from '../../src/format/text.js';

const preflight = createPreflight();
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const b64 = (n: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9+/]{${n}}$`));
const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${n}}$`));

/** A credential and the part of it that must never be printed. */
const secretArb = fc.oneof(
  fc.tuple(upper(16), hex(64)).map(([k, sig]) => ({ header: 'Authorization', value: `AWS4-HMAC-SHA256 Credential=AKIA${k}/20261124/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`, secrets: [`AKIA${k}`, sig] })),
  b64(96).map((t) => ({ header: 'Authorization', value: `Bearer bedrock-api-key-${t}`, secrets: [t] })),
  b64(64).map((t) => ({ header: 'x-api-key', value: `ABSK${t}`, secrets: [t] })),
  b64(120).map((t) => ({ header: 'X-Amz-Security-Token', value: `IQoJb3JpZ2luX2Vj${t}`, secrets: [t] })),
);

const placeArb = fc.constantFrom('header', 'model', 'model-option', 'region-option', 'url-query', 'url-path', 'endpoint-option');

function build(place: string, s: { header: string; value: string }) {
  const input: Record<string, unknown> = {
    url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: { model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }] },
  };
  const options: Record<string, string> = {};
  switch (place) {
    case 'header':
      (input['headers'] as Record<string, string>)[s.header] = s.value;
      break;
    case 'model':
      (input['body'] as Record<string, unknown>)['model'] = s.value;
      break;
    case 'model-option':
      options['model'] = s.value;
      break;
    case 'region-option':
      options['region'] = s.value;
      break;
    case 'url-query':
      input['url'] = `https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions?X-Amz-Signature=${encodeURIComponent(s.value)}`;
      break;
    case 'url-path':
      input['url'] = `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(s.value)}/converse`;
      input['body'] = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
      break;
    case 'endpoint-option':
      options['endpoint'] = s.value;
      break;
  }
  return { input, options };
}

describe('credentials never appear in any output', () => {
  it('library: reports, text output and error messages', () => {
    fc.assert(
      fc.property(secretArb, placeArb, (s, place) => {
        const { input, options } = build(place, s);
        let out: string;
        try {
          const r = preflight.check(input, options);
          out = JSON.stringify(r) + formatCheckText(r, { color: false, file: 'x.json' }) + formatCheckText(r, { color: true, width: 80 });
          out += JSON.stringify(preflight.recommend({ request: input, options }));
        } catch (e) {
          out = `${(e as Error).message} ${(e as Error).stack ?? ''}`;
        }
        for (const secret of s.secrets) expect(out).not.toContain(secret);
      }),
      { numRuns: 400 },
    );
  });

  it('CLI: every format, stderr, and --debug', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-secrets-'));
    const samples = fc.sample(fc.tuple(secretArb, placeArb), { numRuns: 12, seed: 42 });
    for (const [i, [s, place]] of samples.entries()) {
      const { input, options } = build(place, s);
      const file = join(dir, `r${i}.json`);
      writeFileSync(file, JSON.stringify(input));
      const flags = Object.entries(options).flatMap(([k, v]) => [`--${k}`, v]);
      for (const extra of [['--format', 'json'], ['--format', 'text'], ['--debug'], ['--color']]) {
        for (const cmd of [['check', file], ['recommend', file]]) {
          const r = spawnSync(process.execPath, [bin, ...cmd, ...flags, ...extra], { encoding: 'utf8' });
          for (const secret of s.secrets) {
            expect(r.stdout, `${place} ${extra.join(' ')}`).not.toContain(secret);
            expect(r.stderr, `${place} ${extra.join(' ')}`).not.toContain(secret);
          }
        }
      }
    }
  });
});
