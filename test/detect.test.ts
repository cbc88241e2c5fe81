/**
 * Detection details the case files do not reach: which properties of a body count (own enumerable ones, as JSON
 * sends), bytes as one value, and case-insensitive prefixes folded on the prefix alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileValueTest, ownProperty } from '../src/detect/signals.js';
import { createPreflight } from '../src/index.js';

const preflight = createPreflight();
const MANTLE_MESSAGES = 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages';
const messages = { model: 'anthropic.claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

describe('ownProperty', () => {
  it('reads own enumerable properties only, as JSON.stringify sends them', () => {
    const proto = { inherited: 1 };
    const o = Object.create(proto) as Record<string, unknown>;
    o['own'] = 2;
    Object.defineProperty(o, 'hidden', { value: 3, enumerable: false });
    expect(ownProperty(o, 'own')).toBe(2);
    expect(ownProperty(o, 'inherited')).toBeUndefined();
    expect(ownProperty(o, 'hidden')).toBeUndefined();
    expect(ownProperty(o, 'toString')).toBeUndefined();
    expect(ownProperty(JSON.parse('{"__proto__": 5}') as object, '__proto__')).toBe(5);
    expect(ownProperty(['a', 'b'], '1')).toBe('b');
  });
});

describe('the body walk', () => {
  it('counts a signal only where the body has it as its own key', () => {
    const own = preflight.check({ url: MANTLE_MESSAGES, body: { ...messages, output_config: { format: { type: 'json_schema', schema: {} } } } });
    expect(own.findings.map((f) => f.subject)).toContain('structured-outputs');
    const body = Object.create({ output_config: { format: { type: 'json_schema', schema: {} } } }) as Record<string, unknown>;
    Object.assign(body, messages);
    expect(JSON.parse(JSON.stringify(body))).not.toHaveProperty('output_config');
    const inherited = preflight.check({ url: MANTLE_MESSAGES, body });
    expect(inherited.findings.map((f) => f.subject)).not.toContain('structured-outputs');
    expect(inherited).toEqual(preflight.check({ url: MANTLE_MESSAGES, body: JSON.parse(JSON.stringify(body)) }));
  });

  it('gives the same report whatever the order of the keys (evidence follows the signals, not the body)', () => {
    const url = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse';
    const parts: Array<[string, unknown]> = [
      ['messages', [{ role: 'user', content: [{ text: 'a' }, { cachePoint: { type: 'default' } }] }]],
      ['system', [{ text: 's' }, { cachePoint: { type: 'default' } }]],
      ['toolConfig', { tools: [{ cachePoint: { type: 'default' } }, { toolSpec: { name: 't', inputSchema: { json: {} } } }] }],
      ['inferenceConfig', { maxTokens: 5, temperature: 0.1, topP: 0.5 }],
      ['guardrailConfig', { guardrailIdentifier: 'g', guardrailVersion: '1' }],
      ['requestMetadata', { team: 'a' }],
    ];
    const reference = JSON.stringify(preflight.check({ url, body: Object.fromEntries(parts) }));
    fc.assert(
      fc.property(fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length }), (shuffled) => {
        expect(JSON.stringify(preflight.check({ url, body: Object.fromEntries(shuffled) }))).toBe(reference);
      }),
    );
  });

  it('treats bytes as one value: a Uint8Array (an SDK input sends it as base64 text) is not walked into', () => {
    const url = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/converse';
    const block = (v: object) => ({ messages: [{ role: 'user', content: [v] }] });
    const caps = (body: object) => preflight.check({ url, body }).capabilities.map((c) => c.id);
    expect(caps(block({ cachePoint: { type: 'default' } }))).toContain('prompt-caching');
    const bytes = Object.assign(new Uint8Array(4), { cachePoint: { type: 'default' } });
    expect(caps(block(bytes))).not.toContain('prompt-caching');
    expect(caps({ messages: [{ role: 'user', content: new Uint8Array(1_000_000) }] })).toEqual([]);
  });
});

describe('startsWith with ignoreCase', () => {
  const prefixes = ['bearer ', 'aws4-hmac-sha256', 'k'];
  it('agrees with lower-casing the whole value, for any text', () => {
    const tests = prefixes.map((p) => compileValueTest({ startsWith: p, ignoreCase: true }));
    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('BEARER abc', 'Bearer', 'bEaReR x', '\u212Aey', '\u0130x', 'AWS4-HMAC-SHA256 Credential=x'));
    fc.assert(
      fc.property(text, fc.constantFrom('', 'Bearer ', 'BEARER ', 'K', '\u212A'), (s, head) => {
        const v = head + s;
        prefixes.forEach((p, i) => expect(tests[i]!(v), `${JSON.stringify(v)} / ${p}`).toBe(v.toLowerCase().startsWith(p)));
      }),
      { numRuns: 500 },
    );
    expect(tests[0]!(42)).toBe(false);
  });
});

describe('re-entrancy', () => {
  const readExample = (name: string): Record<string, unknown> =>
    JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', name), 'utf8')) as Record<string, unknown>;

  it('a request whose getters check another request gets its own report, and so does the other', () => {
    const outer = readExample('runtime-converse-guardrails.json');
    const inner = readExample('mantle-chat-cross-region.json');
    const alone = { outer: preflight.check(structuredClone(outer)), inner: preflight.check(structuredClone(inner)) };
    expect(alone.outer).not.toEqual(alone.inner);

    // Each getter the walk reaches checks the other request in the middle of the outer one's detection.
    const nested: unknown[] = [];
    const body = outer['body'] as Record<string, unknown>;
    const trapped: Record<string, unknown> = {};
    for (const key of Object.keys(body)) {
      Object.defineProperty(trapped, key, {
        enumerable: true,
        get: () => {
          nested.push(preflight.check(structuredClone(inner)));
          return body[key];
        },
      });
    }
    const report = preflight.check({ ...outer, body: trapped });
    expect(nested.length).toBeGreaterThan(0);
    expect(report).toEqual(alone.outer);
    for (const r of nested) expect(r).toEqual(alone.inner);
  });

  it('a getter that checks a request of the same API, read in the middle of an object the walk is sorting', () => {
    const outer = readExample('runtime-converse-guardrails.json');
    const body = outer['body'] as Record<string, unknown>;
    const alone = preflight.check(structuredClone(outer));
    const other = structuredClone(outer);
    (other['body'] as Record<string, unknown>)['toolConfig'] = { tools: [{ toolSpec: { name: 't', inputSchema: { json: {} }, strict: true } }] };
    const aloneOther = preflight.check(structuredClone(other));
    // Every key of the body, in reverse order (so the walk must reorder them), checks the other request when read.
    const trapped: Record<string, unknown> = {};
    for (const key of Object.keys(body).reverse()) {
      Object.defineProperty(trapped, key, { enumerable: true, get: () => (preflight.check(structuredClone(other)), body[key]) });
    }
    expect(preflight.check({ ...outer, body: trapped })).toEqual(alone);
    expect(aloneOther).not.toEqual(alone);
  });
});

describe('a URL that cannot be read', () => {
  const urlError = (url: string): unknown => {
    try {
      preflight.check({ url, body: {} }, { endpoint: 'bedrock-runtime' });
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it.each([
    ['http://[::1', /"url" has an IPv6 host with no closing "\]"/],
    ['http://[::1/model/m/converse', /"url" has an IPv6 host with no closing "\]"/],
    ['https:///model/m/converse', /"url" has no host/],
    ['https://user@/model/m/converse', /"url" has no host/],
    ['ftp://bedrock-runtime.us-east-1.amazonaws.com/', /"url" is not an absolute http\(s\) URL/],
  ])('%s: an input error naming the problem (it reported the host "")', (url, why) => {
    const e = urlError(url) as { code?: string; message?: string } | undefined;
    expect(e?.code).toBe('E_INPUT_SHAPE');
    expect(e?.message).toMatch(why);
    expect(e?.message).not.toContain('host ""');
  });

  it('an IPv6 host with its "]" is read as a host', () => {
    expect(urlError('http://[::1]:8080/model/m/converse')).toBeUndefined();
  });
});

describe('path-unknown', () => {
  const k = preflight.knowledge;
  const cell = (api: string, endpoint: string): string | undefined => k.matrix.find((r) => r.kind === 'api' && r.id === api)?.support[endpoint as 'bedrock-runtime'];
  const hosts: Record<string, string> = { 'bedrock-runtime': 'bedrock-runtime.us-east-1.amazonaws.com', 'bedrock-mantle': 'bedrock-mantle.us-east-1.api.aws' };

  it.each(k.endpoints.map((e) => e.id))('on %s lists the paths of the APIs the endpoint offers, and none of an API it does not', (endpoint) => {
    const r = preflight.check({ url: `https://${hosts[endpoint]}/no-such-path`, body: {} });
    const message = r.findings.find((f) => f.code === 'path-unknown')!.message;
    const paths = (offered: boolean): string[] =>
      k.apis.filter((a) => (cell(a.id, endpoint) !== 'no') === offered).flatMap((a) => a.operations.map((o) => o.path));
    const listed = /the inference paths are ([^)]*)\)/.exec(message)![1]!.split(', ');
    expect(listed).toEqual(expect.arrayContaining(paths(true)));
    expect(listed.filter((p) => paths(false).includes(p) && !paths(true).includes(p))).toEqual([]);
  });

  it('some API is not offered on some endpoint (else the test above could not fail)', () => {
    expect(k.endpoints.some((e) => k.apis.some((a) => cell(a.id, e.id) === 'no'))).toBe(true);
  });
});
