/**
 * From a Bedrock call in the source to the request `check` reads: an HTTP envelope (URL and body) built from the
 * client the file shows, or from the endpoint and Region the rule's options or shared settings give, and what of
 * it is unknown (the Region, the route, the model).
 */
import type { Preflight } from '../preflight.js';
import type { ApiDef, ApiId, CheckOptions, EndpointId } from '../types.js';
import type { BedrockCall } from './calls.js';
import { toJson, type Static } from './static.js';

/** Where requests go when the file does not show it: the rule's options, else `settings['bedrock-preflight']`. */
export interface Target {
  endpoint?: string;
  region?: string;
}

export interface CheckedRequest {
  envelope: { url: string; body: unknown };
  options: CheckOptions;
  /** The parts of the request the finding analysis reads (findings.ts). */
  known: KnownParts;
}

export interface KnownParts {
  body: Static;
  region: boolean;
  route: boolean;
  model: boolean;
}

/** What a Region slot or a template's expression stands for when it is unknown: findings about it are dropped. */
const SOME_REGION = 'us-east-1';
const SOME_MODEL = 'unknown-model';

/** Path the SDKs append to their base URL, per API (the OpenAI and Anthropic SDKs' own paths). */
const SDK_SUFFIX: Partial<Record<ApiId, string>> = {
  'chat-completions': '/chat/completions',
  responses: '/responses',
  messages: '/v1/messages',
};

/** The request of a call; undefined when nothing says which endpoint it goes to. */
export function requestOf(call: BedrockCall, target: Target, preflight: Preflight): CheckedRequest | undefined {
  const body = objectBody(toJson(call.body));
  const model = call.pathModel === undefined ? bodyModelKnown(call.body) : call.pathModel.value !== undefined;
  const clientUrl = call.client?.url?.value;
  if (clientUrl !== undefined) {
    const [url, holes] = fillHoles(call.sdk === 'aws' ? joinUrl(clientUrl, operationPath(call, preflight)) : joinUrl(clientUrl, SDK_SUFFIX[call.api] ?? ''));
    const region = !holes.region || call.client?.region?.value !== undefined;
    return { envelope: { url, body }, options: regionOption(call), known: { body: call.body, region, route: !holes.route, model } };
  }
  const endpoint = endpointOf(call, target, preflight);
  if (endpoint === undefined) return undefined;
  const clientRegion = call.client?.region;
  const region = clientRegion !== undefined ? clientRegion.value : target.region;
  const host = preflight.knowledge.endpoints.find((e) => e.id === endpoint)!.host.replace('{region}', region ?? SOME_REGION);
  const path = call.sdk === 'aws' ? operationPath(call, preflight) : defaultPath(preflight, endpoint, call.api, host);
  return { envelope: { url: `https://${host}${path}`, body }, options: {}, known: { body: call.body, region: region !== undefined, route: call.sdk === 'aws', model } };
}

/**
 * The endpoint of a call whose client URL the file does not show. An AWS client built here without an `endpoint`
 * option sends to bedrock-runtime; otherwise (a client from elsewhere, an unreadable URL, the OpenAI and Anthropic
 * SDKs whose own default hosts are not Bedrock) only the options or settings can say.
 */
function endpointOf(call: BedrockCall, target: Target, preflight: Preflight): EndpointId | undefined {
  const built = call.sdk === 'aws' && call.client !== undefined && call.client.url === undefined;
  const name = built ? 'bedrock-runtime' : (target.endpoint ?? (call.sdk === 'aws' ? 'bedrock-runtime' : undefined));
  return name === undefined ? undefined : preflight.endpointId(name);
}

/** Whether the body's model is known: a literal string, or known to be absent. */
function bodyModelKnown(s: Static): boolean {
  if (s.kind !== 'object') return false;
  const m = s.members.get('model');
  return m === undefined ? !s.open : m.value.kind === 'value' && typeof m.value.value === 'string';
}

const objectBody = (b: unknown): unknown => (b !== null && typeof b === 'object' && !Array.isArray(b) ? b : {});

function regionOption(call: BedrockCall): CheckOptions {
  const r = call.sdk === 'aws' ? call.client?.region?.value : undefined;
  return r === undefined ? {} : { region: r };
}

function joinUrl(base: string, suffix: string): string {
  return base.replace(/\/+$/, '') + suffix;
}

/** The URL with each `{?}` (an expression of a template literal) filled, and which parts those holes were in. */
function fillHoles(url: string): [string, { region: boolean; route: boolean }] {
  const at = url.indexOf('{?}');
  if (at < 0) return [url, { region: false, route: false }];
  const hostEnd = url.indexOf('/', url.indexOf('//') + 2);
  const inPath = url.lastIndexOf('{?}') >= (hostEnd < 0 ? url.length : hostEnd);
  return [url.split('{?}').join(SOME_REGION), { region: true, route: inPath }];
}

function operationPath(call: BedrockCall, preflight: Preflight): string {
  const op = preflight.knowledge.apis.find((a) => a.id === call.api)?.operations.find((o) => o.id === call.operation);
  return (op?.path ?? '').replace('{model}', encodeURIComponent(call.pathModel?.value ?? SOME_MODEL));
}

const cleanOperations = new WeakMap<Preflight, Map<string, ApiDef['operations'][number] | undefined>>();

/**
 * The operation of an API on an endpoint whose path the check reads without a route or path finding there (the
 * first such of the knowledge's operations), looked up once per preflight, endpoint and API.
 */
function cleanOperation(preflight: Preflight, endpoint: EndpointId, api: ApiId, host: string): ApiDef['operations'][number] | undefined {
  let ops = cleanOperations.get(preflight);
  if (ops === undefined) cleanOperations.set(preflight, (ops = new Map()));
  const key = `${endpoint} ${api}`;
  if (!ops.has(key)) {
    const all = preflight.knowledge.apis.find((a) => a.id === api)?.operations ?? [];
    ops.set(key, all.find((o) => !preflight.check({ url: `https://${host}${o.path}`, body: {} }).findings.some((f) => /^(route|path)-/.test(f.code))));
  }
  return ops.get(key);
}

/** The path of an API on an endpoint when the source does not show the route. */
function defaultPath(preflight: Preflight, endpoint: EndpointId, api: ApiId, host: string): string {
  return (cleanOperation(preflight, endpoint, api, host) ?? preflight.knowledge.apis.find((a) => a.id === api)?.operations[0])?.path ?? '';
}

/** The route prefix (e.g. /openai/v1) the knowledge takes for an API on an endpoint, if it has one. */
export function canonicalRoute(preflight: Preflight, endpoint: EndpointId, api: ApiId, host: string): string | undefined {
  return cleanOperation(preflight, endpoint, api, host)?.route;
}
