/**
 * Detection: from an HTTP envelope or a bare body to facts (endpoint, region, API, model, capabilities) and the
 * evidence for each (a JSON Pointer into the input as given). Everything it knows comes from the knowledge:
 * host templates, operation paths, body-shape indicators and capability signals.
 *
 * Everything is compiled once (compileDetector); a detection keeps its state in locals, so it is re-entrant.
 */
import { PreflightInputError } from '../errors.js';
import type { ApiId, CapabilityUse, CheckOptions, EndpointId, Facts, Knowledge, OtherOperationDef } from '../types.js';
import { addToTrie, compileSignalSet, compileValueTest, escapeSegment, newTrieNode, pointerOf, trieIsEmpty, valueAt, walkTrie, type Leaf, type SignalSet, type TrieNode } from './signals.js';
import { compileModelClassifier, type ModelClass } from './models.js';
import { lifecycleRules } from '../compile/lifecycle.js';
import { compileRequestTests, NO_HITS, pointerAt, type CompiledRequestTests, type SlotHits, type TestContext, type Where } from './request-tests.js';
import { compileUrlReader, type UrlReader } from './url.js';

/** Said after a flag in messages that library callers see too (serve drops it for its query parameters). */
export const LIBRARY_HINT = ' (in the library: the endpoint option)';

export { splitUrl } from './url.js';

/** How the API was determined, for the report's findings. */
export type ApiSource =
  | { kind: 'override' }
  | { kind: 'path' }
  | { kind: 'shape'; why: string; decisive: boolean }
  | { kind: 'none' };

export interface Detection {
  facts: Facts;
  evidence: CapabilityUse[];
  apiSource: ApiSource;
  /** The JSON Pointer of where the API was read (the URL, or the body), if anywhere. */
  apiPath: string | undefined;
  isEnvelope: boolean;
  /** The URL path, when it names no known operation. */
  unrecognizedPath: string | undefined;
  /** Where the model id was read (a JSON Pointer), if from the input. */
  modelPath: string | undefined;
  /** The operation outside the five APIs that the URL names, if any. */
  otherOperation: OtherOperationDef | undefined;
  /** Evidence of each request-shape rule whose test holds, by rule id ('' when it has no position). */
  signalEvidence: Map<string, string> | undefined;
}

export interface Detector {
  detect(input: unknown, options?: CheckOptions): Detection;
  /** Resolves an endpoint id or alias (`runtime`, `mantle`); undefined when unknown. */
  endpointId(name: string): EndpointId | undefined;
  apiId(name: string): ApiId | undefined;
}

/** The compiled signals and request-rule tests of one API (or of none: `null`). */
interface ApiSignals {
  set: SignalSet;
  tests: CompiledRequestTests | undefined;
  /** Where the API's bodies keep the model id. */
  modelPointers: ReadonlyArray<{ pointer: string; segments: string[] }>;
}

interface ShapeScorer {
  api: ApiId;
  trie: TrieNode;
  indicators: Array<{ weight: number; decisive: boolean; why: string }>;
}

/** Everything a detection reads, compiled once from the knowledge. */
interface Compiled {
  readUrl: UrlReader;
  endpointNames: ReadonlyMap<string, EndpointId>;
  apiIds: ReadonlySet<string>;
  shapes: ShapeScorer[];
  /** The signals of one API, compiled the first time a request of that API is detected. */
  signalsOf: (api: ApiId | null) => ApiSignals;
  classify: (model: string) => ModelClass;
  capIds: string[];
  implies: number[][];
}

/** Where the request is going and how its API and model were found: everything before the capabilities. */
interface Target {
  endpoint: EndpointId;
  region: string | null;
  api: ApiId | null;
  operation: string | null;
  route: string | null;
  model: string | null;
  modelPath: string | undefined;
  apiSource: ApiSource;
  apiPath: string | undefined;
  other: OtherOperationDef | undefined;
  unrecognizedPath: string | undefined;
}

/** A request as detection reads it. */
interface Request {
  isEnvelope: boolean;
  doc: Record<string, unknown>;
  body: unknown;
  /** The JSON Pointer of the body in the input ('' for a bare body). */
  base: string;
}

/** What one walk of a request's body, headers and model recorded. */
interface Recorded {
  found: Array<string | undefined>;
  hits: SlotHits;
  headerNames: Set<string> | undefined;
}

const FROM_PATH: ApiSource = Object.freeze({ kind: 'path' });
const FROM_OVERRIDE: ApiSource = Object.freeze({ kind: 'override' });
const FROM_NOWHERE: ApiSource = Object.freeze({ kind: 'none' });

export function compileDetector(k: Knowledge): Detector {
  const c = compileKnowledge(k);
  return {
    detect: (input, options = {}) => detect(c, input, options),
    endpointId: (name) => c.endpointNames.get(name),
    apiId: (name) => (c.apiIds.has(name) ? (name as ApiId) : undefined),
  };
}

function compileKnowledge(k: Knowledge): Compiled {
  const endpointNames = new Map<string, EndpointId>();
  for (const e of k.endpoints) {
    endpointNames.set(e.id, e.id);
    for (const a of e.aliases) endpointNames.set(a, e.id);
  }
  const capIndex = new Map(k.capabilities.map((cap, i) => [cap.id, i]));
  // Compiled on first use: a CLI run that checks one file pays for its API only (a quarter of start-up otherwise).
  const signals = new Map<ApiId | null, ApiSignals>();
  const signalsOf = (api: ApiId | null): ApiSignals => {
    let s = signals.get(api);
    if (s === undefined) signals.set(api, (s = compileApiSignals(k, api, capIndex)));
    return s;
  };
  return {
    readUrl: compileUrlReader(k),
    endpointNames,
    apiIds: new Set(k.apis.map((a) => a.id)),
    shapes: compileShapeScorers(k),
    signalsOf,
    classify: compileModelClassifier(k.models),
    capIds: k.capabilities.map((cap) => cap.id),
    implies: k.capabilities.map((cap) => cap.implies.map((id) => capIndex.get(id)!)),
  };
}

/** The API's capability signals and request-rule tests, merged into one trie so that one walk finds both. */
function compileApiSignals(k: Knowledge, api: ApiId | null, capIndex: ReadonlyMap<string, number>): ApiSignals {
  const set = compileSignalSet(k.capabilities, api);
  const def = k.apis.find((a) => a.id === api);
  const modelPointers = (def?.model ?? []).filter((m) => m !== 'path').map((m) => ({ pointer: m, segments: m.slice(1).split('/') }));
  if (api === null) return { set, tests: undefined, modelPointers };
  // A rule limited to some model families cannot fire for another family's request: its test is not run.
  const families = ruleFamilies(k);
  const tests = compileRequestTests([...k.requestRules, ...lifecycleRules(k.models, [api])], api, k.capabilities.length, capIndex, Date.now, (r) => families.get(r.id));
  for (const b of tests.bodyLeaves) addToTrie(set.body, b.pattern, b.leaf);
  for (const h of tests.headerLeaves) set.headers.set(h.header, [...(set.headers.get(h.header) ?? []), h.leaf]);
  return { set, tests, modelPointers };
}

/**
 * The model families each request rule is limited to, read from its compiled rule (`request/<id>`, whose
 * modelFamily condition the build computed): no family pattern is compiled at run time.
 */
function ruleFamilies(k: Knowledge): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const r of k.rules) {
    if (!r.name.startsWith('request/') || !('all' in r.conditions)) continue;
    for (const c of r.conditions.all) {
      if ('fact' in c && c.fact === 'modelFamily' && c.operator === 'in') out.set(r.name.slice('request/'.length), new Set(c.value as string[]));
    }
  }
  return out;
}

function compileShapeScorers(k: Knowledge): ShapeScorer[] {
  return k.apis.map((a) => {
    const trie: TrieNode = newTrieNode();
    a.shape.forEach((ind, index) => addToTrie(trie, ind.body, { id: a.id, index, test: compileValueTest(ind.oneOf ? { oneOf: ind.oneOf } : {}) }));
    return { api: a.id, trie, indicators: a.shape.map((s) => ({ weight: s.weight, decisive: s.decisive === true, why: s.why })) };
  });
}

function detect(c: Compiled, input: unknown, options: CheckOptions): Detection {
  const request = readRequest(input);
  const target = findTarget(c, request, options);
  const apiSignals = c.signalsOf(target.api);
  const recorded = recordSignals(apiSignals, request, target);
  const evidence = capabilityEvidence(c, recorded.found);
  const cls = target.model === null ? undefined : c.classify(target.model);
  const { signals, signalEvidence } = requestSignals(apiSignals.tests, request, recorded, { model: cls?.base ?? null, modelPath: target.modelPath, family: cls?.family ?? null });
  const facts: Facts = {
    endpoint: target.endpoint,
    api: target.api,
    model: target.model,
    region: target.region,
    operation: target.operation,
    capabilities: evidence.map((e) => e.id),
    modelFamily: cls?.family ?? null,
    modelForm: cls?.form ?? null,
    route: target.route,
    signals,
  };
  return {
    facts,
    evidence,
    apiSource: target.apiSource,
    apiPath: target.apiPath,
    isEnvelope: request.isEnvelope,
    unrecognizedPath: target.unrecognizedPath,
    modelPath: target.modelPath,
    otherOperation: target.other,
    signalEvidence,
  };
}

function readRequest(input: unknown): Request {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new PreflightInputError('E_INPUT_SHAPE', `expected a request object (an HTTP envelope or a body), found ${describe(input)}`);
  }
  const doc = input as Record<string, unknown>;
  const isEnvelope = typeof doc['url'] === 'string';
  let body: unknown = isEnvelope ? doc['body'] : doc;
  if (isEnvelope && typeof body === 'string') body = parseBodyString(body);
  return { isEnvelope, doc, body, base: isEnvelope ? '/body' : '' };
}

/** Endpoint and Region from the URL's host, API, operation and model from its path, then the options over them. */
function findTarget(c: Compiled, request: Request, options: CheckOptions): Target {
  const u = request.isEnvelope ? c.readUrl(request.doc['url'] as string) : undefined;
  const t: Target = {
    endpoint: resolveEndpoint(c, u?.endpoint, u?.host, options),
    region: options.region ?? u?.region ?? null,
    api: u?.api ?? null,
    operation: u?.operation ?? null,
    route: u?.route ?? null,
    model: u?.model ?? null,
    modelPath: u?.model != null ? '/url' : undefined,
    apiSource: u?.api != null ? FROM_PATH : FROM_NOWHERE,
    apiPath: u?.api != null ? '/url' : undefined,
    other: u?.other,
    unrecognizedPath: u !== undefined && u.operation === null ? u.path : undefined,
  };
  resolveApi(c, t, request, options);
  resolveModel(c, t, request, options);
  return t;
}

function resolveEndpoint(c: Compiled, fromHost: EndpointId | undefined, host: string | undefined, options: CheckOptions): EndpointId {
  if (options.endpoint !== undefined) {
    const e = c.endpointNames.get(options.endpoint);
    if (!e) throw new PreflightInputError('E_UNKNOWN_ID', `unknown endpoint "${options.endpoint}" (expected bedrock-runtime, bedrock-mantle, runtime or mantle)`);
    return e;
  }
  if (fromHost !== undefined) return fromHost;
  throw new PreflightInputError(
    'E_UNKNOWN_ENDPOINT',
    host !== undefined
      ? `the URL host "${host}" is neither bedrock-runtime nor bedrock-mantle; pass --endpoint${LIBRARY_HINT}`
      : `a bare request body does not say its endpoint; pass --endpoint runtime or --endpoint mantle${LIBRARY_HINT}`,
  );
}

/** The API: --api, else the URL path (already in `t`), else the body's shape. */
function resolveApi(c: Compiled, t: Target, request: Request, options: CheckOptions): void {
  if (options.api !== undefined) {
    if (!c.apiIds.has(options.api)) throw new PreflightInputError('E_UNKNOWN_ID', `unknown api "${options.api}" (expected ${[...c.apiIds].join(', ')})`);
    t.api = options.api as ApiId;
    t.apiSource = FROM_OVERRIDE;
    t.apiPath = undefined;
    return;
  }
  if (t.api !== null || t.other !== undefined) return;
  const shape = scoreShape(c.shapes, request.body);
  if (shape) {
    t.api = shape.api;
    t.apiSource = { kind: 'shape', why: shape.why, decisive: shape.decisive };
    t.apiPath = request.base;
  }
}

/** The model: --model, else the URL path (already in `t`), else the body fields the API keeps it in. */
function resolveModel(c: Compiled, t: Target, request: Request, options: CheckOptions): void {
  if (options.model !== undefined) {
    t.model = options.model;
    t.modelPath = undefined;
    return;
  }
  const body = request.body;
  if (t.model !== null || t.api === null || body === null || typeof body !== 'object') return;
  for (const where of c.signalsOf(t.api).modelPointers) {
    const v = valueAt(body, where.segments);
    if (typeof v === 'string') {
      t.model = v;
      t.modelPath = request.base + where.pointer;
      return;
    }
  }
}

/** The API whose shape indicators the body matches best (a decisive one wins), if any. */
function scoreShape(shapes: readonly ShapeScorer[], body: unknown): { api: ApiId; why: string; decisive: boolean } | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  let best: { api: ApiId; score: number; why: string; decisive: boolean } | undefined;
  for (const s of shapes) {
    const seen = new Set<number>();
    walkTrie(s.trie, body, [], (leaf) => seen.add(leaf.index));
    if (seen.size === 0) continue;
    let score = 0;
    let top = -1;
    let decisive = false;
    for (const i of seen) {
      const ind = s.indicators[i]!;
      score += ind.weight;
      if (ind.decisive) decisive = true;
      if (top < 0 || ind.weight > s.indicators[top]!.weight) top = i;
    }
    if (decisive) score += 1_000_000;
    if (!best || score > best.score) best = { api: s.api, score, why: s.indicators[top]!.why, decisive };
  }
  return best && { api: best.api, why: best.why, decisive: best.decisive };
}

/** One walk of the body along the API's signal trie, then the headers and the model: what each leaf found. */
function recordSignals(apiSignals: ApiSignals, request: Request, target: Target): Recorded {
  const { set, tests } = apiSignals;
  const { body, base } = request;
  const out: Recorded = { found: [], hits: NO_HITS, headerNames: undefined };
  /** `at` is where the leaf matched: the walk's stack (its pointer is built only when kept) or a pointer. */
  const record = (leaf: Leaf, at: ReadonlyArray<string | number> | string | undefined, value?: unknown): void => {
    if (leaf.slot === undefined) {
      out.found[leaf.index] ??= (typeof at === 'object' ? pointerOf(base, at) : at) ?? '';
    } else recordHit(out, leaf, at, value);
  };
  if (body !== null && typeof body === 'object' && !trieIsEmpty(set.body)) walkTrie(set.body, body, [], record);
  const headers = request.isEnvelope ? request.doc['headers'] : undefined;
  if (headers !== null && typeof headers === 'object') {
    if (tests?.needsHeaderNames) out.headerNames = new Set();
    if (set.headers.size > 0 || out.headerNames !== undefined) recordHeaders(set, headers, out.headerNames, record);
  }
  if (target.model !== null) {
    for (const leaf of set.model) if (leaf.test(target.model)) record(leaf, target.modelPath);
  }
  return out;
}

function recordHit(out: Recorded, leaf: Leaf, at: ReadonlyArray<string | number> | string | undefined, value: unknown): void {
  const slot = leaf.slot!;
  if (out.hits === NO_HITS) out.hits = { count: [], first: [], all: [] };
  const hits = out.hits;
  hits.count[slot] = (hits.count[slot] ?? 0) + 1;
  if (hits.first[slot] !== undefined && !leaf.keepAll) return;
  const w: Where = typeof at === 'object' ? at.slice() : (at ?? '');
  hits.first[slot] ??= w;
  if (leaf.keepAll) (hits.all[slot] ??= []).push({ where: w, value });
}

function recordHeaders(set: SignalSet, headers: object, names: Set<string> | undefined, record: (leaf: Leaf, at: string) => void): void {
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const raw = (headers as Record<string, unknown>)[name];
    const lower = name.toLowerCase();
    names?.add(lower);
    const leaves = set.headers.get(lower);
    if (leaves === undefined) continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    for (const leaf of leaves) if (leaf.test(value)) record(leaf, `/headers/${escapeSegment(name)}`);
  }
}

/** The capabilities found and those they imply, in knowledge order, with their evidence. */
function capabilityEvidence(c: Compiled, found: Array<string | undefined>): CapabilityUse[] {
  const evidence: CapabilityUse[] = [];
  if (found.length === 0) return evidence;
  for (let i = 0; i < c.capIds.length; i++) {
    if (found[i] === undefined) continue;
    for (const j of c.implies[i]!) found[j] ??= found[i];
  }
  for (let i = 0; i < c.capIds.length; i++) {
    const path = found[i];
    if (path === undefined) continue;
    evidence.push(path === '' ? { id: c.capIds[i]! } : { id: c.capIds[i]!, path });
  }
  return evidence;
}

/** The request-shape rules whose tests hold, from what the walk recorded, with their evidence. */
function requestSignals(
  tests: CompiledRequestTests | undefined,
  request: Request,
  recorded: Recorded,
  model: { model: string | null; modelPath: string | undefined; family: string | null },
): { signals: string[]; signalEvidence: Map<string, string> | undefined } {
  const signals: string[] = [];
  let signalEvidence: Map<string, string> | undefined;
  if (tests === undefined || tests.rules.length === 0) return { signals, signalEvidence };
  const ctx: TestContext = { body: request.body, base: request.base, hits: recorded.hits, headers: recorded.headerNames, found: recorded.found, model: model.model, modelPath: model.modelPath };
  for (const r of tests.rules) {
    if (r.families !== undefined && (model.family === null || !r.families.has(model.family))) continue;
    const ev = r.evaluate(ctx);
    if (ev === undefined) continue;
    signals.push(r.id);
    (signalEvidence ??= new Map()).set(r.id, pointerAt(request.base, ev));
  }
  return { signals, signalEvidence };
}

function parseBodyString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}
