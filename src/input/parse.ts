/**
 * The input layer: user text → a value, and JSON Pointers → line/column.
 *
 * Positions: 1-based lines and columns. Line breaks are \n, \r\n and a lone \r. Columns count characters of the
 * line as JavaScript strings count them (UTF-16 code units: a character outside the BMP counts 2, a tab counts 1).
 * A leading BOM is not part of the text (column 1 is the first character after it).
 *
 * JSON (strict, RFC 8259) is parsed by `JSON.parse`; only when it throws (or a duplicate key or too deep a
 * nesting is possible) does jsonc-parser read the text to find the position and say what was expected and what was
 * found (json-problem.ts).
 *
 * Duplicate keys are detected soundly without a reviver or a tokenizer pass, by counting colons. In the text,
 * every ':' is either the separator of one object member or a character inside a string token. After JSON.parse,
 * count (a) the own properties of every object and (b) the ':' characters in every key and string value. If no
 * object has a duplicate key, the parsed tree mirrors the text one to one, so (a) + (b) equals the number of ':'
 * in the text (provided the text contains no `\u003a` escape, the only other way to write a colon; if it does,
 * the validator decides). If some object has a duplicate key, JSON.parse drops at least one member (and its
 * value's strings), so (a) + (b) is strictly smaller. Equal counts ⇔ no duplicates; only when they differ does
 * the validator run to name the key and its position. The same iterative walk bounds the depth.
 * locate() is lazy: the document itself ('') is its first non-whitespace character, known from the parse; any
 * other pointer's first call builds jsonc-parser's tree, later calls only walk down the pointer.
 *
 * YAML: the `yaml` package, YAML 1.2 core schema only (no 1.1 booleans/timestamps/merge keys, known tags like
 * !!set/!!binary are NOT resolved; any tag the core schema does not know is an error; tags never execute code).
 * Nesting depth is checked on yaml's CST (its parser is iterative) before composing, so deep input never reaches
 * the recursive composer. Duplicate keys (compared as the JS property names they become, so `1` and `"1"` are
 * duplicates) are checked in one iterative pass over the document, O(n) (yaml's own uniqueKeys is O(n²) per
 * map). Aliases: their targets are resolved in that pass; an alias inside its own anchor (a cycle) is an error,
 * depth is checked with aliases expanded, and expansion is bounded by toJS's `maxAliasCount`.
 *
 * `__proto__`, `constructor` and `prototype` keys are plain own data properties in both formats (JSON.parse and
 * yaml's toJS both use define semantics); nothing is ever assigned through a prototype.
 */
import type { Node as JsonNode } from 'jsonc-parser';
import type {
  Alias,
  CST,
  Document,
  Node as YamlNode,
  YAMLMap,
} from 'yaml';
import { findJsonProblem } from './json-problem.js';
import { jsoncLib, yamlLib } from './lazy.js';
import { PreflightInputError, type SourcePosition } from '../errors.js';
import { resolveLimits, strayBomError, tooLargeError, type InputLimits } from './read.js';

export {
  DEFAULT_LIMITS,
  STDIN_NAME,
  decodeInput,
  readInputFile,
  readInputFileSync,
  resolveLimits,
  type InputLimits,
} from './read.js';

export type InputFormat = 'json' | 'yaml';

export interface ParsedInput {
  /** The parsed document (always a plain object: anything else is an `E_INPUT_SHAPE` error). */
  value: unknown;
  format: InputFormat;
  /** The file name given to the parser (for messages). */
  file: string;
  /**
   * 1-based line/column of the key the pointer names (JSON: its opening quote; YAML: its first character, the
   * quote for a quoted key). If the pointer names an array element, the element's first character. If the
   * pointer does not exist, the start of the deepest existing enclosing object/array value. '' → start of the
   * document value. An invalid pointer (not starting with '/') is treated as ''. Computed lazily (the first
   * call builds an index), so a caller that never asks for a position pays nothing.
   */
  locate(pointer: string): SourcePosition;
}

type Positioner = (offset: number) => SourcePosition;

const parseError = (message: string, file: string, position: SourcePosition): PreflightInputError =>
  new PreflightInputError('E_INPUT_PARSE', message, { file, position });

// ---------------------------------------------------------------------------------------------------------------
// Format

/** `.json`/`.jsonl`/`.ndjson` → json, `.yaml`/`.yml` → yaml (case-insensitive), else undefined. */
export function formatFromName(file: string): InputFormat | undefined {
  const dot = file.lastIndexOf('.');
  if (dot < 0 || dot < file.lastIndexOf('/') || dot < file.lastIndexOf('\\')) return undefined;
  switch (file.slice(dot + 1).toLowerCase()) {
    case 'json':
    case 'jsonl':
    case 'ndjson':
      return 'json';
    case 'yaml':
    case 'yml':
      return 'yaml';
    default:
      return undefined;
  }
}

/** True for `.jsonl` / `.ndjson` names: such files hold one request per line (lint reads them line by line). */
export function isJsonLinesName(file: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(file);
}

/** Index of the first character that is not JSON whitespace (space, tab, \n, \r), or -1. */
function firstNonWhitespace(text: string): number {
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Positions

function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') === -1) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) starts.push(i + 1);
    else if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** offset → position, building the line table on first use; `firstLine` is the line number of offset 0. */
function positioner(text: string, firstLine = 1): Positioner {
  let starts: number[] | undefined;
  return (offset) => {
    starts ??= lineStarts(text);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + firstLine, column: offset - starts[lo]! + 1 };
  };
}

/** RFC 6901: '' → [], '/a~1b/c~0d' → ['a/b', 'c~d']; undefined when it does not start with '/'. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (pointer.charCodeAt(0) !== 0x2f) return undefined;
  const parts = pointer.slice(1).split('/');
  if (pointer.indexOf('~') === -1) return parts;
  return parts.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const arrayIndex = (segment: string): number => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1);

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof v;
  }
}

function shapeError(value: unknown, file: string, position: SourcePosition): PreflightInputError {
  return new PreflightInputError(
    'E_INPUT_SHAPE',
    `expected the top-level value to be an object, found ${describeValue(value)}`,
    { file, position },
  );
}

function depthError(maxDepth: number, file: string, position: SourcePosition, via = ''): PreflightInputError {
  return new PreflightInputError(
    'E_INPUT_LIMIT',
    `nesting too deep: objects/arrays may be nested at most ${maxDepth} levels (maxDepth = ${maxDepth})${via}`,
    { file, position },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/**
 * Parses one document. Format: `options.format`, else by the file's extension, else by content (first
 * non-whitespace character `{` or `[` → JSON, else YAML). JSON is always strict. The top-level value must be an
 * object. Throws PreflightInputError (E_INPUT_PARSE / E_INPUT_SHAPE / E_INPUT_LIMIT), always with `position`
 * except for the size limit.
 */
export function parseInput(
  text: string,
  file: string,
  options: { format?: InputFormat; limits?: Partial<InputLimits>; firstLine?: number } = {},
): ParsedInput {
  const limits = resolveLimits(options.limits);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.charCodeAt(0) === 0xfeff) throw strayBomError(file);
  checkSize(text, file, limits.maxBytes);
  const first = firstNonWhitespace(text);
  const format = options.format ?? formatFromName(file) ?? sniffFormat(text, first);
  if (first === -1) throw emptyError(text, file, format, options.format !== undefined || formatFromName(file) !== undefined);
  // `firstLine`: the text's first line in its file (a line of JSON Lines), so that every position and message counts from it.
  const pos = positioner(text, options.firstLine);
  return format === 'json' ? parseJson(text, file, limits, pos, first) : parseYaml(text, file, limits, pos);
}

function checkSize(text: string, file: string, maxBytes: number): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only count bytes when the text could be over the limit.
  if (text.length * 3 <= maxBytes) return;
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) throw tooLargeError(file, maxBytes);
}

function sniffFormat(text: string, first: number): InputFormat {
  const c = first === -1 ? 0 : text.charCodeAt(first);
  return c === 0x7b || c === 0x5b ? 'json' : 'yaml';
}

function emptyError(text: string, file: string, format: InputFormat, known: boolean): PreflightInputError {
  const what = known ? (format === 'json' ? 'a JSON document' : 'a YAML document') : 'a JSON or YAML document';
  const message =
    text.length === 0
      ? `empty input: expected ${what}, found nothing`
      : `input contains only whitespace: expected ${what}, found nothing`;
  return parseError(message, file, { line: 1, column: 1 });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

function parseJson(text: string, file: string, limits: InputLimits, pos: Positioner, first: number): ParsedInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw validateJson(text, file, limits.maxDepth, pos) ?? jsonParseFallback(e, file, pos);
  }
  const counted = countJsonValue(value, limits.maxDepth);
  if (counted < 0) {
    // Too deep: the validator finds the bracket (JSON.parse itself is iterative in V8, 10^6 levels are fine).
    throw validateJson(text, file, limits.maxDepth, pos) ?? depthError(limits.maxDepth, file, pos(first));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw shapeError(value, file, pos(first));
  if (counted !== countTextColons(text)) {
    // Duplicate keys (or a \u003a escape, where the counts prove nothing): the validator decides.
    const problem = validateJson(text, file, limits.maxDepth, pos);
    if (problem) throw problem;
  }
  return jsonParsed(text, file, value, pos, first);
}

function colonsIn(s: string): number {
  let c = 0;
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) c++;
  return c;
}

/**
 * Every ':' of the text, or -1 when the text contains a \u003a escape (a colon in a parsed string that is not
 * a colon of the text).
 */
function countTextColons(text: string): number {
  if (text.indexOf('\\u003') !== -1 && /\\u003a/i.test(text)) return -1;
  return colonsIn(text);
}

/**
 * For a value from JSON.parse: the number of object members plus the number of ':' in all keys and strings,
 * or -1 when objects/arrays nest deeper than maxDepth (iterative). With no \u003a escape in the text, this
 * equals the number of ':' in the text exactly when no object has a duplicate key (see the top of the file).
 */
function countJsonValue(root: unknown, maxDepth: number): number {
  if (typeof root !== 'object' || root === null) return typeof root === 'string' ? colonsIn(root) : 0;
  if (maxDepth < 1) return -1;
  let count = 0;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const d = depths.pop()! + 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e === 'string') count += colonsIn(e);
        else if (typeof e === 'object' && e !== null) {
          if (d > maxDepth) return -1;
          stack.push(e);
          depths.push(d);
        }
      }
    } else {
      const keys = Object.keys(v);
      count += keys.length;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        count += colonsIn(k);
        const e: unknown = (v as Record<string, unknown>)[k];
        if (typeof e === 'string') count += colonsIn(e);
        else if (typeof e === 'object' && e !== null) {
          if (d > maxDepth) return -1;
          stack.push(e);
          depths.push(d);
        }
      }
    }
  }
  return count;
}

function jsonParseFallback(e: unknown, file: string, pos: Positioner): PreflightInputError {
  const message = e instanceof Error ? e.message : String(e);
  const m = /at position (\d+)/.exec(message);
  return parseError(`invalid JSON: ${message.split('\n')[0]}`, file, pos(m ? Number(m[1]) : 0));
}

/** The first problem of a JSON text (syntax, depth, duplicate key) as an error, or undefined when it has none. */
function validateJson(text: string, file: string, maxDepth: number, pos: Positioner): PreflightInputError | undefined {
  const problem = findJsonProblem(text, maxDepth, pos);
  if (problem === undefined) return undefined;
  if (problem.tooDeep) return depthError(maxDepth, file, pos(problem.offset));
  return parseError(problem.message, file, pos(problem.offset));
}

/** `first`: the offset of the top-level value, where the document's own findings (pointer '') are placed. */
function jsonParsed(text: string, file: string, value: unknown, pos: Positioner, first: number): ParsedInput {
  let root: JsonNode | undefined;
  let built = false;
  return {
    value,
    format: 'json',
    file,
    locate(pointer: string): SourcePosition {
      if (pointer === '') return pos(first);
      if (!built) {
        root = jsoncLib().parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
        built = true;
      }
      if (!root) return pos(0);
      return pos(locateJson(root, parsePointer(pointer) ?? []));
    },
  };
}

/** Offset for a pointer in a jsonc-parser tree (see ParsedInput.locate). */
function locateJson(root: JsonNode, segments: string[]): number {
  let node = root;
  let container = root; // the deepest object/array on the way
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (node.type === 'object') {
      container = node;
      let prop: JsonNode | undefined;
      for (const p of node.children ?? []) {
        if (p.children?.[0]?.value === seg) prop = p; // the last one wins, like JSON.parse (no duplicates anyway)
      }
      const keyNode = prop?.children?.[0];
      const valueNode = prop?.children?.[1];
      if (!keyNode) return node.offset;
      if (last || !valueNode) return keyNode.offset;
      node = valueNode;
    } else if (node.type === 'array') {
      container = node;
      const el = node.children?.[arrayIndex(seg)];
      if (!el) return node.offset;
      if (last) return el.offset;
      node = el;
    } else {
      return container.offset;
    }
  }
  return node.offset;
}

// ---------------------------------------------------------------------------------------------------------------
// YAML

const YAML_OPTIONS = {
  version: '1.2',
  schema: 'core',
  resolveKnownTags: false, // no !!set / !!omap / !!binary / !!timestamp: plain JSON-like values only
  merge: false,
  uniqueKeys: false, // checked below in O(n)
  prettyErrors: false,
  strict: true,
  logLevel: 'error', // never print warnings to the console
  intAsBigInt: false,
  keepSourceTokens: false,
} as const;

function parseYaml(text: string, file: string, limits: InputLimits, pos: Positioner): ParsedInput {
  const tokens = Array.from(new (yamlLib().Parser)().parse(text));
  const tooDeep = cstTooDeep(tokens, limits.maxDepth);
  if (tooDeep >= 0) throw depthError(limits.maxDepth, file, pos(tooDeep));

  let docs: Document.Parsed[];
  try {
    docs = Array.from(new (yamlLib().Composer)(YAML_OPTIONS).compose(tokens));
  } catch (e) {
    if (e instanceof RangeError) throw depthError(limits.maxDepth, file, pos(0));
    throw e;
  }
  const doc = docs[0];
  if (!doc) {
    throw parseError('input contains no YAML document (only comments or whitespace): expected a mapping', file, pos(0));
  }
  const error = doc.errors[0];
  if (error) throw parseError(yamlMessage(error.message), file, pos(error.pos[0]));
  const tagWarning = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tagWarning) {
    const tag = text.slice(tagWarning.pos[0], tagWarning.pos[1]).trim() || 'tag';
    throw parseError(
      `unsupported YAML tag ${tag}: expected plain YAML 1.2 values (strings, numbers, booleans, null, mappings, sequences)`,
      file,
      pos(tagWarning.pos[0]),
    );
  }
  const second = docs[1];
  if (second) {
    const at = second.range[0];
    throw parseError('expected a single YAML document, found a second document', file, pos(at));
  }

  const info = checkYamlDocument(doc, file, limits.maxDepth, pos);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const firstAlias = info.firstAlias?.range?.[0] ?? 0;
    if (e instanceof RangeError) throw depthError(limits.maxDepth, file, pos(firstAlias));
    if (/alias/i.test(message)) {
      throw new PreflightInputError(
        'E_INPUT_LIMIT',
        `too many YAML alias expansions (maxAliasCount = ${limits.maxAliasCount}); the document expands aliases excessively (e.g. a "billion laughs" alias bomb)`,
        { file, position: pos(firstAlias) },
      );
    }
    throw parseError(yamlMessage(message), file, pos(0));
  }
  const contentStart = doc.contents?.range?.[0] ?? 0;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw shapeError(value, file, pos(contentStart));
  return {
    value,
    format: 'yaml',
    file,
    locate(pointer: string): SourcePosition {
      return pos(locateYaml(doc, info.aliasTargets, parsePointer(pointer) ?? []));
    },
  };
}

function yamlMessage(message: string): string {
  const line = message.split('\n')[0]!.trim();
  return `invalid YAML: ${line.charAt(0).toLowerCase()}${line.slice(1)}`;
}

/** Offset of the first collection in yaml's CST nested deeper than maxDepth, or -1 (iterative). */
function cstTooDeep(tokens: CST.Token[], maxDepth: number): number {
  const stack: Array<[CST.Token, number]> = [];
  for (const t of tokens) if (t.type === 'document' && t.value) stack.push([t.value, 0]);
  while (stack.length > 0) {
    const [t, d] = stack.pop()!;
    if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection') continue;
    const depth = d + 1;
    if (depth > maxDepth) return t.offset;
    for (const item of t.items as CST.CollectionItem[]) {
      if (item.key) stack.push([item.key, depth]);
      if (item.value) stack.push([item.value, depth]);
    }
  }
  return -1;
}

/** The JS property name a YAML key becomes (as yaml's toJS does it for scalars: null → ''). */
function keyString(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

interface YamlInfo {
  aliasTargets: Map<Alias, YamlNode>;
  firstAlias: Alias | undefined;
}

interface YamlFrame {
  node: YamlNode | null | undefined;
  depth: number; // collections enclosing this node
  keys: Map<string, number> | undefined; // set when the node is a key of a map
  keyAt: number; // position of an empty (null) key
  exit: boolean;
  parent: YamlFrame | undefined; // for heights
  height: number; // max effective height of the children seen so far
}

/**
 * One iterative pass over the composed document, in document order: keys must be scalars (or aliases of
 * scalars), unique as JS property names; aliases are resolved (the last anchor of that name before them) and may
 * not sit inside their own anchor; the nesting depth with aliases expanded must stay within maxDepth.
 */
function checkYamlDocument(doc: Document.Parsed, file: string, maxDepth: number, pos: Positioner): YamlInfo {
  const anchors = new Map<string, YamlNode>();
  const aliasTargets = new Map<Alias, YamlNode>();
  const heights = new Map<YamlNode, number>();
  const active = new Set<YamlNode>(); // collections being visited (ancestors)
  let firstAlias: Alias | undefined;
  const at = offsetOf;
  const stack: YamlFrame[] = [{ node: doc.contents as YamlNode | null, depth: 0, keys: undefined, keyAt: 0, exit: false, parent: undefined, height: 0 }];
  const checkKey = (keys: Map<string, number>, key: string, offset: number) => {
    const previous = keys.get(key);
    if (previous !== undefined) {
      const p = pos(previous);
      throw parseError(`duplicate key ${JSON.stringify(key)} (first defined at line ${p.line}, column ${p.column})`, file, pos(offset));
    }
    keys.set(key, offset);
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const node = frame.node;
    if (frame.exit) {
      const h = 1 + frame.height;
      heights.set(node!, h);
      active.delete(node!);
      if (frame.parent && h > frame.parent.height) frame.parent.height = h;
      continue;
    }
    if (!node) {
      if (frame.keys) checkKey(frame.keys, '', frame.keyAt); // an empty key: the property name ''
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    let target: YamlNode | undefined;
    if (yamlLib().isAlias(node)) {
      firstAlias ??= node;
      target = anchors.get(node.source);
      if (!target) {
        throw parseError(`unknown YAML alias *${node.source}: expected an anchor &${node.source} before it`, file, pos(at(node)));
      }
      if (active.has(target)) {
        throw parseError(`YAML alias *${node.source} refers to a node that contains it (a recursive structure)`, file, pos(at(node)));
      }
      aliasTargets.set(node, target);
      const h = heights.get(target) ?? 0;
      if (frame.depth + h > maxDepth) throw depthError(maxDepth, file, pos(at(node)), ` (through alias *${node.source})`);
      if (frame.parent && h > frame.parent.height) frame.parent.height = h;
    }
    if (frame.keys) {
      const keyNode = target ?? node;
      if (!yamlLib().isScalar(keyNode)) {
        throw parseError(
          `expected a scalar (string or number) as a mapping key, found a ${yamlLib().isSeq(keyNode) ? 'sequence' : 'mapping'}`,
          file,
          pos(at(node)),
        );
      }
      checkKey(frame.keys, keyString(keyNode.value), at(node));
    }
    if (yamlLib().isMap(node) || yamlLib().isSeq(node)) {
      const depth = frame.depth + 1;
      if (depth > maxDepth) throw depthError(maxDepth, file, pos(at(node)));
      active.add(node);
      frame.exit = true;
      stack.push(frame); // revisit on the way out
      stack.push(...childFrames(node, depth, frame));
    }
  }
  return { aliasTargets, firstAlias };
}

const offsetOf = (node: YamlNode | null | undefined): number => node?.range?.[0] ?? 0;

/** The frames of a collection's children, last first (the order a stack pops them in document order). */
function childFrames(node: YamlNode, depth: number, parent: YamlFrame): YamlFrame[] {
  const frame = (child: YamlNode | null | undefined, keys?: Map<string, number>, keyAt = 0): YamlFrame => ({ node: child, depth, keys, keyAt, exit: false, parent, height: 0 });
  const items = (node as { items: unknown[] }).items;
  const out: YamlFrame[] = [];
  if (!yamlLib().isMap(node)) {
    for (let i = items.length - 1; i >= 0; i--) out.push(frame(items[i] as YamlNode | null));
    return out;
  }
  const keys = new Map<string, number>();
  for (let i = items.length - 1; i >= 0; i--) {
    const pair = items[i];
    if (!yamlLib().isPair(pair)) continue;
    out.push(frame(pair.value as YamlNode | null));
    const key = pair.key as YamlNode | null | undefined;
    out.push(frame(key, keys, key ? 0 : offsetOf(pair.value as YamlNode | null) || offsetOf(node)));
  }
  return out;
}

/** Offset for a pointer in a yaml document (see ParsedInput.locate). */
function locateYaml(doc: Document.Parsed, aliasTargets: Map<Alias, YamlNode>, segments: string[]): number {
  const resolve = (n: unknown): YamlNode | undefined => {
    const node = n as YamlNode | null | undefined;
    if (node && yamlLib().isAlias(node)) return aliasTargets.get(node);
    return node ?? undefined;
  };
  const start = (n: unknown): number => (n as YamlNode | null | undefined)?.range?.[0] ?? 0;
  const root = doc.contents as YamlNode | null;
  let node = resolve(root);
  if (!node) return 0;
  let container = node;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (yamlLib().isMap(node)) {
      container = node;
      let pair: { key: unknown; value: unknown } | undefined;
      for (const p of (node as YAMLMap<unknown, unknown>).items) {
        const k = resolve(p.key);
        const name = p.key === null || p.key === undefined ? '' : k && yamlLib().isScalar(k) ? keyString(k.value) : undefined;
        if (name === seg) pair = p;
      }
      if (!pair) return start(node);
      if (last) return pair.key ? start(pair.key) : start(pair.value) || start(node);
      const next = resolve(pair.value);
      if (!next) return start(pair.key) || start(node);
      node = next;
    } else if (yamlLib().isSeq(node)) {
      container = node;
      const el = node.items[arrayIndex(seg)];
      if (el === undefined) return start(node);
      if (last) return start(el);
      const next = resolve(el);
      if (!next) return start(node);
      node = next;
    } else {
      return start(container);
    }
  }
  return segments.length === 0 ? start(root) : start(node);
}
