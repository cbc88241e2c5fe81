/**
 * Generic matchers for the request signals declared in rules/capabilities.yaml. Body signals of each API are
 * merged into one trie of pointer segments, so that detection walks only the parts of a body some signal looks
 * at (never prompt text), once, whatever the number of signals.
 */
import type { ApiId, CapabilityDef, SignalDef } from '../types.js';
import type { LinearRegex } from '../linear-regex.js';

export type ValueTest = (value: unknown) => boolean;

const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);

/** Whether `v`, lower-cased, starts with `lower` (lower-case ASCII); folds only the prefix when it is ASCII. */
function startsWithAsciiFolded(v: string, lower: string): boolean {
  if (v.length < lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = v.charCodeAt(i);
    if (c > 127) return v.toLowerCase().startsWith(lower); // Unicode case mapping can change lengths
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** How a `matches` pattern is compiled: JavaScript's engine for the built-in knowledge, RE2 for users' patterns. */
export type RegexCompiler = (source: string, ignoreCase: boolean) => LinearRegex;

const nativeRegex: RegexCompiler = (source, ignoreCase) => new RegExp(source, ignoreCase ? 'i' : '');

/** Builds the value test of a signal (or of a body-shape indicator): present, equals, oneOf, … */
export function compileValueTest(
  s: Pick<SignalDef, 'equals' | 'oneOf' | 'noneOf' | 'startsWith' | 'matches' | 'ignoreCase'>,
  regex: RegexCompiler = nativeRegex,
): ValueTest {
  const fold = s.ignoreCase === true;
  const norm = (v: unknown): unknown => (fold && typeof v === 'string' ? v.toLowerCase() : v);
  if (s.equals !== undefined) {
    const want = norm(s.equals);
    return (v) => norm(v) === want;
  }
  if (s.oneOf !== undefined) {
    const set = new Set(s.oneOf.map(norm));
    return (v) => set.has(norm(v));
  }
  if (s.noneOf !== undefined) {
    const set = new Set(s.noneOf.map(norm));
    return (v) => v !== undefined && v !== null && !set.has(norm(v));
  }
  if (s.startsWith !== undefined) {
    const prefixes = (Array.isArray(s.startsWith) ? s.startsWith : [s.startsWith]).map((p) => (fold ? p.toLowerCase() : p));
    if (fold && prefixes.every(isAscii)) {
      // Header values such as a bearer token can be long: fold only the prefix, not the whole value.
      return (v) => {
        if (typeof v !== 'string') return false;
        for (let i = 0; i < prefixes.length; i++) if (startsWithAsciiFolded(v, prefixes[i]!)) return true;
        return false;
      };
    }
    return (v) => {
      if (typeof v !== 'string') return false;
      const x = fold ? v.toLowerCase() : v;
      for (let i = 0; i < prefixes.length; i++) if (x.startsWith(prefixes[i]!)) return true;
      return false;
    };
  }
  if (s.matches !== undefined) {
    const re = regex(s.matches, fold);
    return (v) => typeof v === 'string' && re.test(v);
  }
  return (v) => v !== undefined && v !== null;
}

/** What a matching leaf reports: the capability (or any other id) and its index in the knowledge's order. */
export interface Leaf {
  id: string;
  index: number;
  test: ValueTest;
  /** For a leaf of a request-rule test: its slot, and whether every hit is kept (not just the first). */
  slot?: number;
  keepAll?: boolean;
}

export interface TrieNode {
  /** Named children (keys and nodes in parallel arrays, in the order the signals declare them). */
  keys: string[];
  children: TrieNode[];
  /** Each key's position in `keys`: an object's own keys are looked up here, not the other way round. */
  positions: Map<string, number>;
  /** For each key: its array index when it is a canonical non-negative integer, LAST for `-1`, else -1. */
  indices: number[];
  /** The `*` child: every element of an array or member of an object. */
  any: TrieNode | undefined;
  leaves: Leaf[];
}

/** A pattern segment `-1`: the last element of an array (on an object, the member named "-1"). */
export const LAST_SEGMENT = '-1';
const LAST = -2;

export const newTrieNode = (): TrieNode => ({ keys: [], children: [], positions: new Map(), indices: [], any: undefined, leaves: [] });

export function patternSegments(pattern: string): string[] {
  return pattern
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function addToTrie(root: TrieNode, pattern: string, leaf: Leaf): void {
  let node = root;
  for (const seg of patternSegments(pattern)) {
    if (seg === '*') node = node.any ??= newTrieNode();
    else {
      const i = node.positions.get(seg);
      if (i !== undefined) node = node.children[i]!;
      else {
        const next = newTrieNode();
        node.positions.set(seg, node.keys.length);
        node.keys.push(seg);
        node.children.push(next);
        node.indices.push(seg === LAST_SEGMENT ? LAST : /^(0|[1-9][0-9]{0,8})$/.test(seg) ? Number(seg) : -1);
        node = next;
      }
    }
  }
  node.leaves.push(leaf);
}

export const escapeSegment = (s: string): string =>
  s.indexOf('~') === -1 && s.indexOf('/') === -1 ? s : s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The own enumerable property `key` of an object (what JSON.stringify would send), else undefined.
 *
 * Why a for-in and not `obj[key]`: a property lookup with a key that varies, on objects of many shapes, goes
 * through V8's megamorphic stub cache, which an application's own code (an SDK's middleware, serializers,
 * HTTP client) keeps overwriting between two requests; then every such lookup takes the slow path. Inside a
 * for-in over the object itself, `obj[k]` is read through the object's enum cache instead. Bodies have few keys
 * at each level, so the scan is short; its cost is bounded by the size of the input.
 */
export function ownProperty(obj: object, key: string): unknown {
  for (const k in obj) {
    if (k !== key) continue;
    const v = (obj as Record<string, unknown>)[k];
    return Object.hasOwn(obj, k) ? v : undefined;
  }
  return undefined;
}

/** The value at a plain pointer's segments (array elements by canonical index, own properties), else undefined. */
export function valueAt(body: unknown, segments: readonly string[]): unknown {
  let v = body;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      if (s === LAST_SEGMENT) v = v[v.length - 1];
      else if (!/^(0|[1-9][0-9]*)$/.test(s)) return undefined;
      else v = v[Number(s)];
    } else v = ownProperty(v, s);
  }
  return v;
}

/**
 * Walks `value` along the trie and calls `hit` for each matching leaf with the walk's stack (the segments of the
 * match, valid during the call: `pointerOf` turns them into a pointer when the hit is kept). Depth is bounded by
 * the trie, not by the input. Named children are visited in the trie's order whatever the order of the object's keys (a capability's evidence is its first
 * signal in that order); only own enumerable properties count, as only those are serialized.
 */
export function walkTrie(
  node: TrieNode,
  value: unknown,
  stack: Array<string | number>,
  hit: (leaf: Leaf, at: ReadonlyArray<string | number>, value: unknown) => void,
): void {
  const leaves = node.leaves;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    if (leaf.test(value)) hit(leaf, stack, value);
  }
  // Bytes (an SDK input's Uint8Array) are one value, as their base64 text is in JSON.
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  const keys = node.keys;
  if (keys.length > 0 && Array.isArray(value)) {
    for (let i = 0; i < keys.length; i++) {
      const index = node.indices[i] === LAST ? value.length - 1 : node.indices[i]!;
      if (index < 0 || index >= value.length) continue;
      stack.push(index);
      walkTrie(node.children[i]!, value[index], stack, hit);
      stack.pop();
    }
  } else if (keys.length > 0) {
    // The object's children that the trie names, in the trie's order (insertion sort: objects have few keys).
    // Local to this call, so a getter that runs a check of its own during the walk cannot disturb it.
    const m: { positions: number[]; values: unknown[] } = { positions: [], values: [] };
    const positions = node.positions;
    let n = 0;
    for (const key in value) {
      const at = positions.get(key);
      if (at === undefined) continue;
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined || !Object.hasOwn(value, key)) continue;
      let j = n++;
      while (j > 0 && m.positions[j - 1]! > at) {
        m.positions[j] = m.positions[j - 1]!;
        m.values[j] = m.values[j - 1];
        j--;
      }
      m.positions[j] = at;
      m.values[j] = child;
    }
    for (let j = 0; j < n; j++) {
      const at = m.positions[j]!;
      const child = m.values[j];
      stack.push(keys[at]!);
      walkTrie(node.children[at]!, child, stack, hit);
      stack.pop();
    }
  }
  const any = node.any;
  if (any !== undefined) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        stack.push(i);
        walkTrie(any, value[i], stack, hit);
        stack.pop();
      }
    } else {
      for (const key in value) {
        const child = (value as Record<string, unknown>)[key];
        if (!Object.hasOwn(value, key)) continue;
        stack.push(key);
        walkTrie(any, child, stack, hit);
        stack.pop();
      }
    }
  }
}

/** The JSON Pointer of a place in the walk: `base` then the stack's segments. */
export function pointerOf(base: string, stack: ReadonlyArray<string | number>): string {
  let p = base;
  for (const s of stack) p += '/' + (typeof s === 'number' ? String(s) : escapeSegment(s));
  return p;
}

export interface HeaderSignal {
  leaf: Leaf;
}

/** The compiled signals of one API (or of requests whose API is unknown: then only header and model signals). */
export interface SignalSet {
  body: TrieNode;
  /** Lower-cased header name → leaves. */
  headers: Map<string, Leaf[]>;
  model: Leaf[];
}

export const trieIsEmpty = (n: TrieNode): boolean => n.keys.length === 0 && n.any === undefined && n.leaves.length === 0;

/** The signal set of one API (null: requests whose API is unknown, which get the api-independent signals only). */
export function compileSignalSet(capabilities: readonly CapabilityDef[], api: ApiId | null): SignalSet {
  {
    const set: SignalSet = { body: newTrieNode(), headers: new Map(), model: [] };
    capabilities.forEach((cap, index) => {
      for (const s of cap.signals) {
        if (s.apis !== undefined && (api === null || !s.apis.includes(api))) continue;
        const leaf: Leaf = { id: cap.id, index, test: compileValueTest(s) };
        if (s.body !== undefined) addToTrie(set.body, s.body, leaf);
        else if (s.header !== undefined) {
          const name = s.header.toLowerCase();
          set.headers.set(name, [...(set.headers.get(name) ?? []), leaf]);
        } else if (s.model === true) set.model.push(leaf);
      }
    });
    return set;
  }
}
