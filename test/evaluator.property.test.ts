/**
 * json-rules-engine is the reference semantics of the compiled rules: for random facts and for facts detected
 * from random requests, the generated evaluator must fire exactly the rules an Engine fires, in the same order.
 */
import fc from 'fast-check';
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { compileEvaluator, RuleCompileError } from '../src/compile/evaluator.js';
import { compileDetector } from '../src/detect/detect.js';
import { builtInKnowledge as k } from '../src/index.js';
import type { Facts, JreRule } from '../src/types.js';

const evaluator = compileEvaluator(k.rules);
const detector = compileDetector(k);
const capIds = k.capabilities.map((c) => c.id);
const apiIds = k.apis.map((a) => a.id);
const familyIds = k.models.map((m) => m.id);
const regionIds = k.regions.map((r) => r.id);
const signalIds = k.requestRules.map((r) => r.id);
const operationIds = k.apis.flatMap((a) => a.operations.map((o) => o.id));

async function engineEvents(rules: JreRule[], facts: Facts): Promise<string[]> {
  const engine = new Engine(structuredClone(rules), { allowUndefinedFacts: true });
  const { events } = await engine.run({ ...facts });
  return events.map((e) => `${e.type}:${(e.params as { subject: string }).subject}:${(e.params as { endpoint?: string }).endpoint}:${(e.params as { message: string }).message.length}`);
}

const ours = (rules: JreRule[], facts: Facts): string[] =>
  compileEvaluator(rules).run(facts).map((e) => `${e.params.code}:${e.params.subject}:${e.params.endpoint}:${e.params.message.length}`);

const factsArb: fc.Arbitrary<Facts> = fc.record({
  endpoint: fc.constantFrom('bedrock-runtime' as const, 'bedrock-mantle' as const),
  api: fc.option(fc.constantFrom(...apiIds), { nil: null }),
  model: fc.option(fc.string(), { nil: null }),
  region: fc.option(fc.oneof(fc.constantFrom(...regionIds), fc.constant('xx-nowhere-9')), { nil: null }),
  operation: fc.option(fc.constantFrom(...operationIds), { nil: null }),
  capabilities: fc.uniqueArray(fc.constantFrom(...capIds)).map((ids) => capIds.filter((c) => ids.includes(c))),
  modelFamily: fc.option(fc.constantFrom(...familyIds), { nil: null }),
  modelForm: fc.option(fc.constantFrom('base' as const, 'profile' as const, 'arn' as const, 'arn-opaque' as const), { nil: null }),
  route: fc.option(fc.constantFrom('/v1', '/openai/v1', '/anthropic/v1'), { nil: null }),
  signals: fc.uniqueArray(fc.constantFrom(...signalIds)).map((ids) => signalIds.filter((c) => ids.includes(c))),
});

describe('generated evaluator vs json-rules-engine', () => {
  it('the rules printed by `rules --format json` load into an Engine as they are', () => {
    expect(() => new Engine(JSON.parse(JSON.stringify(k.rules)))).not.toThrow();
  });

  it('fire the same rules for random facts', async () => {
    await fc.assert(
      fc.asyncProperty(factsArb, async (facts) => {
        // All built-in rules have one priority: the same set of events (json-rules-engine's order within a priority is not defined by the rules).
        expect(ours(k.rules, facts).sort()).toEqual((await engineEvents(k.rules, facts)).sort());
      }),
      { numRuns: 300 },
    );
  });

  // Random rule sets over the same facts: every operator and boolean form the evaluator supports.
  const conditionArb: fc.Arbitrary<JreRule['conditions']> = fc.letrec((tie) => ({
    leaf: fc.oneof(
      fc.record({ fact: fc.constant('endpoint'), operator: fc.constantFrom('equal', 'notEqual'), value: fc.constantFrom('bedrock-runtime', 'bedrock-mantle') }),
      fc.record({ fact: fc.constant('api'), operator: fc.constantFrom('equal', 'notEqual'), value: fc.constantFrom(...apiIds, null) }),
      fc.record({ fact: fc.constant('api'), operator: fc.constantFrom('in', 'notIn'), value: fc.subarray([...apiIds, null]) }),
      fc.record({ fact: fc.constant('capabilities'), operator: fc.constantFrom('contains', 'doesNotContain'), value: fc.constantFrom(...capIds) }),
      fc.record({ fact: fc.constant('model'), operator: fc.constantFrom('contains', 'doesNotContain', 'equal'), value: fc.string() }),
    ),
    node: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('node') }),
    ),
    top: fc.oneof(
      fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    ),
  })).top as fc.Arbitrary<JreRule['conditions']>;

  const rulesArb = fc.array(
    fc.record({ conditions: conditionArb, priority: fc.integer({ min: 1, max: 3 }), subject: fc.constantFrom(...capIds), endpoint: fc.constantFrom('bedrock-runtime', 'bedrock-mantle') }),
    { minLength: 1, maxLength: 6 },
  ).map((rs) =>
    rs.map(
      (r, i): JreRule => ({
        name: `r${i}`,
        priority: r.priority,
        conditions: r.conditions,
        event: { type: 'capability-unsupported', params: { ...k.rules[0]!.event.params, code: 'capability-unsupported', subject: `${r.subject}#${i}`, endpoint: r.endpoint as Facts['endpoint'] } },
      }),
    ),
  );

  // Within one priority, json-rules-engine emits events in the order its async condition checks settle (deeper
  // conditions settle later), which is not a property of the rules; across priorities the order is fixed.
  const byPriority = (rules: JreRule[], events: string[]) => {
    const prio = new Map(rules.map((r) => [r.event.params.subject, r.priority ?? 1]));
    const subject = (e: string) => e.split(':')[1]!;
    return [...events].sort((a, b) => prio.get(subject(b))! - prio.get(subject(a))! || a.localeCompare(b));
  };
  it('fire the same rules, with priorities in the same order, for random rule sets and facts', async () => {
    await fc.assert(
      fc.asyncProperty(rulesArb, factsArb, async (rules, facts) => {
        const theirs = await engineEvents(rules, facts);
        const mine = ours(rules, facts);
        expect(byPriority(rules, mine)).toEqual(byPriority(rules, theirs));
        const prio = (e: string) => rules.find((r) => r.event.params.subject === e.split(':')[1])!.priority ?? 1;
        expect(theirs.map(prio)).toEqual([...theirs.map(prio)].sort((a, b) => b - a));
        expect(mine.map(prio)).toEqual([...mine.map(prio)].sort((a, b) => b - a));
      }),
      { numRuns: 300 },
    );
  });

  // An evaluator remembers each group's last facts and events: a long-lived one, fed runs of facts that repeat
  // and change one fact at a time (as an application's requests do), must fire what a fresh one fires each time.
  const tweakArb = fc.record({ which: fc.constantFrom<keyof Facts>('model', 'region', 'operation', 'capabilities', 'modelForm', 'route', 'signals', 'api'), facts: factsArb });
  it('a long-lived evaluator fires the same rules as a fresh one, whatever came before', () => {
    fc.assert(
      fc.property(factsArb, fc.array(fc.oneof(fc.constant(undefined), tweakArb), { minLength: 1, maxLength: 12 }), (first, steps) => {
        const shared = compileEvaluator(k.rules);
        let facts = first;
        for (const step of [undefined, ...steps]) {
          if (step !== undefined) facts = { ...facts, [step.which]: step.facts[step.which] };
          const mine = shared.run(facts).map((e) => e.rule);
          expect(mine).toEqual(compileEvaluator(k.rules).run(facts).map((e) => e.rule));
        }
        // The caller may change its facts object afterwards: what the evaluator remembers must be its own copy.
        const mutated: Facts = { ...facts, capabilities: [], signals: [] };
        shared.run(mutated);
        mutated.capabilities.push(...capIds);
        mutated.signals.push(...signalIds);
        expect(shared.run(mutated).map((e) => e.rule)).toEqual(compileEvaluator(k.rules).run(mutated).map((e) => e.rule));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects rules it cannot run with json-rules-engine semantics instead of guessing', () => {
    const bad = (conditions: unknown) => () => compileEvaluator([{ ...k.rules[0]!, conditions } as JreRule]);
    expect(bad({ all: [{ fact: 'endpoint', operator: 'regex', value: 'x' }] })).toThrow(RuleCompileError);
    expect(bad({ all: [{ fact: 'nope', operator: 'equal', value: 'x' }] })).toThrow(RuleCompileError);
    expect(bad({ all: [{ fact: 'api', operator: 'in', value: 'converse' }] })).toThrow(RuleCompileError);
    expect(bad({ all: [{ fact: 'api', operator: 'equal', value: 'x', path: '$.a' }] })).toThrow(RuleCompileError);
  });

  // Requests built from realistic parts, detected, then evaluated both ways.
  const partArb = fc.constantFrom<Record<string, unknown>>(
    { guardrailConfig: { guardrailIdentifier: 'abc123', guardrailVersion: '1' } },
    { background: true },
    { previous_response_id: 'resp_123' },
    { tools: [{ type: 'web_search' }] },
    { tools: [{ type: 'mcp', server_label: 'x', server_url: 'https://example.com/mcp' }] },
    { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] },
    { output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
    { output_config: { effort: 'high' } },
    { requestMetadata: { team: 'a' } },
    { system: [{ text: 'be brief' }, { cachePoint: { type: 'default' } }] },
    { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } },
  );
  const requestArb = fc.record({
    host: fc.constantFrom('bedrock-runtime.us-east-1.amazonaws.com', 'bedrock-mantle.us-east-1.api.aws'),
    path: fc.constantFrom('/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse', '/model/anthropic.claude-3-haiku/invoke', '/v1/chat/completions', '/openai/v1/chat/completions', '/v1/responses', '/anthropic/v1/messages'),
    parts: fc.array(partArb, { maxLength: 4 }),
    headers: fc.subarray([
      ['anthropic-workspace', 'wrkspc_1'],
      ['OpenAI-Project', 'proj_abc'],
      ['X-Amzn-Bedrock-GuardrailIdentifier', 'gr1'],
      ['Authorization', 'Bearer bedrock-api-key-abc'],
    ] as const),
    model: fc.constantFrom('openai.gpt-oss-120b', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1'),
  });

  it('agree on facts detected from random realistic requests', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const input = { url: `https://${r.host}${r.path}`, headers: Object.fromEntries(r.headers), body: Object.assign({ model: r.model, messages: [] }, ...r.parts) };
        const { facts } = detector.detect(input);
        expect(evaluator.run(facts).map((e) => `${e.params.code}:${e.params.subject}:${e.params.endpoint}:${e.params.message.length}`).sort()).toEqual((await engineEvents(k.rules, facts)).sort());
      }),
      { numRuns: 200 },
    );
  });
});
