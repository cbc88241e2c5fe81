/**
 * Requests and bodies given as text or bytes. check() reads a JSON string, a Uint8Array (or Buffer, or any other
 * byte view) or an ArrayBuffer as the JSON document it holds, as the integrations read what an SDK sends: bytes are
 * never an empty request, and malformed JSON is an input error, never a valid request.
 */
import { PreflightInputError } from '../errors.js';
import { decodeInput } from './read.js';

type Bytes = ArrayBuffer | ArrayBufferView;

function isBytes(v: unknown): v is Bytes {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function toUint8(v: Bytes): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** True when check() must read `v` as JSON text before looking at it. */
export function isJsonText(v: unknown): v is string | Bytes {
  return typeof v === 'string' || isBytes(v);
}

/**
 * The JSON document in `v` (text or UTF-8 bytes); `what` names it in the error ("the request", "the envelope's
 * body"). With `emptyIsNone`, empty or blank text is no document (undefined) rather than malformed JSON.
 */
export function readJsonText(v: string | Bytes, what: string, emptyIsNone = false): unknown {
  const text = typeof v === 'string' ? v.replace(/^\uFEFF/, '') : decodeInput(toUint8(v), what);
  if (emptyIsNone && text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PreflightInputError('E_INPUT_PARSE', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The request as check() reads it: text or bytes become the JSON they hold, at the top level and in an envelope's
 * `body`. Anything else is returned as is (the detector says what is wrong with it).
 */
export function readRequest(input: unknown): unknown {
  if (isJsonText(input)) return readJsonText(input, 'the request');
  if (input === null || typeof input !== 'object') return input;
  const doc = input as Record<string, unknown>;
  if (typeof doc['url'] !== 'string' || !isJsonText(doc['body'])) return input;
  // An envelope with an empty body is a request without one (as an HTTP request with no content).
  return { ...doc, body: readJsonText(doc['body'], "the envelope's body", true) };
}
