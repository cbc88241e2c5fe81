/**
 * The tests of request-shape rules (rules/requests.yaml), compiled per API. Body patterns become leaves of the
 * API's signal trie (one walk finds capabilities and rule evidence together); the rest (absent keys, headers,
 * counts, orders, combinations) are evaluated from what the walk recorded.
 */
import type { ApiId, RequestRuleDef, RequestTest } from '../types.js';
import { compileLinearRegex } from '../linear-regex.js';
import { compileValueTest, escapeSegment, pointerOf, valueAt, type Leaf } from './signals.js';

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
  /** The segments of each absent-key test's pointer, and each absent-header test's name (for read plans). */
  absentPointers: string[][];
  absentHeaders: string[];
  rules: Array<{ id: string; evaluate: Evaluate }>;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object';

export function compileRequestTests(rules: readonly RequestRuleDef[], api: ApiId, capIndexBase: number, capIndex: ReadonlyMap<string, number>): CompiledRequestTests {
  const out: CompiledRequestTests = { slotCount: 0, bodyLeaves: [], headerLeaves: [], needsHeaderNames: false, absentPointers: [], absentHeaders: [], rules: [] };
  const newSlot = (keepAll: boolean, test = compileValueTest({})): Leaf => ({ id: '', index: capIndexBase + out.slotCount, slot: out.slotCount++, keepAll, test });

  function compile(t: RequestTest): Evaluate {
    if (t.body !== undefined) {
      const leaf = newSlot(false, compileValueTest(t, compileLinearRegex));
      out.bodyLeaves.push({ pattern: t.body, leaf });
      const slot = leaf.slot!;
      return (ctx) => ((ctx.hits.count[slot] ?? 0) > 0 ? ctx.hits.first[slot] : undefined);
    }
    if (t.absent !== undefined) {
      const segments = t.absent.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      out.absentPointers.push(segments);
      const parent = segments.slice(0, -1);
      const parentPointer = parent.map(escapeSegment).map((s) => `/${s}`).join('');
      return (ctx) => {
        const v = valueAt(ctx.body, segments);
        if (v !== undefined && v !== null) return undefined;
        // Point at the deepest enclosing object there is (a null or other value there is not one: an SDK drops
        // null members, so its request has no such object either).
        let p = parent.length;
        while (p > 0 && !isObject(valueAt(ctx.body, parent.slice(0, p)))) p--;
        return ctx.base + (p === parent.length ? parentPointer : parent.slice(0, p).map((s) => `/${escapeSegment(s)}`).join(''));
      };
    }
    if (t.header !== undefined) {
      const leaf = newSlot(false, compileValueTest(t, compileLinearRegex));
      out.headerLeaves.push({ header: t.header.toLowerCase(), leaf });
      const slot = leaf.slot!;
      return (ctx) => ((ctx.hits.count[slot] ?? 0) > 0 ? ctx.hits.first[slot] : undefined);
    }
    if (t.headerAbsent !== undefined) {
      out.needsHeaderNames = true;
      const name = t.headerAbsent.toLowerCase();
      out.absentHeaders.push(name);
      return (ctx) => (ctx.headers !== undefined && !ctx.headers.has(name) ? '/headers' : undefined);
    }
    if (t.count !== undefined) {
      const slots = t.count.map((pattern) => {
        const leaf = newSlot(true);
        out.bodyLeaves.push({ pattern, leaf });
        return leaf.slot!;
      });
      const over = t.over ?? 0;
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
    if (t.sequence !== undefined) {
      const slots = t.sequence.map((pattern) => {
        const leaf = newSlot(true);
        out.bodyLeaves.push({ pattern, leaf });
        return leaf.slot!;
      });
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
    if (t.capability !== undefined) {
      const i = capIndex.get(t.capability)!;
      return (ctx) => ctx.found[i];
    }
    const parts = (t.all ?? []).map(compile);
    return (ctx) => {
      let evidence: Where | undefined = '';
      for (const p of parts) {
        evidence = p(ctx);
        if (evidence === undefined) return undefined;
      }
      return evidence;
    };
  }

  for (const r of rules) {
    if (r.when === undefined || !r.apis.includes(api)) continue;
    out.rules.push({ id: r.id, evaluate: compile(r.when) });
  }
  return out;
}
