/**
 * Detection: from an HTTP envelope or a bare body to facts (endpoint, region, API, model, capabilities) and the
 * evidence for each (a JSON Pointer into the input as given). Everything it knows comes from the knowledge:
 * host templates, operation paths, body-shape indicators and capability signals.
 */
import { PreflightInputError } from '../errors.js';
import type { ApiDef, ApiId, CapabilityUse, CheckOptions, EndpointId, Facts, Knowledge } from '../types.js';
import { addToTrie, compileSignalSets, compileValueTest, escapeSegment, newTrieNode, trieIsEmpty, walkTrie, type Leaf, type SignalSet } from './signals.js';
import type { TrieNode } from './signals.js';

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
}

export interface Detector {
  /** The index of an api in the knowledge's order (for compact keys). */
  apiIndex(api: ApiId): number;
  detect(input: unknown, options?: CheckOptions): Detection;
  /** Resolves an endpoint id or alias (`runtime`, `mantle`); undefined when unknown. */
  endpointId(name: string): EndpointId | undefined;
  apiId(name: string): ApiId | undefined;
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
  model: string | null;
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

interface HostMatcher {
  endpoint: EndpointId;
  re: RegExp;
}

interface PathMatcher {
  api: ApiId;
  operation: string;
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
  const parts = template.split(/(\{model\})/);
  const src = parts.map((p) => (p === '{model}' ? '([^/]+)' : escapeRegExp(p))).join('');
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

function pointerGet(body: unknown, segments: readonly string[]): unknown {
  let v: unknown = body;
  for (const seg of segments) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
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
    a.operations.map((o) => ({ api: a.id, operation: o.id, re: pathRegExp(o.path), hasModel: o.path.includes('{model}') })),
  );
  const shapeScorers: ShapeScorer[] = k.apis.map((a) => {
    const trie: TrieNode = newTrieNode();
    a.shape.forEach((ind, index) => addToTrie(trie, ind.body, { id: a.id, index, test: compileValueTest(ind.oneOf ? { oneOf: ind.oneOf } : {}) }));
    return { api: a.id, trie, indicators: a.shape.map((s) => ({ weight: s.weight, decisive: s.decisive === true, why: s.why })) };
  });
  const signalSets = compileSignalSets(k.capabilities, k.apis.map((a) => a.id));
  const capIndex = new Map(k.capabilities.map((c, i) => [c.id, i]));
  const implies = k.capabilities.map((c) => c.implies.map((id) => capIndex.get(id)!));
  const capCount = k.capabilities.length;
  const capIds = k.capabilities.map((c) => c.id);

  function endpointId(name: string): EndpointId | undefined {
    return endpointNames.get(name);
  }
  function apiId(name: string): ApiId | undefined {
    return apiById.has(name) ? (name as ApiId) : undefined;
  }

  function scoreShape(body: unknown): { api: ApiId; why: string; decisive: boolean } | undefined {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    let best: { api: ApiId; score: number; why: string; decisive: boolean } | undefined;
    for (const s of shapeScorers) {
      const seen = new Set<number>();
      walkTrie(s.trie, body, [], '', (leaf) => seen.add(leaf.index));
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
  const modelCache = new Map<SignalSet, Map<string, Leaf[]>>();
  function modelLeaves(set: SignalSet, model: string): Leaf[] {
    let bySet = modelCache.get(set);
    if (bySet === undefined) modelCache.set(set, (bySet = new Map()));
    let leaves = bySet.get(model);
    if (leaves === undefined) {
      leaves = set.model.filter((leaf) => leaf.test(model));
      if (bySet.size >= 1024) bySet.clear();
      bySet.set(model, leaves);
    }
    return leaves;
  }

  const urlCache = new Map<string, UrlFacts>();
  function urlFacts(url: string): UrlFacts {
    let u = urlCache.get(url);
    if (u !== undefined) return u;
    const parts = splitUrl(url);
    if (!parts) throw new PreflightInputError('E_INPUT_SHAPE', 'the envelope\'s "url" is not an absolute http(s) URL');
    u = { host: parts.host, path: parts.path, endpoint: undefined, region: null, api: null, operation: null, model: null };
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
        if (p.hasModel && pm[1] !== undefined) u.model = decode(pm[1]);
        break;
      }
    }
    if (urlCache.size >= 512) urlCache.clear();
    urlCache.set(url, u);
    return u;
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
    let model: string | null = null;
    let modelPath: string | undefined;
    let apiSource: ApiSource = FROM_NOWHERE;
    let apiPath: string | undefined;
    let host = '';
    let urlPath = '';
    if (isEnvelope) {
      const u = urlFacts(doc['url'] as string);
      host = u.host;
      urlPath = u.path;
      endpoint = u.endpoint;
      region = u.region;
      if (u.api !== null) {
        api = u.api;
        operation = u.operation;
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
    } else if (api === null) {
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
      for (const where of modelPointers.get(api)!) {
        const v = pointerGet(body, where.segments);
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
    const set: SignalSet = signalSets.get(api)!;
    const record = (leaf: Leaf, pointer: () => string | undefined): void => {
      if (found[leaf.index] === undefined) {
        found[leaf.index] = pointer() ?? '';
        any = true;
      }
    };
    if (body !== null && typeof body === 'object' && !trieIsEmpty(set.body)) {
      walkTrie(set.body, body, [], base, record);
    }
    const headers = isEnvelope ? doc['headers'] : undefined;
    if (headers !== null && typeof headers === 'object' && set.headers.size > 0) {
      for (const name in headers) {
        if (!Object.hasOwn(headers, name)) continue;
        const leaves = set.headers.get(name.toLowerCase());
        if (leaves === undefined) continue;
        const raw = (headers as Record<string, unknown>)[name];
        const value = Array.isArray(raw) ? raw[0] : raw;
        for (const leaf of leaves) if (leaf.test(value)) record(leaf, () => `/headers/${escapeSegment(name)}`);
      }
    }
    if (model !== null && set.model.length > 0) {
      for (const leaf of modelLeaves(set, model)) record(leaf, () => modelPath);
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
        mask += 2 ** i;
        evidence.push(path === '' ? { id: capIds[i]! } : { id: capIds[i]!, path });
      }
    }
    const facts: Facts = { endpoint, api, model, region, operation, capabilities };
    const unrecognizedPath = isEnvelope && operation === null ? urlPath : undefined;
    return { facts, evidence, apiSource, apiPath, isEnvelope, mask, unrecognizedPath };
  }

  return { detect, endpointId, apiId, apiIndex: (a) => apiIndex.get(a)! };
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
