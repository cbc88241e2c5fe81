/**
 * The HTTP decision service: check and recommend over HTTP, on node:http, stateless.
 *
 *   POST /v1/check       the document `check` takes (an envelope, or a bare body with query parameters endpoint,
 *                        api, model, region); answers `check --format json`'s document, 200 for any report
 *   POST /v1/recommend   { "needs": [...] } or { "request": {...}, "options"?: {...} }; answers `recommend --format json`
 *   GET  /healthz        { "status": "ok" }
 *
 * Errors are JSON, `{ "error": { "code", "message", "line"?, "column"? } }`: 400 for a body that is not a
 * well-formed document (E_INPUT_PARSE, E_INPUT_SHAPE, E_INPUT_LIMIT for nesting), 413 for a body over the limit
 * (read no further), 422 when the check cannot do its job with a well-formed document (E_UNKNOWN_ENDPOINT,
 * E_UNKNOWN_ID, …), 404 unknown path, 405 wrong method (with Allow), 500 a bug (details only in the log).
 * Request bodies are never logged and never echoed; error messages are redacted. Answers are compact JSON (one
 * line), indented with `?pretty`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod/mini';
import { isPreflightInputError, PreflightInputError, type PreflightErrorCode } from '../errors.js';
import type { InputFormat } from '../input/parse.js';
import { parseBoundedInput, YAML_TOO_LARGE } from '../input/yaml-bounds.js';
import { decodeInput, formatByteSize } from '../input/read.js';
import { LIBRARY_HINT } from '../detect/detect.js';
import { createPreflight, type Preflight } from '../preflight.js';
import { escapeJsonText, redact, remembered, sanitizeStrings } from '../redact.js';
import type { CheckOptions } from '../types.js';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_BODY = 1024 * 1024;
/**
 * Largest YAML body, in bytes. YAML parses some 20 times slower than JSON; at 64 KiB one body costs well under
 * 0.2 s of CPU, so that a few in flight cannot hold /healthz up for long. JSON bodies keep `maxBodyBytes`.
 */
export const DEFAULT_MAX_YAML_BODY = 64 * 1024;

export interface ServeOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8787; 0 picks a free one). */
  port?: number;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Deepest nesting of objects and arrays accepted in a body (default 200). */
  maxDepth?: number;
  /** Largest YAML body accepted, in bytes (default 64 KiB); larger ones get 413. */
  maxYamlBodyBytes?: number;
  /**
   * When set, POST routes need `Authorization: Bearer <token>` (compared in constant time); /healthz stays open.
   * Give it from an environment variable or a file, never on a command line that `ps` shows.
   */
  token?: string;
  /** Time allowed to receive a request's headers, ms (default 10 s). */
  headersTimeout?: number;
  /** Time allowed to receive a whole request, ms (default 30 s). */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open, ms (default 5 s). */
  keepAliveTimeout?: number;
  /** On close(), how long in-flight requests may take before their connections are cut, ms (default 10 s). */
  shutdownTimeout?: number;
  /** The preflight to answer with (default: the shared built-in one). */
  preflight?: Preflight;
  /** Where internal errors are reported (redacted, one line each; default console.error). */
  log?: (line: string) => void;
}

export interface PreflightServer {
  /** The node:http server (not listening until listen()). */
  readonly server: http.Server;
  /** Starts listening; resolves with the base URL, e.g. http://127.0.0.1:8787. */
  listen(): Promise<string>;
  /** The base URL once listening. */
  readonly url: string | undefined;
  /** Stops accepting connections, lets in-flight requests finish (up to shutdownTimeout), then resolves. */
  close(): Promise<void>;
}

const Ms = z.number().check(z.int(), z.minimum(1), z.maximum(3_600_000));
const Options = z.object({
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(65535))),
  maxBodyBytes: z.optional(z.number().check(z.int(), z.minimum(1))),
  maxDepth: z.optional(z.number().check(z.int(), z.minimum(1))),
  maxYamlBodyBytes: z.optional(z.number().check(z.int(), z.minimum(1))),
  token: z.optional(z.string().check(z.minLength(16))),
  headersTimeout: z.optional(Ms),
  requestTimeout: z.optional(Ms),
  keepAliveTimeout: z.optional(Ms),
  shutdownTimeout: z.optional(z.number().check(z.int(), z.minimum(0))),
  preflight: z.optional(z.custom<Preflight>((v) => v !== null && typeof v === 'object' && typeof (v as Preflight).check === 'function')),
  log: z.optional(z.custom<(line: string) => void>((v) => typeof v === 'function')),
});

const RecommendBody = z.union([
  z.strictObject({ needs: z.array(z.string()) }),
  z.strictObject({
    request: z.record(z.string(), z.unknown()),
    options: z.optional(z.strictObject({ endpoint: z.optional(z.string()), api: z.optional(z.string()), model: z.optional(z.string()), region: z.optional(z.string()) })),
  }),
]);

type ErrorCode = PreflightErrorCode | 'E_NOT_FOUND' | 'E_METHOD_NOT_ALLOWED' | 'E_UNAUTHORIZED' | 'E_INTERNAL';

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Compact JSON, or indented with `?pretty` (a person reading with curl); a newline at the end either way. */
const serialize = (v: unknown, pretty: boolean): string => `${pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v)}\n`;

/** `?pretty`, `?pretty=1` or `?pretty=true` (any other value of pretty, or none, gives compact JSON). */
function wantsPretty(rawUrl: string): boolean {
  const q = rawUrl.indexOf('?');
  if (q === -1) return false;
  const v = new URLSearchParams(rawUrl.slice(q + 1)).get('pretty');
  return v === '' || v === '1' || v === 'true';
}

const errorReply = (status: number, code: ErrorCode, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Reply => ({
  status,
  body: { error: { code, message: redact(message), ...extra } },
  ...(headers ? { headers } : {}),
});

/** A parse-phase PreflightInputError → 400 (the document is not well-formed), with its position when known. */
function badDocument(e: PreflightInputError): Reply {
  return errorReply(400, e.code, e.message, e.position ? { line: e.position.line, column: e.position.column } : {});
}

const unprocessable = (e: PreflightInputError): Reply => errorReply(422, e.code, serviceWording(e.message));

/** Detection's hints name the command line's flags; over HTTP the same choice is a query parameter. */
const serviceWording = (message: string): string =>
  message.replace(LIBRARY_HINT, '').replace('pass --endpoint runtime or --endpoint mantle', 'add ?endpoint=runtime or ?endpoint=mantle to the URL').replace(/pass --(endpoint|api|model|region)\b/g, 'add ?$1= to the URL');

/** A check of `Authorization: Bearer <token>` in constant time (digests of equal length are compared). */
function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const want = createHash('sha256').update(token).digest();
  return (header) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
    return m !== null && timingSafeEqual(createHash('sha256').update(m[1]!).digest(), want);
  };
}

const unauthorized = errorReply(401, 'E_UNAUTHORIZED', 'this server needs Authorization: Bearer <token>', {}, { 'www-authenticate': 'Bearer' });

/** Whether `host` is a loopback interface (nothing beyond this machine can connect). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function formatOf(contentType: string | undefined): InputFormat | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml' || type === 'text/x-yaml' || type.endsWith('+yaml')) return 'yaml';
  return undefined; // anything else (curl's form default, text/plain): by content
}

type Body = { bytes: Buffer } | { tooLarge: true } | { aborted: true };

/** Reads the body up to `max` bytes; past that, stops keeping it (the rest is discarded as it arrives). */
function readBody(req: http.IncomingMessage, max: number): Promise<Body> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) {
    req.resume();
    return Promise.resolve({ tooLarge: true });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (b: Body) => {
      if (!settled) {
        settled = true;
        resolve(b);
      }
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > max) {
        chunks.length = 0;
        settle({ tooLarge: true });
      } else chunks.push(chunk);
    });
    req.on('end', () => settle({ bytes: Buffer.concat(chunks, size) }));
    req.on('error', () => settle({ aborted: true }));
    req.on('close', () => settle({ aborted: true }));
  });
}

const ROUTES: Record<string, readonly string[]> = {
  '/v1/check': ['POST'],
  '/v1/recommend': ['POST'],
  '/healthz': ['GET', 'HEAD'],
};

/** What answering a request needs; built once per listener. */
interface ServeContext {
  readonly preflight: Preflight;
  readonly maxBody: number;
  readonly limits: { maxBytes: number; maxYamlBytes: number; maxDepth?: number };
  readonly authorized: (header: string | undefined) => boolean;
  readonly clean: (text: string) => string;
  readonly log: (line: string) => void;
  readonly tooLarge: Reply;
}

function serveContext(options: ServeOptions): ServeContext {
  const o = checkOptions(options);
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return {
    preflight: o.preflight ?? createPreflight(),
    maxBody,
    limits: { maxBytes: maxBody, maxYamlBytes: o.maxYamlBodyBytes ?? DEFAULT_MAX_YAML_BODY, ...(o.maxDepth === undefined ? {} : { maxDepth: o.maxDepth }) },
    authorized: bearerCheck(o.token),
    clean: remembered(redact),
    log: o.log ?? ((line: string) => console.error(line)),
    tooLarge: errorReply(413, 'E_INPUT_LIMIT', `the request body is larger than the limit of ${formatByteSize(maxBody)} (${maxBody} bytes)`, {}, { connection: 'close' }),
  };
}

function parseDocument(ctx: ServeContext, bytes: Buffer, contentType: string | undefined): unknown {
  const text = decodeInput(bytes, '<request body>');
  const format = formatOf(contentType);
  return parseBoundedInput(text, '<request body>', { limits: ctx.limits, ...(format ? { format } : {}) }).value;
}

function requestOptions(query: URLSearchParams): CheckOptions {
  const out: CheckOptions = {};
  for (const k of ['endpoint', 'api', 'model', 'region'] as const) {
    const v = query.get(k);
    if (v !== null) out[k] = v;
  }
  return out;
}

function answer(preflight: Preflight, path: string, query: URLSearchParams, doc: unknown): Reply {
  if (path === '/v1/check') return { status: 200, body: preflight.check(doc, requestOptions(query)) };
  const parsed = RecommendBody.safeParse(doc);
  if (!parsed.success) {
    return errorReply(400, 'E_INPUT_SHAPE', 'expected { "needs": ["id", …] } or { "request": { … }, "options"?: { "endpoint"?, "api"?, "model"?, "region"? } }');
  }
  const body = parsed.data;
  if ('needs' in body) return { status: 200, body: preflight.recommend({ needs: body.needs }) };
  return { status: 200, body: preflight.recommend({ request: body.request, options: { ...requestOptions(query), ...body.options } }) };
}

/** The answer for a request that never reaches a body (unknown path, wrong method, health, no token); undefined to go on. */
function answerWithoutBody(ctx: ServeContext, req: http.IncomingMessage, path: string): Reply | undefined {
  const methods = ROUTES[path];
  let reply: Reply | undefined;
  if (methods === undefined) reply = errorReply(404, 'E_NOT_FOUND', 'no such path; the routes are POST /v1/check, POST /v1/recommend and GET /healthz');
  else if (!methods.includes(req.method ?? '')) reply = errorReply(405, 'E_METHOD_NOT_ALLOWED', `${path} takes ${methods.join(' or ')}`, {}, { allow: methods.join(', ') });
  else if (path === '/healthz') reply = { status: 200, body: { status: 'ok' } };
  else if (!ctx.authorized(req.headers.authorization)) reply = unauthorized;
  if (reply !== undefined) req.resume();
  return reply;
}

/** The request's document, or the reply that refuses it (undefined when the client went away). */
async function readDocument(ctx: ServeContext, req: http.IncomingMessage): Promise<{ doc: unknown } | Reply | undefined> {
  const body = await readBody(req, ctx.maxBody);
  if ('aborted' in body) return undefined;
  if ('tooLarge' in body) return ctx.tooLarge;
  try {
    return { doc: parseDocument(ctx, body.bytes, req.headers['content-type']) };
  } catch (e) {
    if (!isPreflightInputError(e)) throw e;
    if (e.code === 'E_INPUT_LIMIT' && e.position === undefined) return e.message.startsWith(YAML_TOO_LARGE) ? errorReply(413, e.code, e.message) : ctx.tooLarge;
    return badDocument(e);
  }
}

async function handle(ctx: ServeContext, req: http.IncomingMessage): Promise<Reply | undefined> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const early = answerWithoutBody(ctx, req, path);
  if (early !== undefined) return early;
  const read = await readDocument(ctx, req);
  if (read === undefined || !('doc' in read)) return read;
  try {
    return answer(ctx.preflight, path, new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)), read.doc);
  } catch (e) {
    if (!isPreflightInputError(e)) throw e;
    return unprocessable(e);
  }
}

/** The request listener alone, to mount in another node:http server. */
export function createRequestListener(options: ServeOptions = {}): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const ctx = serveContext(options);
  return (req, res) => {
    const pretty = wantsPretty(req.url ?? '/');
    handle(ctx, req).then(
      (reply) => {
        if (reply !== undefined) send(res, reply, ctx.clean, pretty);
      },
      (e: unknown) => {
        const err = e as Error;
        ctx.log(redact(`bedrock-preflight serve: internal error on ${req.method ?? '?'} ${(req.url ?? '').split('?', 1)[0]}: ${err?.message ?? String(e)}`));
        send(res, errorReply(500, 'E_INTERNAL', 'internal error'), ctx.clean, pretty);
      },
    );
  };
}

function send(res: http.ServerResponse, reply: Reply, clean: (text: string) => string, pretty: boolean): void {
  if (res.headersSent || res.destroyed) return;
  // Every string answered is redacted (JSON escapes control characters itself).
  const text = escapeJsonText(serialize(sanitizeStrings(reply.body, { clean }), pretty));
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  });
  res.end(text);
}

function checkOptions(options: ServeOptions): ServeOptions {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PreflightInputError('E_USAGE', `invalid serve options: ${issue ? `${issue.path.join('.') || '(options)'}: ${issue.message}` : 'not an object'}`);
  }
  return options;
}

/** A server for check and recommend; see the module comment. Nothing listens until `listen()`. */
export function createServer(options: ServeOptions = {}): PreflightServer {
  const o = checkOptions(options);
  const listener = createRequestListener(o);
  let closing = false;
  const headersTimeout = o.headersTimeout ?? 10_000;
  const requestTimeout = o.requestTimeout ?? 30_000;
  // Node checks these timeouts on an interval (30 s by default): check often enough for them to hold.
  const connectionsCheckingInterval = Math.max(100, Math.min(5_000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4)));
  const server = http.createServer({ connectionsCheckingInterval }, (req, res) => {
    // While shutting down, connections close after their in-flight response.
    if (closing) res.setHeader('connection', 'close');
    else res.once('finish', () => closing && setImmediate(() => server.closeIdleConnections()));
    listener(req, res);
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = o.keepAliveTimeout ?? 5_000;
  let url: string | undefined;
  let closed: Promise<void> | undefined;

  return {
    server,
    get url() {
      return url;
    },
    listen() {
      return new Promise<string>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        server.once('error', onError);
        server.listen(o.port ?? DEFAULT_PORT, o.host ?? DEFAULT_HOST, () => {
          server.off('error', onError);
          const a = server.address() as AddressInfo;
          const host = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
          url = `http://${host}:${a.port}`;
          resolve(url);
        });
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        if (!server.listening) return resolve();
        const force = setTimeout(() => server.closeAllConnections(), o.shutdownTimeout ?? 10_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
