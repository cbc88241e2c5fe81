/**
 * The reading key of a request: what the check reads of a JSON body text and of its headers, for one API, as a
 * string, without parsing the body. Two requests to the same URL with the same reading key get the same report
 * (the check is a pure function of what it reads), so an integration that found one clean can send the other at
 * once. This is what keeps pre-flight cheap inside an application: most requests differ only in prompt text,
 * which the check never reads.
 *
 * The key is read along the API's read plan: its signal trie (capability signals and request-rule tests), the
 * pointers where it keeps the model id, and the pointers of absent-key tests. For each place on the plan the key
 * holds the JSON type of the value there, the outcome of each leaf's test, and, where the check keeps the value
 * itself (the model id, every-hit tests), its JSON text. Everything off the plan is skipped: strings are jumped
 * over with indexOf, never copied or decoded.
 *
 * Text that is not JSON may still give a key: only the structure is followed, not validated. That cannot change
 * a decision: such a body is not checked at all (the full path finds it is not JSON and sends it), and a key is
 * only ever remembered from a body that parsed and was checked.
 */
import type { Leaf, TrieNode } from './signals.js';

export interface PlanNode {
  /** Named children: object members by key (and array elements by canonical index, see byIndex). */
  children: Map<string, PlanNode>;
  byIndex: Map<number, PlanNode> | undefined;
  /** Every element of an array or member of an object. */
  any: PlanNode | undefined;
  leaves: Leaf[];
  /** The check keeps the value itself (model id, every-hit tests): the key holds its JSON text. */
  raw: boolean;
}

export interface ReadPlan {
  root: PlanNode;
  /** Lower-cased header names the check reads, each with the leaves testing its value (none: only presence). */
  headers: ReadonlyArray<{ name: string; leaves: Leaf[] }>;
}

const newNode = (): PlanNode => ({ children: new Map(), byIndex: undefined, any: undefined, leaves: [], raw: false });

const CANONICAL_INDEX = /^(0|[1-9][0-9]{0,8})$/;

function child(node: PlanNode, segment: string): PlanNode {
  if (segment === '*') return (node.any ??= newNode());
  let next = node.children.get(segment);
  if (next === undefined) {
    next = newNode();
    node.children.set(segment, next);
    if (CANONICAL_INDEX.test(segment)) (node.byIndex ??= new Map()).set(Number(segment), next);
  }
  return next;
}

function copyTrie(from: TrieNode, to: PlanNode): void {
  for (const leaf of from.leaves) {
    to.leaves.push(leaf);
    if (leaf.keepAll === true) to.raw = true;
  }
  from.keys.forEach((key, i) => copyTrie(from.children[i]!, child(to, key)));
  if (from.any !== undefined) copyTrie(from.any, child(to, '*'));
}

/**
 * The read plan of one API: its merged signal trie, the segments of its model pointers (whose values are kept)
 * and of its absent-key tests (whose places are typed), and the header names it reads. Undefined when the plan
 * cannot express what the check reads.
 */
export function compileReadPlan(
  body: TrieNode,
  modelPointers: ReadonlyArray<readonly string[]>,
  absentPointers: ReadonlyArray<readonly string[]>,
  headers: ReadonlyMap<string, Leaf[]>,
  absentHeaders: readonly string[],
): ReadPlan | undefined {
  // A pointer segment `*` names a member called "*", which the plan's `*` (every member) cannot say.
  if ([...modelPointers, ...absentPointers].some((p) => p.includes('*'))) return undefined;
  const root = newNode();
  copyTrie(body, root);
  for (const segments of modelPointers) {
    let node = root;
    for (const s of segments) node = child(node, s);
    node.raw = true;
  }
  for (const segments of absentPointers) {
    let node = root;
    for (const s of segments) node = child(node, s);
  }
  const names = new Map<string, Leaf[]>();
  for (const [name, leaves] of headers) names.set(name, leaves);
  for (const name of absentHeaders) if (!names.has(name)) names.set(name, []);
  return { root, headers: [...names].map(([name, leaves]) => ({ name, leaves })) };
}

// One skim at a time (it is synchronous): the text, the position and the key being built.
let s = '';
let i = 0;
let out = '';

/** Bails out of a skim: the text does not have the structure of a JSON object. */
class NotJson {}
const NOT_JSON = new NotJson();

const SEP = '\u0001';
const END = '\u0002';
const OBJECT_PLACEHOLDER: object = Object.freeze({});
const ARRAY_PLACEHOLDER: object = Object.freeze([]);

function ws(): void {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return;
  }
}

/** At an opening quote: moves past the closing one (a quote preceded by an even run of backslashes). */
function skipString(): void {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) throw NOT_JSON;
    let b = q - 1;
    while (s.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) {
      i = q + 1;
      return;
    }
    from = q + 1;
  }
}

/** Moves past one value of any kind, following only its brackets and strings. */
function skipValue(): void {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString();
  if (c === 123 || c === 91) {
    let depth = 0;
    for (;;) {
      const d = s.charCodeAt(i);
      if (d === 34) {
        skipString();
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) {
          i++;
          return;
        }
      } else if (d !== d) throw NOT_JSON; // NaN: past the end
      i++;
    }
  }
  const start = i;
  for (;;) {
    const d = s.charCodeAt(i);
    if (d !== d || d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9 || d === 58) break;
    i++;
  }
  if (i === start) throw NOT_JSON;
}

/** The decoded string of the string token at [start, end). */
function stringAt(start: number, end: number): string {
  for (let j = start + 1; j < end - 1; j++) {
    if (s.charCodeAt(j) === 92) {
      try {
        return JSON.parse(s.slice(start, end)) as string;
      } catch {
        throw NOT_JSON;
      }
    }
  }
  return s.slice(start + 1, end - 1);
}

/** The value of the scalar token at [start, end), as JSON.parse gives it. */
function scalarAt(start: number, end: number): unknown {
  const c = s.charCodeAt(start);
  if (c === 34) return stringAt(start, end);
  const token = s.slice(start, end);
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (token === 'null') return null;
  try {
    return JSON.parse(token) as unknown;
  } catch {
    throw NOT_JSON;
  }
}

const typeChar = (c: number): string => (c === 123 ? 'o' : c === 91 ? 'a' : c === 34 ? 's' : c === 116 ? 't' : c === 102 ? 'f' : c === 110 ? 'n' : '#');

/** At a value (after whitespace): appends its reading along `node` to the key and moves past it. */
function visit(node: PlanNode): void {
  const start = i;
  const c = s.charCodeAt(i);
  if (c !== c) throw NOT_JSON;
  out += typeChar(c);
  const container = c === 123 || c === 91;
  const walks = container && (node.children.size > 0 || node.any !== undefined);
  if (walks) walk(node, c === 123);
  else skipValue();
  if (node.leaves.length > 0) {
    const value = container ? (c === 123 ? OBJECT_PLACEHOLDER : ARRAY_PLACEHOLDER) : scalarAt(start, i);
    for (let l = 0; l < node.leaves.length; l++) out += node.leaves[l]!.test(value) ? '1' : '0';
  }
  if (node.raw) out += SEP + s.slice(start, i);
}

/** The value at `i` read on `named` and on `*` (either may be absent), under `label`; skipped when off the plan. */
function placed(named: PlanNode | undefined, any: PlanNode | undefined, label: string | number): void {
  if (named === undefined && any === undefined) return skipValue();
  out += SEP + label;
  const at = i;
  if (named !== undefined) visit(named);
  if (any !== undefined) {
    out += '*';
    i = at;
    visit(any);
  }
}

/** At an object's or array's opening bracket: reads its members or elements along `node` and moves past it. */
function walk(node: PlanNode, isObject: boolean): void {
  const close = isObject ? 125 : 93;
  i++;
  ws();
  if (s.charCodeAt(i) === close) {
    i++;
    out += END;
    return;
  }
  for (let index = 0; ; index++) {
    if (isObject) {
      if (s.charCodeAt(i) !== 34) throw NOT_JSON;
      const keyStart = i;
      skipString();
      const keyEnd = i;
      ws();
      if (s.charCodeAt(i) !== 58) throw NOT_JSON;
      i++;
      ws();
      const named = node.children.get(stringAt(keyStart, keyEnd));
      if (named === undefined && node.any === undefined) skipValue(); // off the plan: no label to copy
      else placed(named, node.any, s.slice(keyStart, keyEnd));
    } else placed(node.byIndex?.get(index), node.any, index);
    ws();
    const d = s.charCodeAt(i++);
    if (d === close) break;
    if (d !== 44) throw NOT_JSON;
    ws();
  }
  out += END;
}

/**
 * The body part of the reading key of `text` along `plan`, or undefined when the text is not a JSON object as
 * far as the skim follows it.
 */
export function bodyReadingKey(plan: ReadPlan, text: string): string | undefined {
  s = text;
  i = 0;
  out = '';
  try {
    ws();
    if (s.charCodeAt(i) !== 123) return undefined;
    visit(plan.root);
    ws();
    return i === s.length ? out : undefined;
  } catch (e) {
    if (e === NOT_JSON || e instanceof RangeError) return undefined;
    throw e;
  } finally {
    s = '';
  }
}

/** The header part of the reading key: for each name the plan reads, absent, or present with its tests' outcomes. */
export function headerReadingKey(plan: ReadPlan, get: (name: string) => string | null): string {
  let key = '';
  for (const h of plan.headers) key += headerPart(h.leaves, get(h.name));
  return key;
}

function headerPart(leaves: readonly Leaf[], v: string | null | undefined): string {
  if (v === null || v === undefined) return '-';
  let part = '+';
  for (const leaf of leaves) part += leaf.test(v) ? '1' : '0';
  return part;
}

/**
 * headerReadingKey of a `Headers`. Asked for each name, not read in one forEach pass: the pass is cheaper in a
 * hot loop but costs twice as much inside an application, where the code it runs is not in the CPU's caches.
 */
export function headersReadingKey(plan: ReadPlan, headers: Headers): string {
  let key = '';
  const list = plan.headers;
  for (let n = 0; n < list.length; n++) key += headerPart(list[n]!.leaves, headers.get(list[n]!.name));
  return key;
}
