/**
 * The tests of request-shape rules (rules/requests.yaml), compiled per API. Body patterns become leaves of the
 * API's signal trie (one walk finds capabilities and rule evidence together); the rest (absent keys, headers,
 * counts, orders, combinations) are evaluated from what the walk recorded.
 */
import type { ApiId, RequestRuleDef, RequestTest } from '../types.js';
import { compileLinearRegex } from '../linear-regex.js';
import { compileValueTest, LAST_SEGMENT, patternSegments, pointerOf, valueAt, type Leaf, type RegexCompiler, type ValueTest } from './signals.js';

/** The instant a `today` date (YYYY-MM-DD, a UTC day) starts, in milliseconds since the epoch. */
export const startOfDay = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** The value test of a body test: a number bound (above, below), emptiness or a wrong type when given, else the shared value tests. */
function compileBodyValueTest(t: RequestTest, regex: RegexCompiler | undefined): ValueTest {
  const { above, below, notType } = t;
  if (t.empty === true) return isEmpty;
  if (notType !== undefined) return (v) => v !== undefined && v !== null && jsonType(v) !== notType;
  if (above === undefined && below === undefined) return compileValueTest(t, regex);
  return (v) => typeof v === 'number' && (above === undefined || v > above) && (below === undefined || v < below);
}

/** The JSON type of a parsed value (not null or undefined). */
const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v);

/** An empty string, array or object. */
const isEmpty: ValueTest = (v) => (typeof v === 'string' ? v.length === 0 : Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0);

/** Whether the instant `now` is in [from, before), each the start of a UTC day (undefined: unbounded). */
const inRange = (now: number, from: number | undefined, before: number | undefined): boolean =>
  (from === undefined || now >= from) && (before === undefined || now < before);

/**
 * Where a hit was: a JSON Pointer, or the segments of one below the body (a copy of the walk's stack). Pointers
 * are built only for the evidence of rules that fire; most hits are counted and never shown.
 */
export type Where = string | ReadonlyArray<string | number>;

/** The JSON Pointer of a `Where`, below `base` for segments. */
export const pointerAt = (base: string, w: Where): string => (typeof w === 'string' ? w : pointerOf(base, w));

/** What the walk records for one slot (a body or header leaf of a rule test). */
export interface SlotHits {
  count: number[];
  first: Array<Where | undefined>;
  /** For slots whose every hit matters (count, sequence): where and value of each, in walk order. */
  all: Array<Array<{ where: Where; value: unknown }> | undefined>;
}

export interface TestContext {
  body: unknown;
  base: string;
  hits: SlotHits;
  /** Lower-cased names of the request's headers; undefined without an envelope. */
  headers: Set<string> | undefined;
  /** Evidence of the capabilities found, by capability index (knowledge order). */
  found: ReadonlyArray<string | undefined>;
  /** The request's base model id (no profile prefix, ARN or context suffix); null when it names none. */
  model?: string | null;
  /** Where the request names its model (/url, /body/model, …), the evidence of a modelIds or exceptModelIds test. */
  modelPath?: string | undefined;
}

/** Hits of a request whose walk recorded nothing for any rule test. */
export const NO_HITS: SlotHits = Object.freeze({ count: [], first: [], all: [] }) as unknown as SlotHits;

/** A compiled test: where its evidence is ('' when it has none) when the test holds, undefined otherwise. */
type Evaluate = (ctx: TestContext) => Where | undefined;

export interface BodyLeafSpec {
  pattern: string;
  leaf: Leaf;
}

export interface HeaderLeafSpec {
  header: string;
  leaf: Leaf;
}

export interface CompiledRequestTests {
  slotCount: number;
  bodyLeaves: BodyLeafSpec[];
  headerLeaves: HeaderLeafSpec[];
  needsHeaderNames: boolean;
  /** Each rule's test, and the model families it is limited to (undefined: every model). */
  rules: Array<{ id: string; evaluate: Evaluate; families: ReadonlySet<string> | undefined }>;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object';

/** What compiling one API's tests adds to: the compiled tests, and a new slot (a leaf of the signal trie). */
interface Compiler {
  /**
   * The engine of the rule being compiled: RE2 (linear time) for patterns from a user's configuration; JavaScript's
   * own for the built-in ones, which are written here and checked RE2-compatible when the knowledge is built.
   */
  regex: RegexCompiler | undefined;
  out: CompiledRequestTests;
  newSlot(keepAll: boolean, test?: Leaf['test']): Leaf;
  capIndex: ReadonlyMap<string, number>;
  now: () => number;
}

/**
 * Compiles the tests of the rules that apply to `api`. `now` is the clock of `today` tests (a model's end-of-life
 * date, say), in milliseconds since the epoch; tests pass a fixed one.
 */
export function compileRequestTests(
  rules: readonly RequestRuleDef[],
  api: ApiId,
  capIndexBase: number,
  capIndex: ReadonlyMap<string, number>,
  now: () => number = Date.now,
  familiesOf: (r: RequestRuleDef) => ReadonlySet<string> | undefined = () => undefined,
): CompiledRequestTests {
  const out: CompiledRequestTests = { slotCount: 0, bodyLeaves: [], headerLeaves: [], needsHeaderNames: false, rules: [] };
  const c: Compiler = {
    regex: undefined,
    out,
    newSlot: (keepAll, test = compileValueTest({})) => ({ id: '', index: capIndexBase + out.slotCount, slot: out.slotCount++, keepAll, test }),
    capIndex,
    now,
  };
  for (const r of rules) {
    if (r.when === undefined || !r.apis.includes(api)) continue;
    c.regex = r.userPatterns === true ? compileLinearRegex : undefined;
    out.rules.push({ id: r.id, evaluate: compileTest(c, r.when), families: familiesOf(r) });
  }
  return out;
}

function compileTest(c: Compiler, t: RequestTest): Evaluate {
  if (t.body !== undefined || t.header !== undefined) return compilePresent(c, t);
  if (t.absent !== undefined) return compileAbsent(t.absent);
  if (t.compare !== undefined) return compileCompare(t.compare);
  if (t.repeats !== undefined) return compileRepeats(t.repeats);
  if (t.pairs !== undefined) return compilePairs(t.pairs);
  if (t.some !== undefined) return compileSome(t.some, c.regex);
  if (t.headerAbsent !== undefined) {
    c.out.needsHeaderNames = true;
    const name = t.headerAbsent.toLowerCase();
    return (ctx) => (ctx.headers !== undefined && !ctx.headers.has(name) ? '/headers' : undefined);
  }
  if (t.count !== undefined) return compileCount(everyHitSlots(c, t.count), t.over ?? 0);
  if (t.sequence !== undefined) return compileSequence(everyHitSlots(c, t.sequence), t);
  if (t.capability !== undefined) {
    const i = c.capIndex.get(t.capability)!;
    return (ctx) => ctx.found[i];
  }
  if (t.today !== undefined) {
    const from = t.today.from === undefined ? undefined : startOfDay(t.today.from);
    const before = t.today.before === undefined ? undefined : startOfDay(t.today.before);
    return () => (inRange(c.now(), from, before) ? '' : undefined);
  }
  if (t.modelIds !== undefined) {
    const ids = new Set(t.modelIds);
    return (ctx) => (ctx.model != null && ids.has(ctx.model) ? (ctx.modelPath ?? '') : undefined);
  }
  if (t.exceptModelIds !== undefined) {
    const ids = new Set(t.exceptModelIds);
    return (ctx) => (ctx.model != null && !ids.has(ctx.model) ? (ctx.modelPath ?? '') : undefined);
  }
  if (t.any !== undefined) return compileAny(t.any.map((sub) => compileTest(c, sub)));
  const parts = (t.all ?? []).map((sub) => compileTest(c, sub));
  return (ctx) => {
    let evidence: Where | undefined = '';
    for (const p of parts) {
      evidence = p(ctx);
      if (evidence === undefined) return undefined;
    }
    return evidence;
  };
}

/** At least one of the tests holds: the evidence of the first that does. */
function compileAny(options: readonly Evaluate[]): Evaluate {
  return (ctx) => {
    for (const o of options) {
      const evidence = o(ctx);
      if (evidence !== undefined) return evidence;
    }
    return undefined;
  };
}

/** A body pointer or a header whose value passes the test: where it was first seen. */
function compilePresent(c: Compiler, t: RequestTest): Evaluate {
  const leaf = c.newSlot(false, t.body !== undefined ? compileBodyValueTest(t, c.regex) : compileValueTest(t, c.regex));
  if (t.body !== undefined) c.out.bodyLeaves.push({ pattern: t.body, leaf });
  else c.out.headerLeaves.push({ header: t.header!.toLowerCase(), leaf });
  const slot = leaf.slot!;
  return (ctx) => ((ctx.hits.count[slot] ?? 0) > 0 ? ctx.hits.first[slot] : undefined);
}

const plainSegments = (pointer: string): string[] => pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** Two numbers of the body, one at least the other (a thinking budget and max_tokens, say): evidence at `value`. */
function compileCompare(c: { value: string; atLeast: string }): Evaluate {
  const value = plainSegments(c.value);
  const bound = plainSegments(c.atLeast);
  return (ctx) => {
    const v = valueAt(ctx.body, value);
    const b = valueAt(ctx.body, bound);
    return typeof v === 'number' && typeof b === 'number' && v >= b ? pointerOf(ctx.base, concreteSegments(ctx.body, value)) : undefined;
  };
}

/** Two neighbours of an array with the same string at `field`: evidence at the second one's field. */
function compileRepeats(r: { array: string; field: string }): Evaluate {
  const segments = plainSegments(r.array);
  const at = (v: unknown): unknown => valueAt(v, [r.field]);
  return (ctx) => {
    const a = valueAt(ctx.body, segments);
    if (!Array.isArray(a)) return undefined;
    for (let i = 1; i < a.length; i++) {
      const value = at(a[i]);
      if (typeof value === 'string' && value === at(a[i - 1])) return pointerOf(ctx.base, [...concreteSegments(ctx.body, segments), i, r.field]);
    }
    return undefined;
  };
}

type Path = Array<string | number>;

/**
 * Every value at `segments` below `v` (`*` every element or member, `-1` an array's last element), with the
 * concrete path to it; null counts as absent, and bytes (a Uint8Array) are one value, as in the body walk.
 */
function valuesAt(v: unknown, segments: readonly string[]): Array<{ at: Path; value: unknown }> {
  const out: Array<{ at: Path; value: unknown }> = [];
  collect(v, { segments, at: [], out });
  return out;
}

/** One walk of valuesAt: the pattern, the path so far (a stack) and what was found. */
interface Collecting {
  segments: readonly string[];
  at: Path;
  out: Array<{ at: Path; value: unknown }>;
}

function collect(x: unknown, w: Collecting): void {
  if (x === undefined || x === null) return;
  const { segments, at } = w;
  if (at.length === segments.length) {
    w.out.push({ at: [...at], value: x });
    return;
  }
  if (typeof x !== 'object' || ArrayBuffer.isView(x)) return;
  const s = segments[at.length]!;
  if (s === '*') {
    if (Array.isArray(x)) for (let i = 0; i < x.length; i++) step(x[i], i, w);
    else for (const k in x) if (Object.hasOwn(x, k)) step((x as Record<string, unknown>)[k], k, w);
  } else if (Array.isArray(x) && s === LAST_SEGMENT) step(x[x.length - 1], x.length - 1, w);
  else step(valueAt(x, [s]), s, w);
}

function step(x: unknown, key: string | number, w: Collecting): void {
  w.at.push(key);
  collect(x, w);
  w.at.pop();
}

/** The string values at `segments` below `element`. */
function stringsAt(element: unknown, segments: readonly string[]): Array<{ at: Path; value: string }> {
  const out: Array<{ at: Path; value: string }> = [];
  for (const x of valuesAt(element, segments)) if (typeof x.value === 'string') out.push(x as { at: Path; value: string });
  return out;
}

/**
 * Values that must pair up between neighbouring elements (a tool use in one message, its result in the next).
 * `unmatched: 'ask'`: an ask (not in the last element) that no answer of the next element names; `'answer'`: an
 * answer that no ask of the element before names. Evidence: the first such value.
 */
function compilePairs(p: NonNullable<RequestTest['pairs']>): Evaluate {
  const array = plainSegments(p.array);
  const asks = p.unmatched === 'ask';
  // The side whose lone value is the evidence, the side that must name it, and where that side is.
  const mine = patternSegments(asks ? p.ask : p.answer);
  const theirs = patternSegments(asks ? p.answer : p.ask);
  const offset = asks ? 1 : -1;
  return (ctx) => {
    const a = valueAt(ctx.body, array);
    if (!Array.isArray(a)) return undefined;
    // A tool use in the last element is the model's pending call: its result comes with the next request.
    const last = asks ? a.length - 1 : a.length;
    for (let i = 0; i < last; i++) {
      const values = stringsAt(a[i], mine);
      if (values.length === 0) continue;
      const lone = unpaired(values, stringsAt(a[i + offset], theirs));
      if (lone !== undefined) return pointerOf(ctx.base, [...concreteSegments(ctx.body, array), i, ...lone]);
    }
    return undefined;
  };
}

/** The path of the first value that no partner names. */
function unpaired(values: ReadonlyArray<{ at: Path; value: string }>, partners: ReadonlyArray<{ value: string }>): Path | undefined {
  const named = new Set<string>();
  for (const x of partners) named.add(x.value);
  for (const x of values) if (!named.has(x.value)) return x.at;
  return undefined;
}

/**
 * A `some` test's element test with its pointers written from the body's root (the array's pattern, then `*`,
 * then the pointer below the element), for the readers that only look at which parts of a body a rule reads
 * (ESLint's known parts, editor schemas).
 */
export function elementTestFromRoot(s: NonNullable<RequestTest['some']>): RequestTest {
  const below = `${s.array}/*`;
  const rewrite = (t: RequestTest): RequestTest => ({
    ...t,
    ...(t.body !== undefined ? { body: below + t.body } : {}),
    ...(t.absent !== undefined ? { absent: below + t.absent } : {}),
    ...(t.all !== undefined ? { all: t.all.map(rewrite) } : {}),
    ...(t.any !== undefined ? { any: t.any.map(rewrite) } : {}),
  });
  return rewrite(s.test);
}

/** A test of one element, its pointers below the element: the path of its evidence when it holds. */
type ElementTest = (element: unknown) => Path | undefined;

/** Some element of the arrays at `array` passes the test: evidence where the test found it in that element. */
function compileSome(s: NonNullable<RequestTest['some']>, regex: RegexCompiler | undefined): Evaluate {
  const array = patternSegments(s.array);
  const test = compileElementTest(s.test, regex);
  return (ctx) => {
    for (const { at, value } of valuesAt(ctx.body, array)) {
      if (!Array.isArray(value)) continue;
      for (let i = 0; i < value.length; i++) {
        const found = test(value[i]);
        if (found !== undefined) return pointerOf(ctx.base, [...at, i, ...found]);
      }
    }
    return undefined;
  };
}

/** body, absent, all and any on one element (the loader allows no other kind inside `some`). */
function compileElementTest(t: RequestTest, regex: RegexCompiler | undefined): ElementTest {
  if (t.body !== undefined) {
    const segments = patternSegments(t.body);
    const passes = compileBodyValueTest(t, regex);
    return (element) => {
      for (const x of valuesAt(element, segments)) if (passes(x.value)) return x.at;
      return undefined;
    };
  }
  if (t.absent !== undefined) {
    const segments = plainSegments(t.absent);
    return (element) => (valueAt(element, segments) == null ? concreteSegments(element, segments.slice(0, -1)) : undefined);
  }
  const parts = (t.all ?? t.any ?? []).map((x) => compileElementTest(x, regex));
  if (t.any !== undefined) {
    return (element) => {
      for (const p of parts) {
        const found = p(element);
        if (found !== undefined) return found;
      }
      return undefined;
    };
  }
  return (element) => {
    let found: Path | undefined = [];
    for (const p of parts) {
      found = p(element);
      if (found === undefined) return undefined;
    }
    return found;
  };
}

/** The segments with each `-1` (an array's last element) replaced by that element's index in `body`. */
function concreteSegments(body: unknown, segments: readonly string[]): Array<string | number> {
  const out: Array<string | number> = [];
  let v = body;
  for (const s of segments) {
    const last = s === LAST_SEGMENT && Array.isArray(v);
    out.push(last ? (v as unknown[]).length - 1 : s);
    v = valueAt(v, [s]);
  }
  return out;
}

function compileAbsent(pointer: string): Evaluate {
  const segments = plainSegments(pointer);
  const parent = segments.slice(0, -1);
  return (ctx) => {
    const v = valueAt(ctx.body, segments);
    if (v !== undefined && v !== null) return undefined;
    // Point at the deepest enclosing object there is (a null or other value there is not one: an SDK drops
    // null members, so its request has no such object either).
    let p = parent.length;
    while (p > 0 && !isObject(valueAt(ctx.body, parent.slice(0, p)))) p--;
    return pointerOf(ctx.base, concreteSegments(ctx.body, parent.slice(0, p)));
  };
}

/** A slot per pattern that keeps every hit (where and value), for counts and sequences. */
function everyHitSlots(c: Compiler, patterns: readonly string[]): number[] {
  return patterns.map((pattern) => {
    const leaf = c.newSlot(true);
    c.out.bodyLeaves.push({ pattern, leaf });
    return leaf.slot!;
  });
}

/** More than `over` hits in all: the first hit beyond `over`. */
function compileCount(slots: number[], over: number): Evaluate {
  return (ctx) => {
    let n = 0;
    for (const s of slots) n += ctx.hits.count[s] ?? 0;
    if (n <= over) return undefined;
    let seen = 0;
    for (const s of slots) {
      for (const h of ctx.hits.all[s] ?? []) if (++seen === over + 1) return h.where;
    }
    return '';
  };
}

/** Hits whose `field` goes back in `order`: the first one that does. */
function compileSequence(slots: number[], t: RequestTest): Evaluate {
  const rank = new Map(t.order!.map((v, i) => [v, i]));
  const field = t.field!;
  const fallback = t.default;
  return (ctx) => {
    let worst = -1;
    for (const s of slots) {
      for (const h of ctx.hits.all[s] ?? []) {
        const raw = h.value !== null && typeof h.value === 'object' && Object.hasOwn(h.value, field) ? (h.value as Record<string, unknown>)[field] : fallback;
        const r = typeof raw === 'string' ? rank.get(raw) : undefined;
        if (r === undefined) continue;
        if (r < worst) return h.where;
        worst = Math.max(worst, r);
      }
    }
    return undefined;
  };
}
