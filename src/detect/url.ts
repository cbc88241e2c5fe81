/**
 * What a request's URL says: the endpoint and Region (from the host), the API, operation, route and model (from
 * the path). The host and path templates come from the knowledge (rules/endpoints.yaml, rules/apis.yaml).
 */
import { PreflightInputError } from '../errors.js';
import type { ApiId, EndpointId, Knowledge, OtherOperationDef } from '../types.js';

export interface UrlFacts {
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

/** The endpoint and Region a Bedrock host names; undefined for any other host. */
export type HostReader = (host: string) => { endpoint: EndpointId; region: string | null } | undefined;

export type UrlReader = (url: string) => UrlFacts;

const REGION = '([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)';

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

/** The index where the URL's authority (after `://`) ends. */
function authorityEnd(url: string, start: number): number {
  let end = start;
  while (end < url.length) {
    const ch = url.charCodeAt(end);
    if (ch === 47 /* / */ || ch === 63 /* ? */ || ch === 35 /* # */) break;
    end++;
  }
  return end;
}

/** The host of an authority (`user@host:port`); undefined for an IPv6 host with no closing `]`. */
function hostOf(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    return close < 0 ? undefined : hostPort.slice(0, close + 1);
  }
  const colon = hostPort.indexOf(':');
  return colon >= 0 ? hostPort.slice(0, colon) : hostPort;
}

/** Splits an absolute http(s) URL into host and path; undefined when it is not one (or its host is unreadable). */
export function splitUrl(url: string): { host: string; path: string } | undefined {
  const sep = url.indexOf('://');
  if (sep <= 0) return undefined;
  const scheme = url.slice(0, sep).toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return undefined;
  const end = authorityEnd(url, sep + 3);
  const host = hostOf(url.slice(sep + 3, end));
  if (host === undefined || host === '') return undefined;
  let pathEnd = end;
  while (pathEnd < url.length) {
    const ch = url.charCodeAt(pathEnd);
    if (ch === 63 || ch === 35) break;
    pathEnd++;
  }
  const path = end < pathEnd ? url.slice(end, pathEnd) : '/';
  return { host: host.toLowerCase(), path };
}

/** Why `url` is not an absolute http(s) URL with a host, in words for the one-line error. */
function urlProblem(url: string): string {
  const sep = url.indexOf('://');
  const scheme = sep > 0 ? url.slice(0, sep).toLowerCase() : '';
  if (scheme !== 'https' && scheme !== 'http') return 'is not an absolute http(s) URL';
  const authority = url.slice(sep + 3, authorityEnd(url, sep + 3));
  if (hostOf(authority) === undefined) return 'has an IPv6 host with no closing "]" (e.g. https://[::1]:8080/…)';
  return 'has no host (expected e.g. https://bedrock-runtime.us-east-1.amazonaws.com/…)';
}

export function compileHostReader(k: Knowledge): HostReader {
  const matchers = k.endpoints.flatMap((e) => e.hosts.map((h) => ({ endpoint: e.id, re: hostRegExp(h.template) })));
  return (host) => {
    for (const m of matchers) {
      const hit = m.re.exec(host);
      if (hit) return { endpoint: m.endpoint, region: hit[1] ?? null };
    }
    return undefined;
  };
}

/** Reads the API, operation, route and model of a path into `u`; the operations outside the APIs too. */
function compilePathReader(k: Knowledge): (path: string, u: UrlFacts) => void {
  const apis = k.apis.flatMap((a) =>
    a.operations.map((o) => ({ api: a.id, operation: o.id, route: o.route ?? null, re: pathRegExp(o.path), hasModel: o.path.includes('{model}') })),
  );
  const others = k.otherOperations.map((def) => ({ def, re: pathRegExp(def.path) }));
  return (path, u) => {
    for (const p of apis) {
      const hit = p.re.exec(path);
      if (!hit) continue;
      u.api = p.api;
      u.operation = p.operation;
      u.route = p.route;
      if (p.hasModel && hit[1] !== undefined) u.model = decode(hit[1]);
      return;
    }
    for (const o of others) {
      const hit = o.re.exec(path);
      if (!hit) continue;
      u.operation = o.def.id;
      u.other = o.def;
      if (hit[1] !== undefined) u.model = decode(hit[1]);
      return;
    }
  };
}

export function compileUrlReader(k: Knowledge): UrlReader {
  const readHost = compileHostReader(k);
  const readPath = compilePathReader(k);
  return (url) => {
    const parts = splitUrl(url);
    if (!parts) throw new PreflightInputError('E_INPUT_SHAPE', `the envelope's "url" ${urlProblem(url)}`);
    const host = readHost(parts.host);
    const u: UrlFacts = {
      host: parts.host,
      path: parts.path,
      endpoint: host?.endpoint,
      region: host?.region ?? null,
      api: null,
      operation: null,
      route: null,
      model: null,
      other: undefined,
    };
    readPath(parts.path, u);
    return u;
  };
}
