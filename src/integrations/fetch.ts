/**
 * bedrock-preflight/fetch: a fetch wrapper that checks requests to Bedrock before they are sent. The OpenAI and
 * Anthropic SDKs take it as their `fetch` option:
 *
 *   new OpenAI({ baseURL: 'https://bedrock-mantle.us-east-1.api.aws/v1', apiKey, fetch: preflightFetch() });
 *
 * Checked: POST requests with a JSON body to a host the check recognises as bedrock-runtime or bedrock-mantle, or,
 * with the `endpoint` option, to any host (a proxy or local base URL: the option says which endpoint is behind it).
 * Everything else is passed to the underlying fetch untouched: the same input and init objects.
 * A checked request is passed on unchanged too: its body is read without consuming it (a string or bytes are read
 * in place, a Request is cloned, a ReadableStream is teed and one branch sent on).
 */
import type { CheckOptions } from '../types.js';
import { PreflightInputError } from '../errors.js';
import { blockedResponse, createGuard, parseJsonBody, PreflightError, utf8, type PreflightIntegrationOptions } from './core.js';

export { PreflightError, isPreflightError, findingLine } from './core.js';
export type { PreflightIntegrationOptions, PreflightMode, PreflightRequestInfo } from './core.js';
export type { CheckReport, Finding } from '../types.js';

export interface PreflightFetchOptions extends PreflightIntegrationOptions {
  /**
   * How a stopped request ends (`error` mode). `throw` (default): the fetch call rejects with a PreflightError.
   * `respond`: it resolves to a synthetic HTTP 400 response that was never sent anywhere, whose JSON body carries
   * the findings. The OpenAI and Anthropic SDKs retry an error thrown by fetch (with backoff) but not a 400 marked
   * `x-should-retry: false`: with `respond` they throw their own 400 error at once, and PreflightError.from(err)
   * still finds the findings.
   */
  blocked?: 'throw' | 'respond';
}

/** The fetch signature the OpenAI and Anthropic SDKs call (and the global `fetch` has). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

interface RequestLike {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  clone(): { text(): Promise<string> };
}

function isRequestLike(v: unknown): v is RequestLike {
  return v !== null && typeof v === 'object' && typeof (v as RequestLike).url === 'string' && typeof (v as RequestLike).clone === 'function';
}

/** What to check and what to send: the parsed body (undefined: not checked) and the init to send with. */
interface Prepared {
  body: unknown;
  init: RequestInit | undefined;
  cancel?: () => void;
}

/** Reads the body without consuming it: synchronously for strings and bytes (the SDKs' case), else a promise. */
function prepare(input: string | URL | Request, init: RequestInit | undefined): Prepared | Promise<Prepared> {
  const body = init?.body;
  if (body === undefined || body === null) {
    if (isRequestLike(input) && input.body !== null && input.body !== undefined && (init === undefined || !('body' in init))) {
      return input.clone().text().then((text) => ({ body: parseJsonBody(text), init }));
    }
    return { body: undefined, init };
  }
  if (typeof body === 'string') return { body: parseJsonBody(body), init };
  if (ArrayBuffer.isView(body)) return { body: parseJsonBody(utf8(body)), init };
  if (body instanceof ArrayBuffer) return { body: parseJsonBody(utf8(new Uint8Array(body))), init };
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.text().then((text) => ({ body: parseJsonBody(text), init }));
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    const [mine, theirs] = body.tee();
    return new Response(mine).text().then((text) => ({
      body: parseJsonBody(text),
      init: { ...init, body: theirs, duplex: 'half' } as RequestInit,
      cancel: () => void theirs.cancel().catch(() => {}),
    }));
  }
  // URLSearchParams, FormData, async iterables: not JSON, or not readable without consuming them.
  return { body: undefined, init };
}

/**
 * Wraps `fetchImpl` (default: the global `fetch`, looked up at call time) with pre-flight checks; see the module
 * comment. `preflightFetch(options)` and `preflightFetch(fetchImpl, options)` both work. Invalid options throw a
 * PreflightInputError at once.
 */
export function preflightFetch(options?: PreflightFetchOptions): FetchLike;
export function preflightFetch(fetchImpl: FetchLike | undefined, options?: PreflightFetchOptions): FetchLike;
export function preflightFetch(a?: FetchLike | PreflightFetchOptions, b?: PreflightFetchOptions): FetchLike {
  const fetchImpl = typeof a === 'function' ? a : undefined;
  const options = (typeof a === 'function' || a === undefined ? b : a) ?? {};
  const guard = createGuard(options, 'bedrock-preflight/fetch');
  if (options.blocked !== undefined && options.blocked !== 'throw' && options.blocked !== 'respond') {
    throw new PreflightInputError('E_USAGE', 'invalid bedrock-preflight/fetch options: blocked: expected "throw" or "respond"');
  }
  const respond = options.blocked === 'respond';
  const send = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    fetchImpl !== undefined ? fetchImpl(input, init) : globalThis.fetch(input, init);
  if (guard.mode === 'off') return send;

  const checkThenSend = (
    input: string | URL | Request,
    init: RequestInit | undefined,
    method: string,
    url: string,
    target: CheckOptions,
    prepared: Prepared,
  ): Promise<Response> => {
    if (prepared.body === undefined) return send(input, prepared.init);
    const headers = guard.headers(init?.headers ?? (isRequestLike(input) ? input.headers : undefined));
    try {
      guard.enforce(headers === undefined ? { method, url, body: prepared.body } : { method, url, headers, body: prepared.body }, target);
    } catch (e) {
      prepared.cancel?.();
      if (respond && e instanceof PreflightError) return Promise.resolve(blockedResponse(e));
      return Promise.reject(e);
    }
    return send(input, prepared.init);
  };

  // Not an async function: for string and byte bodies the check runs and the request is handed on in the same
  // tick, without yielding to the event loop in between.
  return function fetchWithPreflight(input, init) {
    try {
      const request = isRequestLike(input) ? input : undefined;
      const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
      if (method !== 'POST') return send(input, init);
      const url = typeof input === 'string' ? input : request !== undefined ? request.url : String(input);
      const target = guard.target(url);
      if (target === null) return send(input, init);
      const prepared = prepare(input, init);
      if (prepared instanceof Promise) return prepared.then((p) => checkThenSend(input, init, method, url, target, p));
      return checkThenSend(input, init, method, url, target, prepared);
    } catch (e) {
      return Promise.reject(e);
    }
  };
}
