/**
 * The reading key (src/detect/skim.ts) lets the integrations send a request without a check when one with the
 * same key was checked clean. That is sound only if the same key always means the same report: tested here on
 * generated bodies and headers along each API's read plan (small value domains, so that keys collide often),
 * written as JSON text with escaped keys, duplicate members and any whitespace, with headers as a `Headers` or as a
 * plain record (names in any case). Also: every JSON object text has a key, text off the plan (prompts) does not
 * change it, no text makes the skim throw, and the key set tells keys apart in full, not by their hash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInKnowledge, createPreflight, type CheckReport } from '../../src/index.js';
import { createGuard, PreflightError, type ReadingTicket } from '../../src/integrations/core.js';
import { bodyReadingKey, compileReadPlan, lastKey, ReadingKeys, skimBody, type PlanNode, type ReadingKey, type ReadPlan } from '../../src/detect/skim.js';
import { addToTrie, newTrieNode } from '../../src/detect/signals.js';
import { readPlanOf } from '../../src/preflight.js';
import { prng } from '../lint/fixtures.js';

const preflight = createPreflight();

const URLS = [
  'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions',
  'https://bedrock-mantle.us-east-1.api.aws/v1/responses',
  'https://bedrock-mantle.us-west-2.api.aws/anthropic/v1/messages',
  'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/chat/completions',
  'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke',
  'https://bedrock-runtime.eu-west-1.amazonaws.com/model/us.amazon.nova-pro-v1%3A0/converse',
  // Claude on Converse: rules that test places below the top level (inferenceConfig.maxTokens).
  'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse',
];

/** Every string the knowledge tests values against (signal and rule values, prefixes), and some model ids. */
function valuePool(): string[] {
  const out = new Set<string>(['', 'x', 'openai.gpt-oss-120b', 'anthropic.claude-haiku-4-5', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'amazon.nova-pro-v1:0', 'meta.llama3-1-8b-instruct-v1:0']);
  const visit = (v: unknown, key = ''): void => {
    if (typeof v === 'string' && ['equals', 'oneOf', 'noneOf', 'startsWith', 'order', 'default', 'header', 'headerAbsent'].includes(key)) {
      out.add(v);
      out.add(`${v}x`);
    } else if (Array.isArray(v)) for (const x of v) visit(x, key);
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(builtInKnowledge.capabilities);
  visit(builtInKnowledge.requestRules);
  return [...out];
}
const POOL = valuePool();
const PROSE = ['Paragraph one: returns within 30 days.', 'line\nbreak "quoted" \\ slash / and \u00e9\u4e2d', 'x'.repeat(300)];

/** A JSON value as a tree whose objects are member lists (so duplicates and key spellings survive). */
type Tree = null | boolean | number | string | { array: Tree[] } | { members: Array<[string, Tree]> };

function generate(plan: ReadPlan, seed: number): Tree {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const scalar = (): Tree => {
    const r = rnd();
    if (r < 0.55) return pick(POOL);
    if (r < 0.65) return null;
    if (r < 0.75) return rnd() < 0.5;
    if (r < 0.85) return pick([0, 1, 2, 5, 0.5, -1, 1e21]);
    return pick(PROSE);
  };
  const value = (node: PlanNode | undefined, depth: number): Tree => {
    const structured = node !== undefined && (node.children.size > 0 || node.any !== undefined);
    if (depth > 6 || (!structured && rnd() < 0.7) || rnd() < 0.15) return scalar();
    const asArray = node !== undefined && (node.byIndex !== undefined || node.any !== undefined) ? rnd() < 0.6 : rnd() < 0.2;
    if (asArray) {
      const n = Math.floor(rnd() * 4);
      return { array: Array.from({ length: n }, (_, i) => value(node?.byIndex?.get(i) ?? node?.any, depth + 1)) };
    }
    const members: Array<[string, Tree]> = [];
    for (const [key, c] of node?.children ?? []) if (rnd() < 0.5) members.push([key, value(c, depth + 1)]);
    if (node?.any !== undefined) for (let n = Math.floor(rnd() * 3); n > 0; n--) members.push([pick(['a', 'b', 'type', ...(node.children.keys())]), value(node.any, depth + 1)]);
    if (rnd() < 0.4) members.push([pick(['messages', 'input', 'metadata', 'x']), value(undefined, depth + 1)]);
    if (members.length > 1 && rnd() < 0.1) members.push([members[0]![0], value(node?.children.get(members[0]![0]), depth + 1)]);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    return { members };
  };
  const root = value(plan.root, 0);
  return root !== null && typeof root === 'object' && 'members' in root ? root : { members: [] };
}

/** JSON text of a tree, with random whitespace and some key characters written as \u escapes. */
function write(t: Tree, rnd: () => number): string {
  const sp = (): string => ['', '', ' ', '\n  ', '\t', '\r\n'][Math.floor(rnd() * 6)]!;
  const key = (k: string): string => {
    if (k.length === 0 || rnd() > 0.15) return JSON.stringify(k);
    const hex = k.charCodeAt(0).toString(16).padStart(4, '0');
    return `"\\u${rnd() < 0.5 ? hex : hex.toUpperCase()}${JSON.stringify(k.slice(1)).slice(1)}`;
  };
  if (t === null || typeof t !== 'object') return JSON.stringify(t);
  if ('array' in t) return `[${sp()}${t.array.map((x) => write(x, rnd)).join(`${sp()},${sp()}`)}${sp()}]`;
  return `{${sp()}${t.members.map(([k, v]) => `${key(k)}${sp()}:${sp()}${write(v, rnd)}`).join(`${sp()},${sp()}`)}${sp()}}`;
}

/** The same tree with every string off the plan (prose, unknown members, inside values only tested) replaced. */
function rewriteOffPlan(t: Tree, node: PlanNode | undefined, rnd: () => number): Tree {
  if (node === undefined) return typeof t === 'string' ? `${t} (rewritten ${Math.floor(rnd() * 1000)})` : t;
  if (t === null || typeof t !== 'object' || node.raw) return t; // a kept value is read whole
  if ('array' in t) return { array: t.array.map((x, i) => rewriteOffPlan(x, node.byIndex?.get(i) ?? node.any, rnd)) };
  return {
    members: t.members.map(([k, v]) => [k, node.children.has(k) || node.any !== undefined ? rewriteOffPlan(v, node.children.get(k) ?? node.any, rnd) : rewriteOffPlan(v, undefined, rnd)]),
  };
}

/**
 * The same tree with one scalar on the plan (a tested or kept value, or a place typed) replaced by another, or
 * (one time in two) one member on the plan removed.
 */
function mutateOnPlan(t: Tree, plan: ReadPlan, rnd: () => number): Tree {
  const places: Array<(v: Tree) => void> = [];
  const removals: Array<() => void> = [];
  const visit = (v: Tree, node: PlanNode | undefined, set: (v: Tree) => void): void => {
    if (node === undefined) return;
    if (v === null || typeof v !== 'object') {
      places.push(set);
      return;
    }
    if ('array' in v) v.array.forEach((x, i) => visit(x, node.byIndex?.get(i) ?? node.any, (y) => (v.array[i] = y)));
    else {
      v.members.forEach((m, i) => visit(m[1], node.children.get(m[0]) ?? node.any, (y) => (v.members[i] = [m[0], y])));
      for (const m of v.members) if (node.children.has(m[0])) removals.push(() => v.members.splice(v.members.indexOf(m), 1));
    }
  };
  const copy = structuredClone(t);
  visit(copy, plan.root, () => {});
  if (removals.length > 0 && rnd() < 0.5) removals[Math.floor(rnd() * removals.length)]!();
  else if (places.length > 0) places[Math.floor(rnd() * places.length)]!(rnd() < 0.8 ? POOL[Math.floor(rnd() * POOL.length)]! : rnd() < 0.5 ? null : 1);
  return copy;
}

function headersFor(plan: ReadPlan, seed: number): Headers | undefined {
  const rnd = prng(seed ^ 0x5bd1e995);
  if (rnd() < 0.1) return undefined;
  const h = new Headers({ 'content-type': 'application/json', 'user-agent': `test/${seed}` });
  const values = ['Bearer abc', 'bearer ABSKxyz', 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x', 'ABSKQmVk', 'proj_1', 'x', ...POOL.slice(0, 40)];
  for (const { name } of plan.headers) if (rnd() < 0.35) h.set(name, values[Math.floor(rnd() * values.length)]!.replace(/[^\x20-\x7e]/g, '') || 'x');
  return h;
}

/**
 * The same headers as a plain record, as the AWS SDK builds a request: names in lower or title case, now and then
 * a value given as an array (the check reads its first element). Few spellings, so that keys still collide.
 */
function recordOf(h: Headers | undefined, rnd: () => number): Record<string, unknown> | undefined {
  if (h === undefined) return undefined;
  const out: Record<string, unknown> = {};
  h.forEach((value, name) => {
    const spelled = rnd() < 0.5 ? name : name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
    out[spelled] = rnd() < 0.25 ? [value, 'second'] : value;
  });
  return out;
}

/** A reading key as a string: two keys are the same for ReadingKeys exactly when their strings are. */
const keyText = (t: ReadingTicket): string => `${String.fromCharCode(...t.key.codes)}\u0003${t.key.headers}`;

function ticket(url: string, text: string, h: Headers | Record<string, unknown> | undefined): ReadingTicket {
  const guard = createGuard({ mode: 'warn', onFindings: () => {} });
  guard.target(url);
  const t = guard.known(url, text, h);
  if (t === undefined || t === true) throw new Error(`no reading key for ${text.slice(0, 80)}`);
  return t;
}

const guardForHeaders = createGuard();
function fullReport(url: string, text: string, h: Headers | Record<string, unknown> | undefined): string {
  const headers = guardForHeaders.headers(h);
  const body = JSON.parse(text) as unknown;
  const r: CheckReport = preflight.check(headers === undefined ? { method: 'POST', url, body } : { method: 'POST', url, headers, body });
  return JSON.stringify(r);
}

describe('reading keys', () => {
  for (const url of URLS) {
    it(`the same key means the same report: ${url.replace(/^https:\/\/[^/]+/, '')}`, () => {
      const plan = readPlanOf(preflight, url);
      expect(plan).toBeDefined();
      const seen = new Map<string, string>();
      let collisions = 0;
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed, wseed) => {
          const tree = generate(plan!, seed);
          const h = headersFor(plan!, seed);
          const rnd = prng(wseed);
          const variants = [tree, rewriteOffPlan(tree, plan!.root, rnd), mutateOnPlan(tree, plan!, rnd), mutateOnPlan(tree, plan!, rnd)];
          for (const variant of variants) {
            const text = write(variant, prng(wseed));
            const given = rnd() < 0.5 ? h : recordOf(h, rnd);
            const key = keyText(ticket(url, text, given));
            const report = fullReport(url, text, given);
            const before = seen.get(key);
            if (before !== undefined) {
              collisions++;
              expect(report).toBe(before);
            } else seen.set(key, report);
          }
        }),
        { numRuns: 400 },
      );
      // Not vacuous: many requests shared a key with an earlier, different one.
      expect(collisions).toBeGreaterThan(100);
    });
  }

  it('text off the plan does not change the key; spelling and whitespace need not keep it', () => {
    const url = URLS[0]!;
    const plan = readPlanOf(preflight, url)!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const tree = generate(plan, seed);
        const plain = (t: Tree): string => write(t, () => 0.99); // no whitespace, no escapes
        const a = bodyReadingKey(plan, plain(tree));
        const b = bodyReadingKey(plan, plain(rewriteOffPlan(tree, plan.root, prng(seed))));
        expect(a).toBeDefined();
        expect(b).toBe(a);
      }),
      { numRuns: 300 },
    );
  });

  it('every JSON object text has a key, other JSON has none, and no text makes the skim throw', () => {
    const plan = readPlanOf(preflight, URLS[2]!)!;
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (v, seed) => {
        const text = JSON.stringify(v, null, seed % 3);
        const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
        expect(bodyReadingKey(plan, text) !== undefined).toBe(isObject);
        // Cut or corrupted texts: an answer or undefined, never an exception.
        const rnd = prng(seed);
        const cut = text.slice(0, Math.floor(rnd() * text.length));
        const at = Math.floor(rnd() * text.length);
        const corrupted = text.slice(0, at) + '"{[\\,:]}'[Math.floor(rnd() * 8)] + text.slice(at + 1);
        for (const t of [cut, corrupted]) expect(() => bodyReadingKey(plan, t)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(() => bodyReadingKey(plan, text)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('ReadingKeys', () => {
  const plan = readPlanOf(preflight, URLS[0]!)!; // chat completions: the model id is kept in the key
  const keyOf = (text: string, headers: string): ReadingKey => {
    expect(skimBody(plan, text)).toBe(true);
    return lastKey(headers);
  };
  const has = (keys: ReadingKeys, text: string, headers: string): boolean => skimBody(plan, text) && keys.hasLast(headers);

  it('keys that share a hash are told apart by what they hold (codes, header part)', () => {
    // Header parts of one length hash alike: the second is found in the same bucket and compared in full.
    const keys = new ReadingKeys();
    const body = '{"model":"openai.gpt-oss-120b"}';
    keys.add(keyOf(body, '+0'));
    expect(keyOf(body, '+1').hash).toBe(keyOf(body, '+0').hash);
    expect(has(keys, body, '+0')).toBe(true);
    expect(has(keys, body, '+1')).toBe(false);
    // Two bodies of one length whose codes hash alike (found by search: a 32-bit hash has such pairs among some
    // 10^5 keys).
    const first = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let n = 1_000_000; pair === undefined && n < 9_000_000; n++) {
      const text = `{"model":"m${n}"}`;
      skimBody(plan, text);
      const { hash } = lastKey('-');
      const seen = first.get(hash);
      if (seen === undefined) first.set(hash, text);
      else pair = [seen, text];
    }
    expect(pair).toBeDefined();
    const [a, b] = pair!;
    const collide = new ReadingKeys();
    collide.add(keyOf(a, '-'));
    expect(has(collide, a, '-')).toBe(true);
    expect(has(collide, b, '-')).toBe(false);
    collide.add(keyOf(b, '-'));
    expect(has(collide, b, '-')).toBe(true);
    expect(collide.size).toBe(2);
  });

  it('is bounded: past its limit it starts again', () => {
    const keys = new ReadingKeys(3);
    for (const m of ['a', 'b', 'c']) keys.add(keyOf(`{"model":"${m}"}`, '-'));
    expect(keys.size).toBe(3);
    keys.add(keyOf('{"model":"d"}', '-'));
    expect(keys.size).toBe(1);
    expect(has(keys, '{"model":"a"}', '-')).toBe(false);
    expect(has(keys, '{"model":"d"}', '-')).toBe(true);
  });
});

describe('reading keys of plain-record headers (as the AWS SDK builds a request)', () => {
  it('read as the check reads them: by lower-cased name, an array by its first value', () => {
    const url = URLS[3]!; // chat completions on bedrock-runtime, which has no projects
    const guard = createGuard();
    const body = JSON.stringify({ model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 });
    const send = (headers: Record<string, unknown>): 'checked' | 'sent unchecked' => {
      const target = guard.target(url)!;
      const t = guard.known(url, body, headers);
      if (t === true) return 'sent unchecked';
      guard.enforce({ method: 'POST', url, headers, body: JSON.parse(body) as unknown }, target, t);
      return 'checked';
    };
    expect(send({ 'OpenAI-Project': ['default'] })).toBe('checked');
    expect(send({ 'OpenAI-Project': ['default'] })).toBe('sent unchecked');
    expect(send({ 'openai-project': 'default' })).toBe('checked');
    expect(() => send({ 'OpenAI-Project': ['proj_1'] })).toThrow(PreflightError);
    expect(() => send({ 'OPENAI-PROJECT': 'proj_1' })).toThrow(PreflightError);
  });
});

describe('values the skim hands to tests', () => {
  it('are what JSON.parse gives: numbers of any spelling, strings with escapes', () => {
    const seen: unknown[] = [];
    const root = newTrieNode();
    addToTrie(root, '/v', { id: 'probe', index: 0, test: (v) => (seen.push(v), true) });
    const plan = compileReadPlan(root, [], [], new Map(), [])!;
    const number = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(Number),
      fc.tuple(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 10 ** 9 })).map(([a, b]) => Number(`${a}.${b}`)),
    );
    fc.assert(
      fc.property(fc.oneof(number, fc.string({ unit: 'binary' })), fc.constantFrom('.5', '.25e1', 'e2', 'E-1', '.0001'), (v, suffix) => {
        // As JSON.stringify writes it; a number also with three decimals, and an integer with a fraction or exponent.
        const text = JSON.stringify(v);
        const texts = [text];
        if (typeof v === 'number') texts.push(v.toFixed(3), ...(/^-?[0-9]+$/.test(text) ? [text + suffix] : []));
        for (const t of texts) {
          seen.length = 0;
          expect(skimBody(plan, `{"v":${t}}`)).toBe(true);
          expect(seen).toEqual([JSON.parse(t)]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
