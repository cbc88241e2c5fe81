/**
 * bedrock-preflight/aws-sdk: pre-flight checks inside the AWS SDK for JavaScript v3 (BedrockRuntimeClient).
 *
 *   client.middlewareStack.use(preflightPlugin({ mode: 'error' }));   // or: withPreflight(client, options)
 *
 * The middleware sits at the end of the `build` step: after the command is serialized (so it sees the real URL and
 * headers that will be sent) and before `finalizeRequest`, where the SDK retries and signs. A request it stops is
 * never signed, never retried and never sent. Converse, ConverseStream, InvokeModel and
 * InvokeModelWithResponseStream are checked; every other command passes through. The body checked is the one the
 * SDK serialized, as it will be sent.
 *
 * The endpoint and Region come from the request's host (a standard, FIPS, dual-stack or PrivateLink host). For a
 * custom `endpoint` the check cannot place (a proxy, a local server), the endpoint is bedrock-runtime (or the
 * `endpoint` option) and the Region the client's.
 *
 * Nothing here imports the AWS SDK: the types below are the structural subset of @smithy/types it needs.
 */
import { PreflightInputError } from '../errors.js';
import type { EndpointId } from '../types.js';
import { createGuard, parseJsonBody, utf8, type PreflightIntegrationOptions } from './core.js';

export { PreflightError, isPreflightError, findingLine } from './core.js';
export type { PreflightIntegrationOptions, PreflightMode, PreflightRequestInfo } from './core.js';
export type { CheckReport, Finding } from '../types.js';

export interface AwsSdkPreflightOptions extends PreflightIntegrationOptions {
  /**
   * What a Converse or ConverseStream check reads as the body: the text the SDK serialized (`serialized`, the
   * default: what is sent), or the command's `input` object as given (`input`: members the SDK does not model, and
   * so drops, are checked too; the SDK's serialization is not read).
   */
  converseBody?: 'input' | 'serialized';
}

/** The parts of a Smithy HttpRequest the middleware reads. */
interface HttpRequestLike {
  method: string;
  protocol: string;
  hostname: string;
  port?: number | undefined;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** The parts of a Smithy HandlerExecutionContext the middleware reads. */
export interface PreflightMiddlewareContext {
  commandName?: string;
  [key: string]: unknown;
}

/** A Smithy build-step middleware (`BuildMiddleware<Input, Output>`). */
export type PreflightBuildMiddleware = <Args extends { input: object; request?: unknown }, Out>(
  next: (args: Args) => Promise<Out>,
  context: PreflightMiddlewareContext,
) => (args: Args) => Promise<Out>;

/** A Smithy `Pluggable`: `client.middlewareStack.use(preflightPlugin())`. */
export interface PreflightPlugin {
  applyToStack: (stack: {
    add(middleware: any, options: any): void;
  }) => void;
}

/** Where the middleware goes: `client.middlewareStack.add(preflightMiddleware(), preflightMiddlewareOptions)`. */
export const preflightMiddlewareOptions = Object.freeze({
  step: 'build' as const,
  priority: 'low' as const,
  name: 'bedrockPreflightMiddleware',
  tags: ['BEDROCK_PREFLIGHT'],
  override: true,
});

const CHECKED_COMMANDS = new Set(['ConverseCommand', 'ConverseStreamCommand', 'InvokeModelCommand', 'InvokeModelWithResponseStreamCommand']);
/** Commands whose input is the JSON body itself, but for `modelId`, which goes into the URL. */
const INPUT_IS_BODY = new Set(['ConverseCommand', 'ConverseStreamCommand']);

type RegionProvider = () => string | undefined | Promise<string | undefined>;

function isHttpRequest(r: unknown): r is HttpRequestLike {
  if (r === null || typeof r !== 'object') return false;
  const h = r as Partial<HttpRequestLike>;
  return typeof h.hostname === 'string' && typeof h.path === 'string' && typeof h.protocol === 'string' && typeof h.method === 'string';
}

function requestUrl(r: HttpRequestLike): string {
  const scheme = r.protocol.endsWith(':') ? r.protocol : `${r.protocol}:`;
  return `${scheme}//${r.hostname}${r.port === undefined ? '' : `:${r.port}`}${r.path}`;
}

/** The signing Region the SDK selected for this request (SigV4), if any. */
function signingRegion(context: PreflightMiddlewareContext): string | undefined {
  const smithy = context['__smithy_context'] as { selectedHttpAuthScheme?: { httpAuthOption?: { signingProperties?: { region?: unknown } } } } | undefined;
  const region = smithy?.selectedHttpAuthScheme?.httpAuthOption?.signingProperties?.region;
  return typeof region === 'string' && region !== '' ? region : undefined;
}

/**
 * The body a Converse or ConverseStream input serializes to, as far as the check reads it (`converseBody:
 * 'input'`): every member but `modelId` (which is in the URL), under the same names. Where the two can differ,
 * they agree for the check: the SDK leaves out null members (the check treats null as absent) and sends bytes as
 * base64 text (the check only asks whether they are there). Members the SDK does not model are checked as given,
 * although it drops them.
 */
function converseBody(input: object): Record<string, unknown> {
  const { modelId: _, ...body } = input as Record<string, unknown>;
  return body;
}

/** The text of a serialized body; undefined when it cannot be read without consuming it (a stream). */
function bodyText(body: unknown): string | Promise<string> | undefined {
  if (typeof body === 'string') return body;
  if (ArrayBuffer.isView(body)) return utf8(body);
  if (body instanceof ArrayBuffer) return utf8(new Uint8Array(body));
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.text();
  return undefined;
}

function createMiddleware(options: AwsSdkPreflightOptions, regionProvider?: RegionProvider): PreflightBuildMiddleware {
  const guard = createGuard(options, 'bedrock-preflight/aws-sdk');
  const converseFromInput = options.converseBody === 'input';
  if (!converseFromInput && options.converseBody !== undefined && options.converseBody !== 'serialized') {
    throw new PreflightInputError('E_USAGE', `invalid bedrock-preflight/aws-sdk options: converseBody: expected "serialized" or "input"`);
  }
  const runtime: EndpointId = 'bedrock-runtime';
  return <Args extends { input: object; request?: unknown }, Out>(next: (args: Args) => Promise<Out>, context: PreflightMiddlewareContext): ((args: Args) => Promise<Out>) => {
    const commandName = context.commandName ?? '';
    if (guard.mode === 'off' || !CHECKED_COMMANDS.has(commandName)) return next;
    const inputIsBody = converseFromInput && INPUT_IS_BODY.has(commandName);
    // Not async functions: in the usual case (a text body, a signing Region) the check runs and the request is
    // handed on in the same tick, and the SDK's promise is returned as it is, without the extra promise and
    // microtask turns of an async wrapper.
    const checkThenNext = (args: Args, request: HttpRequestLike, url: string, text: string | undefined, region: string | undefined): Promise<Out> => {
      const target = guard.target(url, runtime, region)!;
      const body = text === undefined ? converseBody(args.input) : parseJsonBody(text);
      if (body === undefined) return next(args); // not a JSON object: the service will judge it
      guard.enforce({ method: request.method, url, headers: request.headers, body }, target);
      return next(args);
    };
    /** `text` undefined: the body is the command's input. */
    const withText = (args: Args, request: HttpRequestLike, url: string, text: string | undefined): Promise<Out> => {
      const region = options.region ?? signingRegion(context);
      if (region === undefined && regionProvider !== undefined) {
        return Promise.resolve(regionProvider()).then((r) => checkThenNext(args, request, url, text, r));
      }
      return checkThenNext(args, request, url, text, region);
    };
    return (args) => {
      try {
        const request = args.request;
        if (!isHttpRequest(request)) return next(args);
        const url = requestUrl(request);
        if (inputIsBody && args.input !== null && typeof args.input === 'object') return withText(args, request, url, undefined);
        const text = bodyText(request.body);
        if (text === undefined) return next(args);
        if (typeof text !== 'string') return text.then((t) => withText(args, request, url, t));
        return withText(args, request, url, text);
      } catch (e) {
        return Promise.reject(e);
      }
    };
  };
}

/**
 * The middleware itself, for `client.middlewareStack.add(preflightMiddleware(options), preflightMiddlewareOptions)`.
 * Throws PreflightInputError at once for invalid options (an unknown mode or endpoint).
 */
export function preflightMiddleware(options: AwsSdkPreflightOptions = {}): PreflightBuildMiddleware {
  return createMiddleware(options);
}

/** The middleware as a plugin: `client.middlewareStack.use(preflightPlugin(options))` (or on one command). */
export function preflightPlugin(options: AwsSdkPreflightOptions = {}): PreflightPlugin {
  return pluginOf(createMiddleware(options));
}

function pluginOf(middleware: PreflightBuildMiddleware): PreflightPlugin {
  return {
    applyToStack(stack) {
      stack.add(middleware, { ...preflightMiddlewareOptions, tags: [...preflightMiddlewareOptions.tags] });
    },
  };
}

/** A client (BedrockRuntimeClient) as far as `withPreflight` needs it. */
export interface PreflightClientLike {
  middlewareStack: { use(plugin: PreflightPlugin): void };
  config?: { region?: unknown };
}

/**
 * Adds the plugin to a client and returns the client. The client's own Region provider is used for custom
 * endpoints when the request carries no signing Region (e.g. with a Bedrock API key).
 */
export function withPreflight<C extends PreflightClientLike>(client: C, options: AwsSdkPreflightOptions = {}): C {
  const region = client.config?.region;
  const provider: RegionProvider | undefined =
    typeof region === 'function' ? async () => {
      try {
        const r: unknown = await (region as () => unknown)();
        return typeof r === 'string' ? r : undefined;
      } catch {
        return undefined;
      }
    } : typeof region === 'string' ? () => region : undefined;
  client.middlewareStack.use(pluginOf(createMiddleware(options, provider)));
  return client;
}
