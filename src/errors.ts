/**
 * Codes of the errors that stop the tool from doing its job (exit code 2 on the command line).
 * Findings about a request are never errors of this kind: they go into the report.
 */
import { sanitize } from './redact.js';

export type PreflightErrorCode =
  | 'E_INPUT_READ'
  | 'E_INPUT_PARSE'
  | 'E_INPUT_SHAPE'
  | 'E_INPUT_LIMIT'
  | 'E_UNKNOWN_ENDPOINT'
  | 'E_UNKNOWN_ID'
  | 'E_USAGE'
  | 'E_KNOWLEDGE';

export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * An error the user can act on: a code, the file it concerns and, for parse errors, the position.
 * `toString()` is the one line the command line prints.
 */
const BRAND = Symbol.for('bedrock-preflight.PreflightInputError');

export class PreflightInputError extends Error {
  override readonly name = 'PreflightInputError';
  readonly code: PreflightErrorCode;
  readonly file: string | undefined;
  readonly position: SourcePosition | undefined;

  constructor(
    code: PreflightErrorCode,
    message: string,
    options: { file?: string; position?: SourcePosition; cause?: unknown } = {},
  ) {
    // Messages may quote user input (a flag value, a host, a key): credentials never reach the message, and
    // control characters are escaped, so that the message stays one inert line.
    super(sanitize(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.position = options.position;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for a PreflightInputError from any copy of this package: the ESM and CommonJS builds each have one, and
   * an application may make its preflight with one and hand it to an integration loaded with the other.
   * Only `instanceof PreflightInputError` itself reads the brand.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses (ConfigError) inherit this method: for them, the ordinary prototype-chain test.
    if (this !== PreflightInputError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** `file:line:column: message` (as much of the location as is known). */
  get oneLine(): string {
    let where = this.file === undefined ? '' : sanitize(this.file);
    if (this.file !== undefined && this.position) where += `:${this.position.line}:${this.position.column}`;
    return where ? `${where}: ${this.message}` : this.message;
  }
}

export const isPreflightInputError = (e: unknown): e is PreflightInputError => e instanceof PreflightInputError;
