/**
 * Detection: from an HTTP envelope or a bare body to facts (endpoint, region, API, model, capabilities) and the
 * evidence for each (a JSON Pointer into the input as given). Everything it knows comes from the knowledge:
 * host templates, operation paths, body-shape indicators and capability signals.
 */
import { PreflightInputError } from '../errors.js';
import type { ApiDef, ApiId, CapabilityUse, CheckOptions, EndpointId, Facts, Knowledge, OtherOperationDef } from '../types.js';
import { addToTrie, compileSignalSet, compileValueTest, escapeSegment, newTrieNode, pointerOf, trieIsEmpty, valueAt, walkTrie, type Leaf, type SignalSet } from './signals.js';
import type { TrieNode } from './signals.js';
import { modelClassifierFor } from './models.js';
import { compileReadPlan, type ReadPlan } from './skim.js';
import { compileRequestTests, NO_HITS, pointerAt, type CompiledRequestTests, type SlotHits, type TestContext, type Where } from './request-tests.js';

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
  /** Bit i set when capability i (knowledge order) is used; a compact key of the capability set. */
  mask: number;
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
  /** The index of an api in the knowledge's order (for compact keys). */
  apiIndex(api: ApiId): number;
  detect(input: unknown, options?: CheckOptions): Detection;
  /** Resolves an endpoint id or alias (`runtime`, `mantle`); undefined when unknown. */
  endpointId(name: string): EndpointId | undefined;
  apiId(name: string): ApiId | undefined;
  /**
   * The read plan of requests to `url` when its path names the API (see skim.ts), else undefined: then the
   * check reads the body's shape as a whole.
   */
  readPlan(url: string): ReadPlan | undefined;
}

const FROM_PATH: ApiSource = Object.freeze({ kind: 'path' });
const FROM_OVERRIDE: ApiSource = Object.freeze({ kind: 'override' });
const FROM_NOWHERE: ApiSource = Object.freeze({ kind: 'none' });

const REGION = '([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)';

/** What a URL says: read once per distinct URL (applications send few distinct URLs), then cached. */
interface UrlFacts {
  host: string;
  path: string;
  endpoint: EndpointId | undefined;
  region: string | null;
  api: ApiId | null;
  operation: string | null;
  route: string | null;
  model: string | null;
  other: OtherOperationDef | undefined;
}

/** Splits an absolute http(s) URL into host and path; undefined when it is not one. */
export function splitUrl(url: string): { host: string; path: string } | undefined {
  const sep = url.indexOf('://');
  if (sep <= 0) return undefined;
  const scheme = url.slice(0, sep).toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return undefined;
  const start = sep + 3;
  let end = start;
  while (end < url.length) {
    const ch = url.charCodeAt(end);
    if (ch === 47 /* / */ || ch === 63 /* ? */ || ch === 35 /* # */) break;
    end++;
  }
  let authority = url.slice(start, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority;
  if (!authority.startsWith('[')) {
    const colon = authority.indexOf(':');
    if (colon >= 0) host = authority.slice(0, colon);
  } else host = authority.slice(0, authority.indexOf(']') + 1);
  let pathEnd = end;
  while (pathEnd < url.length) {
    const ch = url.charCodeAt(pathEnd);
    if (ch === 63 || ch === 35) break;
    pathEnd++;
  }
  const path = end < pathEnd ? url.slice(end, pathEnd) : '/';
  return { host: host.toLowerCase(), path };
}

/** A lower-cased header name and the signal leaves of that header (undefined: none). */
interface HeaderName {
  lower: string;
  leaves: Leaf[] | undefined;
}

/** The compiled signals and request-rule tests of one API, with what is remembered of the requests to it. */
interface ApiSignals {
  set: SignalSet;
  tests: CompiledRequestTests | undefined;
  models: Map<string, Leaf[]>;
  lastModel: string | undefined;
  lastModelLeaves: Leaf[];
  headerNames: Map<string, HeaderName>;
  /** Where the API's bodies keep the model id. */
  modelPointers: ReadonlyArray<{ pointer: string; segments: string[] }>;
  /** The read plan (see skim.ts), made on first use; null when there is none. */
  plan: ReadPlan | null | undefined;
}

interface HostMatcher {
  endpoint: EndpointId;
  re: RegExp;
}

interface PathMatcher {
  api: ApiId;
  operation: string;
  route: string | null;
  re: RegExp;
  hasModel: boolean;
}

interface ShapeScorer {
  api: ApiId;
  trie: TrieNode;
  indicators: Array<{ weight: number; decisive: boolean; why: string }>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function hostRegExp(template: string): RegExp {
  const parts = template.split(/(\{region\}|\{any\})/);
  const src = parts.map((p) => (p === '{region}' ? REGION : p === '{any}' ? '[a-z0-9-]+' : escapeRegExp(p))).join('');
  return new RegExp(`^${src}$`);
}

function pathRegExp(template: string): RegExp {
  const parts = template.split(/(\{model\}|\{any\})/);
  const src = parts.map((p) => (p === '{model}' ? '([^/]+)' : p === '{any}' ? '[^/]+' : escapeRegExp(p))).join('');
  return new RegExp(`^${src}/?$`);
}

function decode(segment: string): string {
  if (segment.indexOf('%') === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function compileDetector(k: Knowledge): Detector {
  const hostMatchers: HostMatcher[] = k.endpoints.flatMap((e) => e.hosts.map((h) => ({ endpoint: e.id, re: hostRegExp(h.template) })));
  const endpointNames = new Map<string, EndpointId>();
  for (const e of k.endpoints) {
    endpointNames.set(e.id, e.id);
    for (const a of e.aliases) endpointNames.set(a, e.id);
  }
  const apiById = new Map<string, ApiDef>(k.apis.map((a) => [a.id, a]));
  const apiIndex = new Map<string, number>(k.apis.map((a, i) => [a.id, i]));
  const modelPointers = new Map(k.apis.map((a) => [a.id, a.model.filter((m) => m !== 'path').map((m) => ({ pointer: m, segments: m.slice(1).split('/') }))]));
  const pathMatchers: PathMatcher[] = k.apis.flatMap((a) =>
    a.operations.map((o) => ({ api: a.id, operation: o.id, route: o.route ?? null, re: pathRegExp(o.path), hasModel: o.path.includes('{model}') })),
  );
  const otherMatchers = k.otherOperations.map((def) => ({ def, re: pathRegExp(def.path) }));
  const shapeScorers: ShapeScorer[] = k.apis.map((a) => {
    const trie: TrieNode = newTrieNode();
    a.shape.forEach((ind, index) => addToTrie(trie, ind.body, { id: a.id, index, test: compileValueTest(ind.oneOf ? { oneOf: ind.oneOf } : {}) }));
    return { api: a.id, trie, indicators: a.shape.map((s) => ({ weight: s.weight, decisive: s.decisive === true, why: s.why })) };
  });
  // Signal sets and request-rule tests per API, compiled on first use (a process that checks one API compiles one).
  const capIndexMap = new Map(k.capabilities.map((c, i) => [c.id, i]));
  const perApi = new Map<ApiId | null, ApiSignals>();
  // Requests come in runs of one API: the last one's entry is at hand without a lookup.
  let lastApi: ApiId | null | undefined;
  let lastEntry: ApiSignals | undefined;
  function signalsFor(api: ApiId | null): ApiSignals {
    if (api === lastApi && lastEntry !== undefined) return lastEntry;
    let entry = perApi.get(api);
    if (entry === undefined) {
      const set = compileSignalSet(k.capabilities, api);
      let tests: CompiledRequestTests | undefined;
      if (api !== null) {
        tests = compileRequestTests(k.requestRules, api, k.capabilities.length, capIndexMap);
        for (const b of tests.bodyLeaves) addToTrie(set.body, b.pattern, b.leaf);
        for (const h of tests.headerLeaves) set.headers.set(h.header, [...(set.headers.get(h.header) ?? []), h.leaf]);
      }
      entry = { set, tests, models: new Map(), lastModel: undefined, lastModelLeaves: [], headerNames: new Map(), modelPointers: modelPointers.get(api as ApiId) ?? [], plan: undefined };
      perApi.set(api, entry);
    }
    lastApi = api;
    lastEntry = entry;
    return entry;
  }
  // Model families, tried in order on the base model id; the result is remembered per model id (bounded).
  const classify = modelClassifierFor(k.models);
  const capIndex = new Map(k.capabilities.map((c, i) => [c.id, i]));
  const implies = k.capabilities.map((c) => c.implies.map((id) => capIndex.get(id)!));
  const capCount = k.capabilities.length;
  const capIds = k.capabilities.map((c) => c.id);
  const bits = capIds.map((_, i) => 2 ** i);

  let lastEndpointName: string | undefined;
  let lastEndpoint: EndpointId | undefined;
  function endpointId(name: string): EndpointId | undefined {
    if (name !== lastEndpointName) {
      lastEndpoint = endpointNames.get(name);
      lastEndpointName = name;
    }
    return lastEndpoint;
  }
  function apiId(name: string): ApiId | undefined {
    return apiById.has(name) ? (name as ApiId) : undefined;
  }

  function scoreShape(body: unknown): { api: ApiId; why: string; decisive: boolean } | undefined {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    let best: { api: ApiId; score: number; why: string; decisive: boolean } | undefined;
    for (const s of shapeScorers) {
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

  // Model ids repeat across requests: the model signals that match one are remembered (bounded).
  function modelLeaves(entry: ApiSignals, model: string): Leaf[] {
    if (model === entry.lastModel) return entry.lastModelLeaves;
    let leaves = entry.models.get(model);
    if (leaves === undefined) {
      leaves = entry.set.model.filter((leaf) => leaf.test(model));
      if (entry.models.size >= 1024) entry.models.clear();
      entry.models.set(model, leaves);
    }
    entry.lastModel = model;
    entry.lastModelLeaves = leaves;
    return leaves;
  }

  // Header names repeat across requests: each one's lower-cased form and signal leaves are remembered (bounded).
  function headerName(entry: ApiSignals, name: string): HeaderName {
    let known = entry.headerNames.get(name);
    if (known === undefined) {
      const lower = name.toLowerCase();
      known = { lower, leaves: entry.set.headers.get(lower) };
      if (entry.headerNames.size >= 1024) entry.headerNames.clear();
      entry.headerNames.set(name, known);
    }
    return known;
  }

  const urlCache = new Map<string, UrlFacts>();
  let lastUrl: string | undefined;
  let lastUrlFacts: UrlFacts | undefined;
  function urlFacts(url: string): UrlFacts {
    if (url === lastUrl && lastUrlFacts !== undefined) return lastUrlFacts;
    let u = urlCache.get(url);
    if (u === undefined) u = readUrl(url);
    lastUrl = url;
    lastUrlFacts = u;
    return u;
  }
  function readUrl(url: string): UrlFacts {
    const parts = splitUrl(url);
    if (!parts) throw new PreflightInputError('E_INPUT_SHAPE', 'the envelope\'s "url" is not an absolute http(s) URL');
    const u: UrlFacts = { host: parts.host, path: parts.path, endpoint: undefined, region: null, api: null, operation: null, route: null, model: null, other: undefined };
    for (const h of hostMatchers) {
      const hm = h.re.exec(parts.host);
      if (hm) {
        u.endpoint = h.endpoint;
        u.region = hm[1] ?? null;
        break;
      }
    }
    for (const p of pathMatchers) {
      const pm = p.re.exec(parts.path);
      if (pm) {
        u.api = p.api;
        u.operation = p.operation;
        u.route = p.route;
        if (p.hasModel && pm[1] !== undefined) u.model = decode(pm[1]);
        break;
      }
    }
    if (u.api === null) {
      for (const o of otherMatchers) {
        const om = o.re.exec(parts.path);
        if (om) {
          u.operation = o.def.id;
          u.other = o.def;
          if (om[1] !== undefined) u.model = decode(om[1]);
          break;
        }
      }
    }
    if (urlCache.size >= 512) urlCache.clear();
    urlCache.set(url, u);
    return u;
  }

  function readPlan(url: string): ReadPlan | undefined {
    let api: ApiId | null;
    try {
      api = urlFacts(url).api;
    } catch (e) {
      if (e instanceof PreflightInputError) return undefined;
      throw e;
    }
    if (api === null) return undefined;
    const entry = signalsFor(api);
    if (entry.plan === undefined) {
      const { set, tests } = entry;
      entry.plan =
        compileReadPlan(
          set.body,
          entry.modelPointers.map((m) => m.segments),
          tests?.absentPointers ?? [],
          set.headers,
          tests?.absentHeaders ?? [],
        ) ?? null;
    }
    return entry.plan ?? undefined;
  }

  function detect(input: unknown, options: CheckOptions = {}): Detection {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new PreflightInputError('E_INPUT_SHAPE', `expected a request object (an HTTP envelope or a body), found ${describe(input)}`);
    }
    const doc = input as Record<string, unknown>;
    const isEnvelope = typeof doc['url'] === 'string';
    let body: unknown = isEnvelope ? doc['body'] : doc;
    if (isEnvelope && typeof body === 'string') body = parseBodyString(body);
    const base = isEnvelope ? '/body' : '';

    // Endpoint and region from the URL's host; API, operation and model from its path.
    let endpoint: EndpointId | undefined;
    let region: string | null = null;
    let api: ApiId | null = null;
    let operation: string | null = null;
    let route: string | null = null;
    let model: string | null = null;
    let modelPath: string | undefined;
    let apiSource: ApiSource = FROM_NOWHERE;
    let apiPath: string | undefined;
    let host = '';
    let urlPath = '';
    let other: OtherOperationDef | undefined;
    if (isEnvelope) {
      const u = urlFacts(doc['url'] as string);
      host = u.host;
      urlPath = u.path;
      endpoint = u.endpoint;
      region = u.region;
      other = u.other;
      if (other !== undefined) {
        operation = u.operation;
        if (u.model !== null) {
          model = u.model;
          modelPath = '/url';
        }
      }
      if (u.api !== null) {
        api = u.api;
        operation = u.operation;
        route = u.route;
        apiSource = FROM_PATH;
        apiPath = '/url';
        if (u.model !== null) {
          model = u.model;
          modelPath = '/url';
        }
      }
    }
    if (options.endpoint !== undefined) {
      const e = endpointId(options.endpoint);
      if (!e) throw new PreflightInputError('E_UNKNOWN_ID', `unknown endpoint "${options.endpoint}" (expected bedrock-runtime, bedrock-mantle, runtime or mantle)`);
      endpoint = e;
    }
    if (endpoint === undefined) {
      throw new PreflightInputError(
        'E_UNKNOWN_ENDPOINT',
        isEnvelope
          ? `the URL host "${host}" is neither bedrock-runtime nor bedrock-mantle; pass --endpoint`
          : 'a bare request body does not say its endpoint; pass --endpoint runtime or --endpoint mantle',
      );
    }
    if (options.api !== undefined) {
      const a = apiId(options.api);
      if (!a) throw new PreflightInputError('E_UNKNOWN_ID', `unknown api "${options.api}" (expected ${[...apiById.keys()].join(', ')})`);
      api = a;
      apiSource = FROM_OVERRIDE;
      apiPath = undefined;
    } else if (api === null && other === undefined) {
      const shape = scoreShape(body);
      if (shape) {
        api = shape.api;
        apiSource = { kind: 'shape', why: shape.why, decisive: shape.decisive };
        apiPath = base;
      }
    }
    if (options.region !== undefined) region = options.region;

    // Model: --model, else the URL path, else the body fields the API keeps it in.
    if (options.model !== undefined) {
      model = options.model;
      modelPath = undefined;
    } else if (model === null && api !== null && body !== null && typeof body === 'object') {
      for (const where of signalsFor(api).modelPointers) {
        const v = valueAt(body, where.segments);
        if (typeof v === 'string') {
          model = v;
          modelPath = base + where.pointer;
          break;
        }
      }
    }

    // Capabilities: one walk of the body along the API's signal trie, the headers, the model.
    const found: Array<string | undefined> = new Array(capCount);
    let any = false;
    const apiSignals = signalsFor(api);
    const { set, tests } = apiSignals;
    let hits: SlotHits = NO_HITS;
    /** `at` is where the leaf matched: the walk's stack (its pointer is built only when kept) or a pointer. */
    const record = (leaf: Leaf, at: ReadonlyArray<string | number> | string | undefined, value?: unknown): void => {
      const slot = leaf.slot;
      if (slot === undefined) {
        if (found[leaf.index] === undefined) {
          found[leaf.index] = (typeof at === 'object' ? pointerOf(base, at) : at) ?? '';
          any = true;
        }
      } else {
        if (hits === NO_HITS) hits = { count: [], first: [], all: [] };
        hits.count[slot] = (hits.count[slot] ?? 0) + 1;
        if (hits.first[slot] === undefined || leaf.keepAll) {
          const w: Where = typeof at === 'object' ? at.slice() : (at ?? '');
          if (hits.first[slot] === undefined) hits.first[slot] = w;
          if (leaf.keepAll) (hits.all[slot] ??= []).push({ where: w, value });
        }
      }
    };
    if (body !== null && typeof body === 'object' && !trieIsEmpty(set.body)) {
      walkTrie(set.body, body, [], record);
    }
    const headers = isEnvelope ? doc['headers'] : undefined;
    let headerNames: Set<string> | undefined;
    if (tests?.needsHeaderNames && headers !== null && typeof headers === 'object') headerNames = new Set();
    if (headers !== null && typeof headers === 'object' && set.headers.size > 0) {
      for (const name in headers) {
        const raw = (headers as Record<string, unknown>)[name];
        if (!Object.hasOwn(headers, name)) continue;
        const known = headerName(apiSignals, name);
        if (headerNames !== undefined) headerNames.add(known.lower);
        const leaves = known.leaves;
        if (leaves === undefined) continue;
        const value = Array.isArray(raw) ? raw[0] : raw;
        for (const leaf of leaves) if (leaf.test(value)) record(leaf, `/headers/${escapeSegment(name)}`);
      }
    }
    if (model !== null && set.model.length > 0) {
      for (const leaf of modelLeaves(apiSignals, model)) record(leaf, modelPath);
    }

    const capabilities: string[] = [];
    const evidence: CapabilityUse[] = [];
    let mask = 0;
    if (any) {
      for (let i = 0; i < capCount; i++) {
        if (found[i] === undefined) continue;
        for (const j of implies[i]!) if (found[j] === undefined) found[j] = found[i];
      }
      for (let i = 0; i < capCount; i++) {
        const path = found[i];
        if (path === undefined) continue;
        capabilities.push(capIds[i]!);
        mask += bits[i]!;
        evidence.push(path === '' ? { id: capIds[i]! } : { id: capIds[i]!, path });
      }
    }
    // Request-shape rule tests, from what the walk recorded.
    const signals: string[] = [];
    let signalEvidence: Map<string, string> | undefined;
    if (tests !== undefined && tests.rules.length > 0) {
      const ctx: TestContext = { body, base, hits, headers: headerNames, found };
      for (const r of tests.rules) {
        const ev = r.evaluate(ctx);
        if (ev === undefined) continue;
        signals.push(r.id);
        (signalEvidence ??= new Map()).set(r.id, pointerAt(base, ev));
      }
    }
    const cls = model === null ? undefined : classify(model);
    const facts: Facts = {
      endpoint,
      api,
      model,
      region,
      operation,
      capabilities,
      modelFamily: cls?.family ?? null,
      modelForm: cls?.form ?? null,
      route,
      signals,
    };
    const unrecognizedPath = isEnvelope && operation === null ? urlPath : undefined;
    return { facts, evidence, apiSource, apiPath, isEnvelope, mask, unrecognizedPath, modelPath, otherOperation: other, signalEvidence };
  }

  return { detect, endpointId, apiId, readPlan, apiIndex: (a) => apiIndex.get(a)! };
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
