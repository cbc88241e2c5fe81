/**
 * The reading key of a request: what the check reads of a JSON body text and of its headers, for one API, without
 * parsing the body. Two requests to the same URL with the same reading key get the same report
 * (the check is a pure function of what it reads), so an integration that found one clean can send the other at
 * once. This is what keeps pre-flight cheap inside an application: most requests differ only in prompt text,
 * which the check never reads.
 *
 * The key is read along the API's read plan: its signal trie (capability signals and request-rule tests), the
 * pointers where it keeps the model id, and the pointers of absent-key tests. For each place on the plan the key
 * holds the JSON type of the value there, the outcome of each leaf's test, and, where the check keeps the value
 * itself (the model id, every-hit tests), its JSON text. Everything off the plan is skipped: strings are jumped
 * over with indexOf, never copied or decoded. The body's key is built as 16-bit codes in a reused buffer; an
 * integration looks it up in its ReadingKeys as it is, and copies it out only to remember it.
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

/**
 * A read plan: its tree of nodes (as compiled), and the same as flat records, which the skim reads: a few typed
 * arrays and one string instead of objects spread over the heap. Inside an application the skim's data is not in
 * the CPU's caches, and the flat records took about a fifth off its added time in the AWS SDK call.
 */
export interface ReadPlan {
  root: PlanNode;
  /**
   * Node k (the root is 0) at [k * 8, k * 8 + 8): its first child record, its number of named children, its `*`
   * node (-1: none), 1 when arrays look its children up by index, its first leaf in `leaves`, its number of
   * leaves, 1 when the value is kept, 1 when the skim walks into the value.
   */
  nodes: Int32Array;
  /**
   * Child record j at [j * 4, j * 4 + 4): where its name starts in `names`, the name's length, its node, the
   * canonical array index the name spells (-1: none). A node's children are numbered from 0 in the plan's order.
   */
  children: Int32Array;
  names: string;
  leaves: readonly Leaf[];
  /** Per node, its child records by name (for member names written with escapes). */
  byName: ReadonlyArray<ReadonlyMap<string, number>>;
  /** Lower-cased header names the check reads, each with the leaves testing its value (none: only presence). */
  headers: ReadonlyArray<{ name: string; leaves: Leaf[] }>;
  /** The same, by lower-cased name. */
  headerLeaves: ReadonlyMap<string, Leaf[]>;
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
  const flat = flatten(root);
  // A child's number is one 16-bit code (CHILD + its number): a node with more children has no plan.
  for (let k = 1; k < flat.nodes.length; k += 8) if (CHILD + flat.nodes[k]! > 0xffff) return undefined;
  return { root, ...flat, headers: [...names].map(([name, leaves]) => ({ name, leaves })), headerLeaves: names };
}

/** The flat records of the tree at `root` (see ReadPlan). */
function flatten(root: PlanNode): Pick<ReadPlan, 'nodes' | 'children' | 'names' | 'leaves' | 'byName'> {
  const order: PlanNode[] = [];
  const number = new Map<PlanNode, number>();
  const visitNode = (node: PlanNode): void => {
    number.set(node, order.length);
    order.push(node);
    for (const kid of node.children.values()) visitNode(kid);
    if (node.any !== undefined) visitNode(node.any);
  };
  visitNode(root);
  const nodes = new Int32Array(order.length * 8);
  const children = new Int32Array(order.reduce((sum, node) => sum + node.children.size, 0) * 4);
  let names = '';
  const leaves: Leaf[] = [];
  const byName: Array<Map<string, number>> = [];
  let j = 0;
  order.forEach((node, k) => {
    nodes.set([j, node.children.size, node.any === undefined ? -1 : number.get(node.any)!, node.byIndex === undefined ? 0 : 1, leaves.length, node.leaves.length, node.raw ? 1 : 0, node.children.size > 0 || node.any !== undefined ? 1 : 0], k * 8);
    leaves.push(...node.leaves);
    const named = new Map<string, number>();
    for (const [name, kid] of node.children) {
      children.set([names.length, name.length, number.get(kid)!, CANONICAL_INDEX.test(name) ? Number(name) : -1], j * 4);
      names += name;
      named.set(name, j++);
    }
    byName.push(named);
  });
  return { nodes, children, names, leaves, byName };
}

// One skim at a time (it is synchronous): the text and the position in it, and the key being built, as 16-bit
// codes in a buffer that is reused (a key is copied out of it only to be kept; see ReadingKeys).
let s = '';
let i = 0;
let codes = new Uint16Array(512);
let n = 0;
/** The first backslash at or after escapeFrom (s.length: none). See escapedIn. */
let escapeFrom = 0;
let nextEscape = -1;

/** Bails out of a skim: the text does not have the structure of a JSON object. */
class NotJson {}
const NOT_JSON = new NotJson();

// The codes. Given the plan, a key reads back unambiguously: each value starts with its type; a container read
// along the plan lists its members or elements and ends with END; a member named on the plan is its child's
// number, a member read by `*` is KEPT_NAME with the name's length, an element is ELEMENT (every element is read)
// or AT with its index; a second reading of the same value by `*` starts with BY_ANY; each leaf adds FALSE or
// TRUE; a kept value adds KEPT with its text (its length, then its code units, as for KEPT_NAME's name).
const T_OBJECT = 1;
const T_ARRAY = 2;
const T_STRING = 3;
const T_TRUE = 4;
const T_FALSE = 5;
const T_NULL = 6;
const T_NUMBER = 7;
const END = 8;
const KEPT_NAME = 9;
const ELEMENT = 10;
const AT = 11;
const BY_ANY = 12;
const FALSE = 13;
const TRUE = 14;
const KEPT = 15;
/** The first child number (children are numbered in the plan's order). */
const CHILD = 16;
const OBJECT_PLACEHOLDER: object = Object.freeze({});
const ARRAY_PLACEHOLDER: object = Object.freeze([]);

function put(code: number): void {
  if (n === codes.length) {
    const more = new Uint16Array(codes.length * 2);
    more.set(codes);
    codes = more;
  }
  codes[n++] = code;
}

/** The text at [start, end): its length, then its code units. */
function keep(start: number, end: number): void {
  putCount(end - start);
  for (let k = start; k < end; k++) put(s.charCodeAt(k));
}

/** A length or index as two 16-bit codes. */
function putCount(count: number): void {
  put(count & 0xffff);
  put(count >>> 16);
}

/**
 * Whether the text has a backslash in [from, to). The first backslash at or after a position is searched for
 * once and reused while later questions start between the two (a skim moves forward but for re-reading a value).
 */
function escapedIn(from: number, to: number): boolean {
  if (from < escapeFrom || nextEscape < from) {
    const b = s.indexOf('\\', from);
    escapeFrom = from;
    nextEscape = b < 0 ? s.length : b;
  }
  return nextEscape < to;
}

/** Moves past whitespace; the code at the new position (NaN at the end). */
function ws(): number {
  let c = s.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++i);
  return c;
}

/** At an opening quote: moves past the closing one (a quote preceded by an even run of backslashes). */
function skipString(): void {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) throw NOT_JSON;
    if (!escapedIn(from, q)) {
      i = q + 1;
      return;
    }
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
function skipValue(c: number): void {
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
  if (!escapedIn(start + 1, end - 1)) return s.slice(start + 1, end - 1);
  try {
    return JSON.parse(s.slice(start, end)) as string;
  } catch {
    throw NOT_JSON;
  }
}

/** The value of the scalar token at [start, end), as JSON.parse gives it. */
function scalarAt(c: number, start: number, end: number): unknown {
  if (c === 34) return stringAt(start, end);
  if (c === 116) return true;
  if (c === 102) return false;
  if (c === 110) return null;
  return numberAt(start, end);
}

/**
 * The value of the number token at [start, end), as JSON.parse gives it. A decimal of up to 15 digits is read
 * digit by digit: its digits and its power of ten are exact doubles, so their quotient is the correctly rounded
 * value. Anything else goes to Number, which reads a JSON number as JSON.parse does (a token that is no JSON
 * number makes the text no JSON: whatever its key, such a body is sent unchecked either way; see the top).
 */
function numberAt(start: number, end: number): number {
  let k = start;
  const negative = s.charCodeAt(k) === 45;
  if (negative) k++;
  let value = 0;
  let scale = 1;
  let digits = 0;
  let point = false;
  for (; k < end; k++) {
    const d = s.charCodeAt(k);
    if (d >= 48 && d <= 57) {
      value = value * 10 + (d - 48);
      digits++;
      if (point) scale *= 10;
    } else if (d === 46 && !point) point = true;
    else return Number(s.slice(start, end));
  }
  if (digits === 0 || digits > 15) return Number(s.slice(start, end));
  return negative ? -(value / scale) : value / scale;
}

function typeCode(c: number): number {
  switch (c) {
    case 123:
      return T_OBJECT;
    case 91:
      return T_ARRAY;
    case 34:
      return T_STRING;
    case 116:
      return T_TRUE;
    case 102:
      return T_FALSE;
    case 110:
      return T_NULL;
    default:
      return T_NUMBER;
  }
}

// The plan being read, as its flat records (see ReadPlan).
let N: Int32Array = new Int32Array(0);
let C: Int32Array = new Int32Array(0);
let NAMES = '';
let LEAVES: readonly Leaf[] = [];
let BYNAME: ReadonlyArray<ReadonlyMap<string, number>> = [];

/** At a value whose first code is `c`: adds its reading along node `k` to the key and moves past it. */
function visit(k: number, c: number): void {
  if (c !== c) throw NOT_JSON;
  const start = i;
  put(typeCode(c));
  const base = k * 8;
  if ((c === 123 || c === 91) && N[base + 7] === 1) {
    if (c === 123) walkObject(k);
    else walkArray(k);
  } else skipValue(c);
  const count = N[base + 5]!;
  if (count > 0) {
    const value = c === 123 ? OBJECT_PLACEHOLDER : c === 91 ? ARRAY_PLACEHOLDER : scalarAt(c, start, i);
    const first = N[base + 4]!;
    for (let l = 0; l < count; l++) put(LEAVES[first + l]!.test(value) ? TRUE : FALSE);
  }
  if (N[base + 6] === 1) {
    put(KEPT);
    keep(start, i);
  }
}

/** The child record of node `k` for the member name token at [start, end); -1 when none. */
function memberChild(k: number, start: number, end: number): number {
  if (escapedIn(start + 1, end - 1)) return BYNAME[k]!.get(stringAt(start, end)) ?? -1;
  const length = end - start - 2;
  const first = N[k * 8]!;
  const last = first + N[k * 8 + 1]!;
  for (let j = first; j < last; j++) {
    if (C[j * 4 + 1] !== length) continue;
    const at = C[j * 4]!;
    let q = 0;
    while (q < length && NAMES.charCodeAt(at + q) === s.charCodeAt(start + 1 + q)) q++;
    if (q === length) return j;
  }
  return -1;
}

/** Past an opening bracket: the first code of the first entry; -1, past the closing bracket, when it is empty. */
function opened(close: number): number {
  i++;
  const c = ws();
  if (c !== close) return c;
  i++;
  put(END);
  return -1;
}

/** After an entry: the first code of the next; -1, past the closing bracket, after the last. */
function nextEntry(close: number): number {
  const c = ws();
  i++;
  if (c === close) {
    put(END);
    return -1;
  }
  if (c !== 44) throw NOT_JSON;
  return ws();
}

/** The value at the position (first code `c`) read along node `named`, then again along `any` (either may be -1). */
function visitBoth(named: number, any: number, c: number): void {
  if (named >= 0) {
    const at = i;
    visit(named, c);
    if (any < 0) return;
    put(BY_ANY);
    i = at;
  }
  visit(any, c);
}

/** At an object's opening brace: reads its members along node `k` and moves past it. */
function walkObject(k: number): void {
  const any = N[k * 8 + 2]!;
  const first = N[k * 8]!;
  for (let c = opened(125); c !== -1; c = nextEntry(125)) {
    if (c !== 34) throw NOT_JSON;
    const keyStart = i;
    skipString();
    const keyEnd = i;
    if (ws() !== 58) throw NOT_JSON;
    i++;
    c = ws();
    const j = memberChild(k, keyStart, keyEnd);
    if (j >= 0) {
      put(CHILD + (j - first));
      visitBoth(C[j * 4 + 2]!, any, c);
    } else if (any >= 0) {
      put(KEPT_NAME);
      keep(keyStart, keyEnd);
      visit(any, c);
    } else skipValue(c); // off the plan
  }
}

/** The node of node `k`'s child at array index `index`; -1 when none. */
function elementChild(k: number, index: number): number {
  const first = N[k * 8]!;
  const last = first + N[k * 8 + 1]!;
  for (let j = first; j < last; j++) if (C[j * 4 + 3] === index) return C[j * 4 + 2]!;
  return -1;
}

/** At an array's opening bracket: reads its elements along node `k` and moves past it. */
function walkArray(k: number): void {
  const any = N[k * 8 + 2]!;
  const byIndex = N[k * 8 + 3] === 1;
  let index = 0;
  for (let c = opened(93); c !== -1; c = nextEntry(93), index++) {
    const named = byIndex ? elementChild(k, index) : -1;
    if (named < 0 && any < 0) {
      skipValue(c); // off the plan
      continue;
    }
    if (byIndex) {
      put(AT);
      putCount(index);
    } else put(ELEMENT);
    visitBoth(named, any, c);
  }
}

/** The codes of the last skim as a string, in slices small enough to be spread as arguments. */
function codesText(): string {
  let text = '';
  for (let from = 0; from < n; from += 4096) text += String.fromCharCode.apply(null, codes.subarray(from, Math.min(n, from + 4096)) as unknown as number[]);
  return text;
}

/**
 * Skims `text` along `plan`: true when it reads as a JSON object, and then its reading key is the last skim's
 * (see ReadingKeys.hasLast and lastKey); false when it does not.
 */
export function skimBody(plan: ReadPlan, text: string): boolean {
  s = text;
  i = 0;
  n = 0;
  escapeFrom = 0;
  nextEscape = -1;
  try {
    if (ws() !== 123) return false;
    N = plan.nodes;
    C = plan.children;
    NAMES = plan.names;
    LEAVES = plan.leaves;
    BYNAME = plan.byName;
    visit(0, 123);
    ws();
    return i === s.length;
  } catch (e) {
    if (e === NOT_JSON || e instanceof RangeError) return false;
    throw e;
  } finally {
    s = '';
  }
}

/**
 * The body part of the reading key of `text` along `plan` as one string, or undefined when the text is not a JSON
 * object as far as the skim follows it. Two texts have the same string exactly when ReadingKeys takes their keys
 * for the same (it compares the same codes without making this string).
 */
export function bodyReadingKey(plan: ReadPlan, text: string): string | undefined {
  return skimBody(plan, text) ? codesText() : undefined;
}

/** A reading key held apart from the skim: the body's codes and the header part. */
export interface ReadingKey {
  readonly hash: number;
  readonly codes: Uint16Array;
  readonly headers: string;
}

/** The hash of the last skim's key with header part `headers` (FNV-1a over the codes and the header part's length). */
function lastHash(headers: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ codes[k]!, 0x01000193);
  return Math.imul(h ^ headers.length, 0x01000193) >>> 0;
}

/** The last skim's key with header part `headers`, copied out of the skim's buffers (to be kept). */
export function lastKey(headers: string): ReadingKey {
  return { hash: lastHash(headers), codes: codes.slice(0, n), headers };
}

/**
 * A bounded set of reading keys. Keys are found by their hash and then compared in full, so two keys are the same
 * only when everything they hold is: the set never takes one request for another.
 */
export class ReadingKeys {
  private readonly buckets = new Map<number, ReadingKey[]>();
  private count = 0;

  constructor(private readonly limit = 256) {}

  get size(): number {
    return this.count;
  }

  /** Whether the last skim's key, with header part `headers`, is in the set (nothing is copied or made). */
  hasLast(headers: string): boolean {
    const bucket = this.buckets.get(lastHash(headers));
    if (bucket === undefined) return false;
    for (const key of bucket) {
      if (key.codes.length !== n || key.headers !== headers) continue;
      let k = 0;
      while (k < n && key.codes[k] === codes[k]) k++;
      if (k === n) return true;
    }
    return false;
  }

  add(key: ReadingKey): void {
    if (this.count >= this.limit) this.clear();
    const bucket = this.buckets.get(key.hash);
    if (bucket === undefined) this.buckets.set(key.hash, [key]);
    else bucket.push(key);
    this.count++;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }
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

const SEP = '\u0001';

/**
 * The header part of the reading key of a plain record of headers (as the AWS SDK builds a request), read as the
 * check reads one: every own member, by its lower-cased name, an array by its first value. For each member the
 * plan reads, the key holds its name as written, the type of its value and its tests' outcomes.
 */
export function recordHeadersReadingKey(plan: ReadPlan, headers: object): string {
  let key = 'R';
  const byName = plan.headerLeaves;
  if (byName.size === 0) return key;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const leaves = byName.get(name.toLowerCase());
    if (leaves === undefined) continue;
    const raw: unknown = (headers as Record<string, unknown>)[name];
    const value: unknown = Array.isArray(raw) ? raw[0] : raw;
    key += SEP + name + SEP + (typeof value === 'string' ? 's' : value === null ? 'n' : typeof value);
    for (const leaf of leaves) key += leaf.test(value) ? '1' : '0';
  }
  return key;
}
