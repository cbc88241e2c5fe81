/**
 * serve: the HTTP decision service (src/serve) on the command line. Prints one line on start to stderr (and, with
 * --format json, `{ "url", "host", "port" }` on stdout, e.g. to learn the port of --port 0); stops on SIGTERM or
 * SIGINT after in-flight requests finish, with exit code 0.
 */
import * as z from 'zod/mini';
import { SUMMARIES } from './summaries.js';
import { PreflightInputError } from '../../errors.js';
import { readFileSync } from 'node:fs';
import { sanitize } from '../../redact.js';
import { createServer, isLoopbackHost, DEFAULT_HOST, DEFAULT_MAX_BODY, DEFAULT_MAX_YAML_BODY, DEFAULT_PORT } from '../../serve/index.js';
import { json, usage, type Command } from '../command.js';

const Port = z.pipe(z.string().check(z.regex(/^[0-9]{1,5}$/)), z.transform(Number)).check(z.refine((n) => n <= 65535));
const Bytes = z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,12}$/)), z.transform(Number));

const TOKEN_ENV = 'BEDROCK_PREFLIGHT_TOKEN';

/** The bearer token: from --token-file (first line), else from the environment; at least 16 characters. */
function serveToken(file: string | boolean | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  let token: string | undefined;
  if (typeof file === 'string') {
    try {
      token = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0]!.trim();
    } catch (e) {
      throw new PreflightInputError('E_INPUT_READ', `cannot read the token file: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`, { file });
    }
  } else if (env[TOKEN_ENV] !== undefined && env[TOKEN_ENV] !== '') token = env[TOKEN_ENV]!.trim();
  if (token !== undefined && token.length < 16) {
    throw new PreflightInputError('E_USAGE', `the serve token must have at least 16 characters (from ${typeof file === 'string' ? '--token-file' : TOKEN_ENV})`);
  }
  return token;
}

export const serve: Command = {
  summary: SUMMARIES.serve,
  usage: `bedrock-preflight serve [--port N] [--host H] [--max-body N]

  --port N         port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H         interface to listen on (default ${DEFAULT_HOST})
  --max-body N     largest request body accepted, in bytes (default ${DEFAULT_MAX_BODY}); larger ones get 413
  --token-file FILE    require Authorization: Bearer <token> on the POST routes, the token read from FILE
                       (or from the environment variable ${TOKEN_ENV}; never a flag value, which ps would show)
  --format text|json   json also prints { "url", "host", "port" } on stdout once listening

  Bounds: bodies up to --max-body (JSON) and ${DEFAULT_MAX_YAML_BODY / 1024} KiB (YAML), nesting up to 200 levels.

  POST /v1/check       the document check takes (envelope, or bare body with ?endpoint=&api=&model=&region=)
  POST /v1/recommend   { "needs": [...] } or { "request": {...} }
  GET  /healthz        { "status": "ok" }
Stops on SIGTERM or SIGINT after in-flight requests finish (exit code 0).`,
  examples: ['bedrock-preflight serve --port 8787', "curl -s localhost:8787/v1/check -d @examples/mantle-messages-structured-output.json"],
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'max-body': { type: 'string' },
    'token-file': { type: 'string' },
  },
  formats: ['text', 'json'],
  async run({ positionals, values, format, io, preflight }) {
    if (positionals.length > 0) throw usage(`serve takes no arguments; got ${positionals.join(' ')}`);
    const portFlag = values['port'];
    const port = portFlag === undefined ? DEFAULT_PORT : Port.safeParse(portFlag);
    if (typeof port !== 'number' && !port.success) throw usage(`--port takes a port number from 0 to 65535, not "${String(portFlag)}"`);
    const hostFlag = values['host'];
    if (hostFlag !== undefined && (typeof hostFlag !== 'string' || hostFlag === '')) throw usage('--host takes a host name or address');
    const maxFlag = values['max-body'];
    const maxBody = maxFlag === undefined ? DEFAULT_MAX_BODY : Bytes.safeParse(maxFlag);
    if (typeof maxBody !== 'number' && !maxBody.success) throw usage(`--max-body takes a positive whole number of bytes, not "${String(maxFlag)}"`);

    const host = (hostFlag as string | undefined) ?? DEFAULT_HOST;
    const token = serveToken(values['token-file'], io.env);
    if (token === undefined && !isLoopbackHost(host)) {
      io.stderr(`bedrock-preflight: warning: listening on ${sanitize(host)}, beyond this machine, without authentication; set ${TOKEN_ENV} or --token-file\n`);
    }
    const server = createServer({
      host,
      ...(token === undefined ? {} : { token }),
      port: typeof port === 'number' ? port : port.data,
      maxBodyBytes: typeof maxBody === 'number' ? maxBody : maxBody.data,
      preflight,
      log: (line) => io.stderr(`${line}\n`),
    });
    // Listen for the signals before anything is printed: a supervisor may signal as soon as it reads the line.
    let onSignal = (): void => {};
    const stopped = new Promise<void>((resolve) => (onSignal = resolve));
    const unlisten = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    let url: string;
    try {
      url = await server.listen();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      unlisten();
      const why = err.code === 'EADDRINUSE' ? 'the address is in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      throw new PreflightInputError('E_USAGE', `cannot listen on ${host}:${typeof port === 'number' ? port : port.data}: ${why}`);
    }
    io.stderr(`listening on ${url}\n`);
    if (format === 'json') {
      const { port: actual } = new URL(url);
      io.stdout(json({ url, host, port: Number(actual) }));
    }
    await stopped;
    unlisten();
    await server.close();
    return 0;
  },
};
