/**
 * What the in-application integrations share (the AWS SDK middleware and the fetch wrapper): their options, the
 * typed error that stops a request, and the guard that turns a report into "send", "warn and send" or "throw".
 * One guard per middleware or wrapper; the check itself is the library's (one shared, compiled `createPreflight()`).
 */
import * as z from 'zod/mini';
import { compileHostReader, splitUrl, type HostReader } from '../detect/url.js';
import { isPreflightInputError, PreflightInputError } from '../errors.js';
import { createPreflight, type Preflight } from '../preflight.js';
import { redact } from '../redact.js';
import type { CheckOptions, CheckReport, EndpointId, Finding, Knowledge, RequestTest, Severity } from '../types.js';

export type PreflightMode = 'error' | 'warn' | 'off';

/** Where a checked request was going, as given to `onFindings`. Credentials in the URL are redacted. */
export interface PreflightRequestInfo {
  method: string;
  url: string;
}

export interface PreflightIntegrationOptions {
  /**
   * `error` (default): a request with a finding at or above `failOn` is never sent; a `PreflightError` is thrown.
   * `warn`: findings are reported (`onFindings`, else the logger) and the request is sent. `off`: no check.
   */
  mode?: PreflightMode;
  /** The lowest severity that stops a request in `error` mode (default `error`). */
  failOn?: 'error' | 'warning';
  /**
   * The endpoint (`bedrock-runtime`, `bedrock-mantle`, `runtime`, `mantle`) behind a URL whose host is not a
   * Bedrock host: a proxy, a gateway, a local server. Requests to Bedrock hosts keep the endpoint of their host.
   */
  endpoint?: string;
  /** The Region behind a URL whose host is not a Bedrock host (Bedrock hosts name their Region). */
  region?: string;
  /**
   * Called with the report of each request that has a warning or error finding it does not stop. When given,
   * nothing is logged.
   */
  onFindings?: (report: CheckReport, request: PreflightRequestInfo) => void;
  /** Where warnings go when there is no `onFindings` (default `console`); each distinct finding is logged once. */
  logger?: { warn(message: string): void };
  /** The preflight to check with (default: the shared built-in one). */
  preflight?: Preflight;
}

const Options = z.object({
  mode: z.optional(z.enum(['error', 'warn', 'off'])),
  failOn: z.optional(z.enum(['error', 'warning'])),
  endpoint: z.optional(z.string()),
  region: z.optional(z.string()),
  onFindings: z.optional(z.custom<NonNullable<PreflightIntegrationOptions['onFindings']>>((v) => typeof v === 'function')),
  logger: z.optional(z.custom<NonNullable<PreflightIntegrationOptions['logger']>>((v) => v !== null && typeof v === 'object' && typeof (v as { warn?: unknown }).warn === 'function')),
  preflight: z.optional(z.custom<Preflight>((v) => v !== null && typeof v === 'object' && typeof (v as { check?: unknown }).check === 'function')),
});

const BRAND = Symbol.for('bedrock-preflight.PreflightError');
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** `<severity> <subject> at <path>: <message>` (without ` at <path>` when the finding has no path). */
export function findingLine(f: Finding): string {
  return redact(`${f.severity} ${f.subject}${f.path === undefined ? '' : ` at ${f.path}`}: ${f.message}`);
}

/**
 * A request stopped before it was sent. `report` is the check's report (as `check --format json` prints it);
 * `findings` are the findings that stopped it; the message has one line per such finding.
 *
 * The OpenAI and Anthropic SDKs treat an error thrown by their `fetch` as a connection error: they retry it and
 * then throw their own connection error with this one as its `cause`. `PreflightError.from(err)` finds it.
 */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
  readonly report: CheckReport;
  readonly findings: Finding[];

  constructor(report: CheckReport, findings: Finding[]) {
    super(findings.map(findingLine).join('\n'));
    this.report = report;
    this.findings = findings;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a PreflightError from any copy of this package (the ESM and CommonJS builds each have one). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /**
   * The PreflightError that is `err` or in its chain of `cause`s (as SDKs wrap it), else undefined. An SDK's error
   * for the synthetic 400 of `blocked: 'respond'` gives the PreflightError it stands for, rebuilt from its body.
   */
  static from(err: unknown): PreflightError | undefined {
    const seen = new Set<unknown>();
    for (let e = err; e !== null && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
      if (e instanceof PreflightError) return e;
      const answered = fromBlockedResponse(e);
      if (answered !== undefined) return answered;
      seen.add(e);
    }
    return undefined;
  }
}

const BLOCKED_HEADER = 'x-bedrock-preflight';

/**
 * The JSON body of a synthetic 400. Both SDKs make their error's message from a `message` member: the Anthropic
 * SDK keeps the whole body as `err.error`, the OpenAI SDK its `error` member, so that is where the findings go.
 */
interface BlockedBody {
  message: string;
  type: 'error';
  error: { type: 'invalid_request_error'; message: string; bedrock_preflight: Carried };
}
interface Carried {
  report: CheckReport;
  findings: Finding[];
}

/** The synthetic HTTP 400 that `blocked: 'respond'` answers with instead of sending the request. */
export function blockedResponse(e: PreflightError): Response {
  const body: BlockedBody = {
    message: e.message,
    type: 'error',
    error: { type: 'invalid_request_error', message: e.message, bedrock_preflight: { report: e.report, findings: e.findings } },
  };
  return new Response(JSON.stringify(body), {
    status: 400,
    statusText: 'Bad Request',
    headers: { 'content-type': 'application/json', 'x-should-retry': 'false', [BLOCKED_HEADER]: 'blocked' },
  });
}

/** An SDK error made from a synthetic 400 (status, headers and parsed body, as both SDKs keep them). */
function fromBlockedResponse(e: object): PreflightError | undefined {
  const { status, headers, error } = e as { status?: unknown; headers?: { get?: unknown }; error?: unknown };
  if (status !== 400 || headers === null || typeof headers !== 'object' || typeof headers.get !== 'function') return undefined;
  let marked: unknown;
  try {
    marked = (headers as Headers).get(BLOCKED_HEADER);
  } catch {
    return undefined; // not a Headers after all: not ours
  }
  if (marked !== 'blocked' || error === null || typeof error !== 'object') return undefined;
  const inner = error as { bedrock_preflight?: Partial<Carried>; error?: { bedrock_preflight?: Partial<Carried> } };
  const carried = inner.bedrock_preflight ?? inner.error?.bedrock_preflight;
  if (carried === undefined || !Array.isArray(carried.findings) || carried.report === null || typeof carried.report !== 'object') return undefined;
  return new PreflightError(carried.report, carried.findings);
}

/** True when `err`, or an error in its chain of `cause`s, is a PreflightError. */
export const isPreflightError = (err: unknown): boolean => PreflightError.from(err) !== undefined;

/** The part of an integration that decides, per request, whether and how to check, and what to do with the report. */
export interface Guard {
  readonly mode: PreflightMode;
  /**
   * The check options for a request to `url`, or null when requests to it are not checked (not a Bedrock host and
   * no `endpoint` option). `fallbackEndpoint` is the integration's own endpoint for unrecognised hosts (the AWS SDK
   * client only talks to bedrock-runtime); `fallbackRegion` the Region known from elsewhere (the client's).
   */
  target(url: string, fallbackEndpoint?: EndpointId, fallbackRegion?: string): CheckOptions | null;
  /** The request's headers as the check reads them (a plain record), from a record, a `Headers` or header pairs. */
  headers(h: unknown): Record<string, string> | undefined;
  /** Checks one request; throws PreflightError when it must not be sent, reports findings otherwise. */
  enforce(envelope: CheckedRequest, options: CheckOptions): CheckReport | undefined;
}

/** A request as an integration hands it to the check. */
interface CheckedRequest {
  method: string;
  url: string;
  headers?: unknown;
  body: unknown;
}

/** An integration's options, checked, with what they resolve to. */
interface GuardSettings {
  mode: PreflightMode;
  preflight: Preflight;
  endpoint: EndpointId | undefined;
  region: string | undefined;
  failRank: number;
  onFindings: PreflightIntegrationOptions['onFindings'];
  logger: { warn(message: string): void };
  /** Finding keys already logged (each distinct finding is logged once). */
  logged: Set<string>;
}

export function createGuard(options: PreflightIntegrationOptions = {}, what = 'bedrock-preflight'): Guard {
  const settings = guardSettings(options, what);
  const readHost = compileHostReader(settings.preflight.knowledge);
  const relevant = headerNamesOf(settings.preflight.knowledge);
  return {
    mode: settings.mode,
    target: (url, fallbackEndpoint, fallbackRegion) => targetOf(settings, readHost, url, fallbackEndpoint, fallbackRegion),
    headers: (h) => headersOf(relevant, h),
    enforce: (envelope, checkOptions) => enforce(settings, envelope, checkOptions),
  };
}

function guardSettings(options: PreflightIntegrationOptions, what: string): GuardSettings {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PreflightInputError('E_USAGE', `invalid ${what} options: ${issue ? `${issue.path.join('.') || '(options)'}: ${issue.message}` : 'not an object'}`);
  }
  const preflight = options.preflight ?? createPreflight();
  const endpoint = options.endpoint === undefined ? undefined : preflight.endpointId(options.endpoint);
  if (options.endpoint !== undefined && endpoint === undefined) {
    throw new PreflightInputError('E_UNKNOWN_ID', `unknown endpoint "${options.endpoint}" (expected bedrock-runtime, bedrock-mantle, runtime or mantle)`);
  }
  return {
    mode: options.mode ?? 'error',
    preflight,
    endpoint,
    region: options.region,
    failRank: RANK[options.failOn ?? 'error'],
    onFindings: options.onFindings,
    logger: options.logger ?? console,
    logged: new Set(),
  };
}

const FROM_HOST: CheckOptions = Object.freeze({});

/** A Bedrock host names its endpoint and Region; any other host takes them from the options, or is not checked. */
function targetOf(s: GuardSettings, readHost: HostReader, url: string, fallbackEndpoint?: EndpointId, fallbackRegion?: string): CheckOptions | null {
  const host = splitUrl(url)?.host;
  if (host !== undefined && readHost(host) !== undefined) return FROM_HOST;
  const endpoint = s.endpoint ?? fallbackEndpoint;
  if (endpoint === undefined) return null;
  const region = s.region ?? fallbackRegion;
  return region === undefined ? { endpoint } : { endpoint, region };
}

/**
 * The headers the check reads, as a plain record. A plain record is passed as it is; a `Headers` (what the
 * OpenAI and Anthropic SDKs hand to fetch) is asked only for the names the knowledge tests.
 */
function headersOf(relevant: readonly string[], h: unknown): Record<string, string> | undefined {
  if (h === undefined || h === null || typeof h !== 'object') return undefined;
  if (typeof Headers !== 'undefined' && h instanceof Headers) {
    const out: Record<string, string> = {};
    for (const name of relevant) {
      const v = h.get(name);
      if (v !== null) out[name] = v;
    }
    return out;
  }
  if (Array.isArray(h) || typeof (h as Headers).forEach === 'function' || Symbol.iterator in h) {
    try {
      return headersOf(relevant, new Headers(h as ConstructorParameters<typeof Headers>[0]));
    } catch {
      return undefined;
    }
  }
  return h as Record<string, string>; // a plain record, as fetch and the AWS SDK take it
}

function enforce(s: GuardSettings, envelope: CheckedRequest, checkOptions: CheckOptions): CheckReport | undefined {
  let r: CheckReport;
  try {
    r = s.preflight.check(envelope, checkOptions);
  } catch (e) {
    // Not a request the check can judge (e.g. a body that is not a JSON object): the service will.
    if (isPreflightInputError(e)) return undefined;
    throw e;
  }
  if (r.findings.length === 0) return r;
  if (s.mode !== 'error') {
    report(s, r, 0, envelope);
    return r;
  }
  const blocking = r.findings.filter((f) => RANK[f.severity] <= s.failRank);
  if (blocking.length > 0) throw new PreflightError(r, blocking);
  report(s, r, s.failRank + 1, envelope);
  return r;
}

/** Hands the warnings and errors at or below rank `below` to `onFindings` (once per report) or the logger. */
function report(s: GuardSettings, r: CheckReport, below: number, info: PreflightRequestInfo): void {
  const shown = r.findings.filter((f) => RANK[f.severity] <= RANK.warning && RANK[f.severity] >= below);
  if (shown.length === 0) return;
  if (s.onFindings !== undefined) {
    s.onFindings(r, { method: info.method, url: redact(info.url) });
    return;
  }
  for (const f of shown) {
    const key = `${f.code}\u0000${f.subject}\u0000${f.path ?? ''}`;
    if (s.logged.has(key)) continue;
    if (s.logged.size >= 1000) s.logged.clear();
    s.logged.add(key);
    s.logger.warn(`bedrock-preflight: ${findingLine(f)}`);
  }
}

/** The lower-cased header names the knowledge tests (capability signals and request-rule tests). */
export function headerNamesOf(k: Knowledge): string[] {
  const names = new Set<string>();
  for (const c of k.capabilities) for (const s of c.signals ?? []) if (s.header !== undefined) names.add(s.header.toLowerCase());
  const visit = (t: RequestTest | undefined): void => {
    if (t === undefined) return;
    if (t.header !== undefined) names.add(t.header.toLowerCase());
    if (t.headerAbsent !== undefined) names.add(t.headerAbsent.toLowerCase());
    for (const p of t.all ?? []) visit(p);
    for (const p of t.any ?? []) visit(p);
  };
  for (const r of k.requestRules ?? []) visit(r.when);
  return [...names];
}

/** Parses a JSON request body; undefined when it is not a JSON object (such requests are not checked). */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** UTF-8 text of a byte view, without string conversions on the view itself (SDK bodies may override them). */
export function utf8(bytes: ArrayBufferView): string {
  return decoder.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
