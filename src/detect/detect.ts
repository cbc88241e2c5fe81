/**
 * Detection: from an HTTP envelope or a bare body to facts (endpoint, region, API, model, capabilities) and the
 * evidence for each (a JSON Pointer into the input as given). Everything it knows comes from the knowledge:
 * host templates, operation paths, body-shape indicators and capability signals.
 */
import { PreflightInputError } from '../errors.js';
import type { ApiDef, ApiId, CapabilityUse, CheckOptions, EndpointId, Facts, Knowledge } from '../types.js';
import { addToTrie, compileSignalSets, compileValueTest, escapeSegment, walkTrie, type Leaf, type SignalSet, type TrieNode } from './signals.js';

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
}

export interface Detector {
  detect(input: unknown, options?: CheckOptions): Detection;
  /** Resolves an endpoint id or alias (`runtime`, `mantle`); undefined when unknown. */
  endpointId(name: string): EndpointId | undefined;
  apiId(name: string): ApiId | undefined;
}

const REGION = '([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)';
const URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::[0-9]*)?([^?#]*)/;

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

function pointerGet(body: unknown, pointer: string): unknown {
  let v: unknown = body;
  for (const seg of pointer.slice(1).split('/')) {
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
  const pathMatchers: PathMatcher[] = k.apis.flatMap((a) =>
    a.operations.map((o) => ({ api: a.id, operation: o.id, re: pathRegExp(o.path), hasModel: o.path.includes('{model}') })),
  );
  const shapeScorers: ShapeScorer[] = k.apis.map((a) => {
    const trie: TrieNode = { named: new Map(), any: undefined, leaves: [] };
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
    let apiSource: ApiSource = { kind: 'none' };
    let apiPath: string | undefined;
    let host = '';
    let urlPath = '';
    if (isEnvelope) {
      const m = URL_RE.exec(doc['url'] as string);
      if (!m || !/^https?$/i.test(m[1]!)) {
        throw new PreflightInputError('E_INPUT_SHAPE', 'the envelope\'s "url" is not an absolute http(s) URL');
      }
      host = m[2]!.toLowerCase();
      urlPath = m[3] || '/';
      for (const h of hostMatchers) {
        const hm = h.re.exec(host);
        if (hm) {
          endpoint = h.endpoint;
          region = hm[1] ?? null;
          break;
        }
      }
      for (const p of pathMatchers) {
        const pm = p.re.exec(urlPath);
        if (pm) {
          api = p.api;
          operation = p.operation;
          apiSource = { kind: 'path' };
          apiPath = '/url';
          if (p.hasModel && pm[1] !== undefined) {
            model = decode(pm[1]);
            modelPath = '/url';
          }
          break;
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
      apiSource = { kind: 'override' };
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
      for (const where of apiById.get(api)!.model) {
        if (where === 'path') continue;
        const v = pointerGet(body, where);
        if (typeof v === 'string') {
          model = v;
          modelPath = base + where;
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
    if (body !== null && typeof body === 'object' && set.body.named.size + (set.body.any ? 1 : 0) > 0) {
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
    if (model !== null) {
      for (const leaf of set.model) if (leaf.test(model)) record(leaf, () => modelPath);
    }

    const capabilities: string[] = [];
    const evidence: CapabilityUse[] = [];
    if (any) {
      for (let i = 0; i < capCount; i++) {
        if (found[i] === undefined) continue;
        for (const j of implies[i]!) if (found[j] === undefined) found[j] = found[i];
      }
      for (let i = 0; i < capCount; i++) {
        const path = found[i];
        if (path === undefined) continue;
        capabilities.push(capIds[i]!);
        evidence.push(path === '' ? { id: capIds[i]! } : { id: capIds[i]!, path });
      }
    }
    const facts: Facts = { endpoint, api, model, region, operation, capabilities };
    const unrecognizedPath = isEnvelope && operation === null ? urlPath : undefined;
    return { facts, evidence, apiSource, apiPath, isEnvelope, unrecognizedPath };
  }

  return { detect, endpointId, apiId };
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
