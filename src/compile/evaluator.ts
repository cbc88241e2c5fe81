/**
 * A synchronous evaluator generated from json-rules-engine rules: each rule's conditions become a closure, rules
 * are grouped by the endpoint they test, and a run is a loop over one group. No code is generated as text and
 * nothing from a rule is executed: rules stay data, interpreted by the fixed operators below.
 *
 * The semantics are json-rules-engine's (operators, `all`/`any`/`not`, priority order); a property test checks
 * that both give the same events for random requests.
 */
import type { Facts, JreConditions, JreNode, JreRule, RuleEventParams } from '../types.js';
import { splitAtWhere } from './template.js';

type Predicate = (facts: Facts) => boolean;

/** json-rules-engine's default operators; `factOk` mirrors its fact-value validators. */
const OPERATORS: Record<string, { test: (a: unknown, b: unknown) => boolean; factOk?: (a: unknown) => boolean }> = {
  equal: { test: (a, b) => a === b },
  notEqual: { test: (a, b) => a !== b },
  in: { test: (a, b) => (b as unknown[]).indexOf(a) > -1 },
  notIn: { test: (a, b) => (b as unknown[]).indexOf(a) === -1 },
  contains: { test: (a, b) => (a as unknown[]).indexOf(b) > -1, factOk: Array.isArray },
  doesNotContain: { test: (a, b) => (a as unknown[]).indexOf(b) === -1, factOk: Array.isArray },
  lessThan: { test: (a, b) => (a as number) < (b as number), factOk: isNumber },
  lessThanInclusive: { test: (a, b) => (a as number) <= (b as number), factOk: isNumber },
  greaterThan: { test: (a, b) => (a as number) > (b as number), factOk: isNumber },
  greaterThanInclusive: { test: (a, b) => (a as number) >= (b as number), factOk: isNumber },
};

function isNumber(a: unknown): boolean {
  return Number.parseFloat(a as string).toString() !== 'NaN';
}

export class RuleCompileError extends Error {}

const FACT_NAMES = new Set<keyof Facts>(['endpoint', 'api', 'model', 'region', 'operation', 'capabilities']);

function compileNode(node: JreNode, where: string): Predicate {
  if ('all' in node) {
    const parts = node.all.map((n, i) => compileNode(n, `${where}.all[${i}]`));
    if (parts.length === 2) {
      const [a, b] = parts as [Predicate, Predicate];
      return (f) => a(f) && b(f);
    }
    if (parts.length === 3) {
      const [a, b, c] = parts as [Predicate, Predicate, Predicate];
      return (f) => a(f) && b(f) && c(f);
    }
    return (f) => {
      for (const p of parts) if (!p(f)) return false;
      return true;
    };
  }
  if ('any' in node) {
    const parts = node.any.map((n, i) => compileNode(n, `${where}.any[${i}]`));
    return (f) => {
      for (const p of parts) if (p(f)) return true;
      return false;
    };
  }
  if ('not' in node) {
    const inner = compileNode(node.not, `${where}.not`);
    return (f) => !inner(f);
  }
  const { fact, operator, value } = node;
  if (node.path !== undefined) throw new RuleCompileError(`${where}: fact paths are not supported`);
  if (!FACT_NAMES.has(fact as keyof Facts)) throw new RuleCompileError(`${where}: unknown fact "${fact}"`);
  const op = OPERATORS[operator];
  if (!op) throw new RuleCompileError(`${where}: unknown operator "${operator}"`);
  if ((operator === 'in' || operator === 'notIn') && !Array.isArray(value)) {
    throw new RuleCompileError(`${where}: operator "${operator}" needs an array value`);
  }
  const key = fact as keyof Facts;
  // The two shapes every built-in rule uses get closures of their own: V8 inlines them.
  if (operator === 'equal') {
    if (key === 'endpoint') return (f) => f.endpoint === value;
    if (key === 'api') return (f) => f.api === value;
    return (f) => f[key] === value;
  }
  if (operator === 'notIn' && key === 'api') {
    const list = value as unknown[];
    return (f) => list.indexOf(f.api) === -1;
  }
  if (operator === 'contains' && key === 'capabilities') return (f) => f.capabilities.indexOf(value as string) > -1;
  const { test, factOk } = op;
  return factOk ? (f) => factOk(f[key]) && test(f[key], value) : (f) => test(f[key], value);
}

export interface RuleEvent {
  rule: string;
  params: RuleEventParams;
  /** The message split at `{where}`. */
  message: readonly [string, string];
}

interface CompiledRule {
  event: RuleEvent;
  test: Predicate;
  priority: number;
}

export interface Evaluator {
  /** Every rule whose conditions hold, in json-rules-engine's order (priority, then rule order). */
  run(facts: Facts): RuleEvent[];
  readonly ruleCount: number;
}

/** The endpoint a rule is limited to, when its top-level `all` tests `endpoint equal X`. */
function endpointOf(conditions: JreConditions): string | undefined {
  if (!('all' in conditions)) return undefined;
  for (const c of conditions.all) if ('fact' in c && c.fact === 'endpoint' && c.operator === 'equal' && typeof c.value === 'string') return c.value;
  return undefined;
}

export function compileEvaluator(rules: readonly JreRule[]): Evaluator {
  const compiled: CompiledRule[] = rules.map((r, i) => ({
    event: { rule: r.name, params: r.event.params, message: splitAtWhere(r.event.params.message) },
    test: compileNode(r.conditions, `rule ${r.name ?? i}`),
    priority: r.priority ?? 1,
  }));
  // json-rules-engine runs higher priorities first; within a priority, events keep rule order.
  const ordered = compiled
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.priority - a.r.priority || a.i - b.i)
    .map(({ r }) => r);
  const byEndpoint = new Map<string, CompiledRule[]>();
  const anyEndpoint: CompiledRule[] = [];
  const endpoints = new Set<string>();
  rules.forEach((r) => {
    const e = endpointOf(r.conditions);
    if (e !== undefined) endpoints.add(e);
  });
  for (const e of endpoints) byEndpoint.set(e, []);
  for (const r of ordered) {
    const i = compiled.indexOf(r);
    const e = endpointOf(rules[i]!.conditions);
    if (e === undefined) {
      anyEndpoint.push(r);
      for (const list of byEndpoint.values()) list.push(r);
    } else byEndpoint.get(e)!.push(r);
  }
  return {
    ruleCount: compiled.length,
    run(facts) {
      const group = byEndpoint.get(facts.endpoint) ?? anyEndpoint;
      const out: RuleEvent[] = [];
      for (let i = 0; i < group.length; i++) {
        const r = group[i]!;
        if (r.test(facts)) out.push(r.event);
      }
      return out;
    },
  };
}
