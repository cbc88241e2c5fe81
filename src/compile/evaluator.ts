/**
 * A synchronous evaluator generated from json-rules-engine rules: each rule's conditions become a closure, rules
 * are grouped by the endpoint they test, and a run is a loop over one group. No code is generated as text and
 * nothing from a rule is executed: rules stay data, interpreted by the fixed operators below.
 *
 * The semantics are json-rules-engine's (operators, `all`/`any`/`not`, priority order); a property test checks
 * that both give the same events for random requests.
 */
import type { Facts, JreConditions, JreNode, JreRule, RuleEventParams } from '../types.js';
import { compileMessage, type CompiledMessage } from './template.js';

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

const FACT_NAMES = new Set<keyof Facts>(['endpoint', 'api', 'model', 'region', 'operation', 'capabilities', 'modelFamily', 'modelForm', 'route', 'signals']);

/** Validates a condition tree the way compileNode would, without building closures. */
function checkNode(node: JreNode, where: string): void {
  if ('all' in node) node.all.forEach((n, i) => checkNode(n, `${where}.all[${i}]`));
  else if ('any' in node) node.any.forEach((n, i) => checkNode(n, `${where}.any[${i}]`));
  else if ('not' in node) checkNode(node.not, `${where}.not`);
  else compileNode(node, where);
}

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
  const read = READ[fact as keyof Facts];
  // The shapes the built-in rules use get closures of their own.
  if (operator === 'equal') {
    if (fact === 'endpoint') return (f) => f.endpoint === value;
    if (fact === 'api') return (f) => f.api === value;
    return (f) => read(f) === value;
  }
  if (operator === 'contains' && fact === 'capabilities') return (f) => f.capabilities.indexOf(value as string) > -1;
  if (operator === 'contains' && fact === 'signals') return (f) => f.signals.indexOf(value as string) > -1;
  if (operator === 'in' || operator === 'notIn') {
    const list = value as unknown[];
    return operator === 'in' ? (f) => list.indexOf(read(f)) > -1 : (f) => list.indexOf(read(f)) === -1;
  }
  const { test, factOk } = op;
  return factOk ? (f) => factOk(read(f)) && test(read(f), value) : (f) => test(read(f), value);
}

/**
 * One reader per fact. Closures read facts through these rather than `facts[name]`: a lookup by a varying name
 * goes through V8's megamorphic stub cache, which the surrounding application keeps evicting (see ownProperty).
 */
const READ: { readonly [K in keyof Facts]: (f: Facts) => Facts[K] } = {
  endpoint: (f) => f.endpoint,
  api: (f) => f.api,
  model: (f) => f.model,
  region: (f) => f.region,
  operation: (f) => f.operation,
  capabilities: (f) => f.capabilities,
  modelFamily: (f) => f.modelFamily,
  modelForm: (f) => f.modelForm,
  route: (f) => f.route,
  signals: (f) => f.signals,
};

/** What a finding takes from its rule, in one fixed shape for every rule (the rules' params have many shapes). */
export interface FindingBase {
  code: RuleEventParams['code'];
  subject: string;
  severity: RuleEventParams['severity'];
  pathFrom: RuleEventParams['pathFrom'];
  source: string;
  fix: string | undefined;
  confidence: RuleEventParams['confidence'] | undefined;
  /** For a request-shape rule: its id (the key of its evidence), else ''. */
  signal: string;
}

export interface RuleEvent {
  rule: string;
  params: RuleEventParams;
  /** The message split at its run-time slots ({where}, {model}, {region}). */
  message: CompiledMessage;
  finding: FindingBase;
}

interface CompiledRule {
  event: RuleEvent;
  test: Predicate;
  priority: number;
}

/** A rule whose closure is built the first time a group needs it. */
interface PendingRule {
  rule: JreRule;
  index: number;
  compiled: CompiledRule | undefined;
}

export interface Evaluator {
  /** Every rule whose conditions hold, in json-rules-engine's order (priority, then rule order). */
  run(facts: Facts): readonly RuleEvent[];
  readonly ruleCount: number;
}

/** The facts the evaluator indexes rules by: a run only tests the rules that can hold for its values of these. */
const INDEXED = ['endpoint', 'api', 'modelFamily', 'region'] as const;
type IndexedFact = (typeof INDEXED)[number];
/** Stands for any value no rule names. */
const OTHER = Symbol('other');

/** Whether a rule's top-level `all` lets `fact` take `value` (conditions on other facts are not looked at). */
function allows(conditions: JreConditions, fact: IndexedFact, value: unknown): boolean {
  if (!('all' in conditions)) return true;
  for (const c of conditions.all) {
    if (!('fact' in c) || c.fact !== fact || c.path !== undefined) continue;
    const v = c.value;
    switch (c.operator) {
      case 'equal':
        if (value !== v) return false;
        break;
      case 'notEqual':
        if (value === v) return false;
        break;
      case 'in':
        if (!(v as unknown[]).includes(value)) return false;
        break;
      case 'notIn':
        if ((v as unknown[]).includes(value)) return false;
        break;
    }
  }
  return true;
}

function valuesNamed(rules: readonly JreRule[], fact: IndexedFact): unknown[] {
  const out = new Set<unknown>();
  for (const r of rules) {
    if (!('all' in r.conditions)) continue;
    for (const c of r.conditions.all) {
      if (!('fact' in c) || c.fact !== fact) continue;
      if (Array.isArray(c.value)) for (const v of c.value) out.add(v);
      else out.add(c.value);
    }
  }
  out.add(null);
  return [...out];
}

function findingBase(rule: JreRule): FindingBase {
  const p = rule.event.params;
  return {
    code: p.code,
    subject: p.subject,
    severity: p.severity,
    pathFrom: p.pathFrom,
    source: p.source,
    fix: p.fix,
    confidence: p.confidence,
    signal: rule.name.startsWith('request/') ? rule.name.slice('request/'.length) : '',
  };
}

export function compileEvaluator(rules: readonly JreRule[]): Evaluator {
  // Conditions are checked for the whole rule set now (a bad rule fails at once), closures are built lazily.
  const pending: PendingRule[] = rules.map((rule, index) => ({ rule, index, compiled: undefined }));
  for (const p of pending) checkNode(p.rule.conditions, `rule ${p.rule.name ?? p.index}`);
  const compiledRule = (p: PendingRule): CompiledRule =>
    (p.compiled ??= {
      event: { rule: p.rule.name, params: p.rule.event.params, message: compileMessage(p.rule.event.params.message), finding: findingBase(p.rule) },
      test: compileNode(p.rule.conditions, `rule ${p.rule.name ?? p.index}`),
      priority: p.rule.priority ?? 1,
    });
  const priority = (i: number) => rules[i]!.priority ?? 1;
  // json-rules-engine runs higher priorities first; within a priority, events keep rule order.
  const order = rules.map((_, i) => i).sort((a, b) => priority(b) - priority(a) || a - b);

  // Rules grouped by (endpoint, api, modelFamily, region); each group is built on first use.
  const values = INDEXED.map((f) => [...valuesNamed(rules, f), OTHER]);
  const indexOf = INDEXED.map((_, i) => new Map(values[i]!.map((v, j) => [v, j])));
  const [nE, nA, nF, nR] = values.map((v) => v.length) as [number, number, number, number];
  const groups = new Map<number, Group>();
  const group = (e: number, a: number, f: number, r: number): Group => {
    const key = ((e * nA + a) * nF + f) * nR + r;
    let g = groups.get(key);
    if (g === undefined) {
      const [ve, va, vf, vr] = [values[0]![e], values[1]![a], values[2]![f], values[3]![r]];
      const members = order.filter((i) => {
        const c = rules[i]!.conditions;
        return allows(c, 'endpoint', ve) && allows(c, 'api', va) && allows(c, 'modelFamily', vf) && allows(c, 'region', vr);
      }).map((i) => compiledRule(pending[i]!));
      g = { rules: members };
      groups.set(key, g);
    }
    return g;
  };
  const [byE, byA, byF, byR] = indexOf as [Map<unknown, number>, Map<unknown, number>, Map<unknown, number>, Map<unknown, number>];

  return {
    ruleCount: rules.length,
    run(facts) {
      const g = group(byE.get(facts.endpoint) ?? nE - 1, byA.get(facts.api) ?? nA - 1, byF.get(facts.modelFamily) ?? nF - 1, byR.get(facts.region) ?? nR - 1);
      const out: RuleEvent[] = [];
      for (const r of g.rules) if (r.test(facts)) out.push(r.event);
      return out;
    },
  };
}

/** The rules that can fire for one (endpoint, api, modelFamily, region). */
interface Group {
  rules: CompiledRule[];
}
