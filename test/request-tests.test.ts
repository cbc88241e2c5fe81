/**
 * The general test kinds of request rules (src/detect/request-tests.ts): number bounds, empty values, any-of and
 * dated tests, and the rules of rules/requests.yaml that use them, with the date passed in rather than read
 * from the clock.
 */
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { compileRequestTests, startOfDay, NO_HITS, type TestContext } from '../src/detect/request-tests.js';
import { createPreflight } from '../src/preflight.js';
import { loadErrorAfterEdit } from './helpers/rules-copy.js';
import { explain } from '../src/explain.js';
import { loadKnowledge } from '../src/knowledge/assemble.js';
import { loadRulesFile } from '../src/knowledge/load.js';
import type { RequestRuleDef, RequestTest } from '../src/types.js';

const root = join(import.meta.dirname, '..');
const k = loadKnowledge(join(root, 'rules'), join(root, 'schemas'), root);

const rule = (id: string, when: RequestTest): RequestRuleDef => ({
  id,
  code: 'field-invalid',
  subject: id,
  apis: ['converse'],
  when,
  severity: 'warning',
  confidence: 'inferred',
  message: 'm',
  fix: 'f',
  source: 'https://example.com/',
  asOf: '2026-12-03',
});

const context = (body: unknown = {}): TestContext => ({ body, base: '', hits: NO_HITS, headers: undefined, found: [] });

describe('value tests of body tests', () => {
  const compiled = compileRequestTests(
    [rule('over', { body: '/n', above: 10 }), rule('under', { body: '/n', below: 10 }), rule('blank', { body: '/v', empty: true })],
    'converse',
    0,
    new Map(),
  );
  const test = (i: number) => compiled.bodyLeaves[i]!.leaf.test;

  it('above and below compare numbers strictly, and never match a non-number', () => {
    expect([9, 10, 11].map(test(0))).toEqual([false, false, true]);
    expect([9, 10, 11].map(test(1))).toEqual([true, false, false]);
    expect(['11', null, undefined, true].map(test(0))).toEqual([false, false, false, false]);
  });

  it('empty matches an empty string, array or object only', () => {
    expect(['', [], {}].map(test(2))).toEqual([true, true, true]);
    expect([' ', [0], { a: 1 }, 0, null, undefined, false].map(test(2))).toEqual([false, false, false, false, false, false, false]);
  });
});

describe('today and any tests', () => {
  it('today holds from `from` (inclusive) until `before` (exclusive), on the date given', () => {
    let day = '2026-01-01';
    const compiled = compileRequestTests([rule('window', { today: { from: '2026-03-01', before: '2026-06-01' } })], 'converse', 0, new Map(), () => startOfDay(day));
    const evaluate = compiled.rules[0]!.evaluate;
    const held = (d: string) => {
      day = d;
      return evaluate(context()) !== undefined;
    };
    expect(['2026-02-28', '2026-03-01', '2026-05-31', '2026-06-01'].map(held)).toEqual([false, true, true, false]);
  });

  it('any holds when one of its tests does', () => {
    let day = '2026-01-01';
    const compiled = compileRequestTests(
      [rule('either', { any: [{ today: { before: '2026-02-01' } }, { today: { from: '2026-12-01' } }] })],
      'converse',
      0,
      new Map(),
      () => startOfDay(day),
    );
    const held = (d: string) => {
      day = d;
      return compiled.rules[0]!.evaluate(context()) !== undefined;
    };
    expect(['2026-01-31', '2026-06-15', '2026-12-01'].map(held)).toEqual([true, false, true]);
  });

  it('the default clock is the current time: a window around today holds, one that ends today does not', () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const compiled = compileRequestTests(
      [rule('around', { today: { from: day(-1), before: day(1) } }), rule('ended', { today: { before: day(0) } })],
      'converse',
      0,
      new Map(),
    );
    expect(compiled.rules.map((r) => r.evaluate(context()) !== undefined)).toEqual([true, false]);
  });
});

describe('modelIds and exceptModelIds tests', () => {
  const compiled = compileRequestTests(
    [rule('named', { modelIds: ['a.model-1'] }), rule('others', { exceptModelIds: ['a.model-1'] })],
    'converse',
    0,
    new Map(),
  );
  const held = (model: string | null) =>
    compiled.rules.map((r) => r.evaluate({ ...context(), model, modelPath: '/url' }) !== undefined);

  it('exceptModelIds holds for every other model id, at the place that names the model, and never for the ids it lists', () => {
    expect(held('a.model-1')).toEqual([true, false]);
    expect(held('a.model-2')).toEqual([false, true]);
    expect(compiled.rules[1]!.evaluate({ ...context(), model: 'a.model-9', modelPath: '/body/modelId' })).toBe('/body/modelId');
  });

  it('neither holds for a request that names no model', () => {
    expect(held(null)).toEqual([false, false]);
  });
});

describe('real failures', () => {
  const cases = (loadRulesFile(join(root, 'rules', 'cases', 'real-failures.yaml'), 'cases', join(root, 'schemas'), root).value as { cases: Array<{ expect: { valid?: boolean } }> }).cases;

  it('the case file holds at least 30 failures the tool predicts', () => {
    expect(cases.filter((c) => c.expect.valid === false).length + cases.filter((c) => c.expect.valid === undefined).length).toBeGreaterThanOrEqual(30);
  });

  it('explain shows the service error of a rule that quotes one', () => {
    const quoted = k.requestRules.filter((r) => r.serviceError !== undefined);
    expect(quoted.length).toBeGreaterThanOrEqual(20);
    for (const r of quoted) {
      const e = explain(k, r.id);
      expect(e.notes.some((n) => n.says.includes(r.serviceError!) && n.source === r.source), r.id).toBe(true);
    }
  });

  it('explain names the endpoint of a rule, or says either endpoint when the rule has none', () => {
    for (const r of k.rules.filter((x) => x.name.startsWith('request/'))) {
      const e = explain(k, r.name)!;
      expect(e.label, r.name).toContain(` on ${r.event.params.endpoint ?? 'either endpoint'}`);
      expect(e.label, r.name).not.toContain('undefined');
    }
  });

  it('explain shows the inference-profile fact of a family that has one', () => {
    for (const f of k.models.filter((m) => m.profileRequired !== undefined)) {
      const e = explain(k, f.examples[0]!);
      expect(e.summary, f.id).toContain('inference profile only');
      expect(e.notes.some((n) => n.source === f.profileRequired!.source), f.id).toBe(true);
    }
  });
});

describe('the loader refuses misplaced test keys', () => {
  /** The loader's problems after `edit` is applied to rules/requests.yaml in a copy of rules/. */
  const problemsAfter = (edit: (text: string) => string): string[] => (loadErrorAfterEdit('requests.yaml', edit)?.problems ?? []).map((p) => p.message);
  /** Replaces `from` (which must be in the file: an edit that finds nothing would test nothing). */
  const swap = (from: string, to: string) => (text: string): string => {
    expect(text, `rules/requests.yaml no longer holds: ${from}`).toContain(from);
    return text.replace(from, to);
  };
  const VERSION_ABSENT = '{ absent: /anthropic_version }';

  it('inside some, only tests of the element\'s keys (body, absent, all, any)', () => {
    const problems = problemsAfter(swap(VERSION_ABSENT, "{ some: { array: /messages, test: { all: [ { body: /role }, { capability: guardrails } ] } } }"));
    expect(problems).toContain('inside some, a test is one of body, absent, all, any (found capability)');
  });

  it('a number bound outside a body test, and a header test inside any', () => {
    expect(problemsAfter(swap(VERSION_ABSENT, '{ absent: /anthropic_version, above: 3 }'))).toContain('above, below, empty and notType go with body');
    expect(problemsAfter(swap(VERSION_ABSENT, '{ absent: /anthropic_version, notType: array }'))).toContain('above, below, empty and notType go with body');
    expect(problemsAfter(swap('{ body: /toolConfig/toolChoice/any }, { body: /toolConfig/toolChoice/tool }', '{ header: x-example }, { body: /toolConfig/toolChoice/tool }'))).toContain(
      'header tests are not supported inside any',
    );
  });
});

describe('compare tests', () => {
  const compiled = compileRequestTests([rule('budget', { compare: { value: '/thinking/budget_tokens', atLeast: '/max_tokens' } })], 'converse', 0, new Map());
  const held = (body: unknown) => compiled.rules[0]!.evaluate(context(body));

  it('hold when the first number is at least the second, with the first as evidence', () => {
    expect(held({ max_tokens: 1000, thinking: { budget_tokens: 1000 } })).toBe('/thinking/budget_tokens');
    expect(held({ max_tokens: 1000, thinking: { budget_tokens: 4000 } })).toBe('/thinking/budget_tokens');
    expect(held({ max_tokens: 1001, thinking: { budget_tokens: 1000 } })).toBeUndefined();
  });

  it('never hold when either side is missing or not a number', () => {
    for (const body of [{ thinking: { budget_tokens: 4000 } }, { max_tokens: 1000 }, { max_tokens: '1000', thinking: { budget_tokens: 4000 } }, { max_tokens: 1000, thinking: { budget_tokens: null } }, {}]) {
      expect(held(body)).toBeUndefined();
    }
  });
});

describe('the last element of an array (-1)', () => {
  // A body test on /messages/-1/role is a leaf of the walk's trie: compile it into the converse API's tests and walk.
  const preflight = createPreflight();
  const check = (messages: unknown[]) =>
    preflight
      .check({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse', body: { messages, inferenceConfig: { maxTokens: 100 } } })
      .findings.filter((f) => f.subject === 'final-assistant-whitespace')
      .map((f) => f.path);
  const user = { role: 'user', content: [{ text: 'hi' }] };

  it('reads the last message only, and points at its concrete index', () => {
    expect(check([user, { role: 'assistant', content: [{ text: 'Sure: ' }] }])).toEqual(['/body/messages/1/content/0/text']);
    expect(check([user, { role: 'assistant', content: [{ text: 'Sure: ' }] }, user])).toEqual([]);
    expect(check([{ role: 'assistant', content: [{ text: 'a ' }] }, user, { role: 'assistant', content: [{ text: 'b ' }] }])).toEqual(['/body/messages/2/content/0/text']);
  });

  it('meets nothing in an empty array', () => {
    expect(check([])).toEqual([]);
  });

  it('is read by absent tests too, whose evidence names the concrete index', () => {
    const compiled = compileRequestTests([rule('last-absent', { absent: '/messages/-1/name' })], 'converse', 0, new Map());
    expect(compiled.rules[0]!.evaluate(context({ messages: [{ name: 'a' }, {}] }))).toBe('/messages/1');
    expect(compiled.rules[0]!.evaluate(context({ messages: [{}, { name: 'b' }] }))).toBeUndefined();
  });
});

describe('pairs tests', () => {
  const pairs = (unmatched: 'ask' | 'answer') =>
    compileRequestTests([rule('tools', { pairs: { array: '/messages', ask: '/content/*/toolUse/toolUseId', answer: '/content/*/toolResult/toolUseId', unmatched } })], 'converse', 0, new Map());
  const held = (unmatched: 'ask' | 'answer', body: unknown) => pairs(unmatched).rules[0]!.evaluate(context(body));
  const use = (id: string) => ({ toolUse: { toolUseId: id, name: 'f', input: {} } });
  const result = (id: string) => ({ toolResult: { toolUseId: id, content: [{ text: 'ok' }] } });
  const chat = (...contents: unknown[][]) => ({ messages: contents.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content })) });

  it('unmatched ask: a tool use whose id no result of the next message names, at that use', () => {
    expect(held('ask', chat([{ text: 'hi' }], [use('a'), use('b')], [result('a')]))).toBe('/messages/1/content/1/toolUse/toolUseId');
    expect(held('ask', chat([{ text: 'hi' }], [use('a')], [{ text: 'no result' }]))).toBe('/messages/1/content/0/toolUse/toolUseId');
    // the results two messages later do not count: they must be in the next one
    expect(held('ask', chat([{ text: 'hi' }], [use('a')], [{ text: 'x' }], [{ text: 'y' }], [result('a')]))).toBe('/messages/1/content/0/toolUse/toolUseId');
  });

  it('unmatched answer: a tool result whose id no use of the message before names (or the first message), at that result', () => {
    expect(held('answer', chat([{ text: 'hi' }], [use('a')], [result('a'), result('b')]))).toBe('/messages/2/content/1/toolResult/toolUseId');
    expect(held('answer', chat([result('a')]))).toBe('/messages/0/content/0/toolResult/toolUseId');
  });

  it('hold for neither when every use has its result in the next message, in any order; a use in the last message waits for its result', () => {
    for (const body of [chat([{ text: 'hi' }], [use('a'), use('b')], [result('b'), result('a')], [{ text: 'thanks' }]), chat([{ text: 'hi' }], [{ text: 'let me look' }, use('a')]), chat([{ text: 'hi' }]), { messages: {} }, {}]) {
      expect(held('ask', body)).toBeUndefined();
      expect(held('answer', body)).toBeUndefined();
    }
  });
});

describe('some tests', () => {
  const some = (test: RequestTest) => compileRequestTests([rule('one', { some: { array: '/messages/*/content', test } })], 'converse', 0, new Map()).rules[0]!;
  const errorWithoutContent = some({ all: [{ body: '/toolResult/status', equals: 'error' }, { body: '/toolResult/content', empty: true }] });
  const held = (body: unknown) => errorWithoutContent.evaluate(context(body));
  const result = (status: string, content: unknown[]) => ({ toolResult: { toolUseId: 't', status, content } });

  it('holds when one element passes every test, at the last test\'s place in that element', () => {
    const body = { messages: [{ role: 'user', content: [{ text: 'hi' }] }, { role: 'user', content: [result('success', []), result('error', [])] }] };
    expect(held(body)).toBe('/messages/1/content/1/toolResult/content');
  });

  it('does not hold when the tests pass on different elements', () => {
    const body = { messages: [{ role: 'user', content: [result('error', [{ text: 'failed' }]), result('success', [])] }] };
    expect(held(body)).toBeUndefined();
    expect(held({ messages: 'x' })).toBeUndefined();
  });

  it('absent and any inside some: evidence at the element, or at the test that held', () => {
    const noName = some({ all: [{ body: '/toolUse' }, { absent: '/toolUse/name' }] });
    expect(noName.evaluate(context({ messages: [{ content: [{ toolUse: { name: 'f' } }, { toolUse: { input: {} } }] }] }))).toBe('/messages/0/content/1/toolUse');
    const either = some({ any: [{ body: '/image' }, { body: '/document' }] });
    expect(either.evaluate(context({ messages: [{ content: [{ text: 'x' }, { document: { name: 'd' } }] }] }))).toBe('/messages/0/content/1/document');
  });
});

describe('repeats tests', () => {
  const compiled = compileRequestTests([rule('roles', { repeats: { array: '/messages', field: 'role' } })], 'converse', 0, new Map());
  const held = (body: unknown) => compiled.rules[0]!.evaluate(context(body));

  it('hold at the second of two neighbours with the same value', () => {
    expect(held({ messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'assistant' }] })).toBe('/messages/2/role');
    expect(held({ messages: [{ role: 'user' }, { role: 'user' }] })).toBe('/messages/1/role');
  });

  it('never hold for alternating, missing or non-string values, or no array', () => {
    for (const body of [{ messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'user' }] }, { messages: [{}, {}] }, { messages: [{ role: 1 }, { role: 1 }] }, { messages: {} }, {}]) {
      expect(held(body)).toBeUndefined();
    }
  });
});
