/**
 * What every command shares: the context it runs in, flag sets, reading a request file, errors as exit code 2.
 * A command parses nothing itself and prints through `io`; it returns its exit code.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Preflight } from '../preflight.js';
import { isPreflightInputError, PreflightInputError } from '../errors.js';
import { escapeJsonText, sanitizeStrings } from '../redact.js';
import { parseBoundedInput } from '../input/yaml-bounds.js';
import { isJsonLinesName } from '../input/parse.js';
import { readInputFileSync, type InputLimits } from '../input/read.js';
import { HELP_FLAGS } from './help.js';
import * as z from 'zod/mini';
import type { CheckOptions } from '../types.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  columns?: number;
}

export type Format = 'text' | 'json' | 'md' | 'html' | 'stylish' | 'sarif' | 'junit' | 'github';

export const COMMON = {
  format: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const REQUEST = {
  endpoint: { type: 'string' },
  api: { type: 'string' },
  model: { type: 'string' },
  region: { type: 'string' },
  'max-bytes': { type: 'string' },
  'max-depth': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const PositiveInt = z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,12}$/)), z.transform(Number));

/** --max-bytes and --max-depth, checked (positive integers) and turned into input limits. */
export function limitsFrom(values: Context['values']): Partial<InputLimits> {
  const limits: Partial<InputLimits> = {};
  for (const [flag, key] of [['max-bytes', 'maxBytes'], ['max-depth', 'maxDepth']] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    const r = PositiveInt.safeParse(v);
    if (!r.success) throw usage(`--${flag} takes a positive whole number, not "${String(v)}"`);
    limits[key] = r.data;
  }
  return limits;
}

export interface Command {
  summary: string;
  usage: string;
  /** Command lines a newcomer can paste (from the repository's root), shown by `help <command>`. */
  examples: readonly string[];
  options: ParseArgsConfig['options'];
  formats: readonly Format[];
  /** Returns the exit code (a long-running command, such as serve, resolves it when it stops). */
  run(ctx: Context): number | Promise<number>;
}

export interface Context {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  format: Format;
  io: CliIo;
  color: boolean;
  preflight: Preflight;
}

export const REQUEST_FLAGS = `  --endpoint E     bedrock-runtime | bedrock-mantle (or runtime | mantle); required for a bare body
  --api A          invoke-model | converse | chat-completions | responses | messages (default: from URL or body)
  --model M        model id (overrides the URL or body)
  --region R       Region (overrides the URL host)
  --max-bytes N    largest input accepted, in bytes (default 10485760)
  --max-depth N    deepest nesting of objects and arrays accepted (default 200)`;

export function readRequest(file: string, limits: Partial<InputLimits> = {}): unknown {
  const { text, file: name } = readInputFileSync(file, limits);
  try {
    return parseBoundedInput(text, name, { limits }).value;
  } catch (e) {
    // A JSON Lines file holds many requests: say which command reads them.
    if (!isPreflightInputError(e) || e.code !== 'E_INPUT_PARSE' || !isJsonLinesName(file)) throw e;
    throw new PreflightInputError(e.code, `${e.message} (this command takes one request; bedrock-preflight lint reads JSON Lines, a request a line)`, {
      ...(e.file !== undefined ? { file: e.file } : {}),
      ...(e.position ? { position: e.position } : {}),
    });
  }
}

export function requestOptions(values: Context['values']): CheckOptions {
  const o: CheckOptions = {};
  for (const k of ['endpoint', 'api', 'model', 'region'] as const) {
    const v = values[k];
    if (typeof v === 'string') o[k] = v;
  }
  return o;
}

export function withFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isPreflightInputError(e) && e.file === undefined) {
      throw new PreflightInputError(e.code, e.message, { file: file === '-' ? '<stdin>' : file, ...(e.position ? { position: e.position } : {}) });
    }
    throw e;
  }
}


/** What `help <command>` and `<command> --help` print: summary, usage, examples, the flags every command takes. */
export function commandHelp(command: Command): string {
  const examples = command.examples.map((e) => `  ${e}`).join('\n');
  return `${command.summary}\n\nUsage: ${command.usage}\n\nExamples:\n${examples}\n\nOptions for every command:\n${HELP_FLAGS}\n`;
}

/** Pretty JSON with every string redacted (JSON escapes control characters itself). */
export const json = (v: unknown): string => `${escapeJsonText(JSON.stringify(sanitizeStrings(v, { json: true }), null, 2))}\n`;

/** A usage error: exit code 2 with one line. */
export function usage(message: string): PreflightInputError {
  return new PreflightInputError('E_USAGE', message);
}
