/**
 * Reading input bytes (files and stdin) and decoding them to text.
 *
 * - Input is UTF-8; a leading byte-order mark is dropped.
 * - UTF-16/UTF-32 (by BOM or by the NUL-byte pattern of ASCII text), binary data (NUL bytes) and invalid
 *   UTF-8 are rejected with `E_INPUT_PARSE`, with the line/column of the first bad byte where that makes sense.
 * - A file (or stdin) larger than `maxBytes` is rejected with `E_INPUT_LIMIT` without reading it whole.
 * - `-` reads stdin; the file name reported for stdin is `<stdin>`.
 *
 * Columns are 1-based and counted in characters of the line as JavaScript counts them (UTF-16 code units;
 * a tab is one column), the same convention as the positions of `parse.ts`.
 */
import { Buffer, constants, isUtf8 } from 'node:buffer';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PreflightInputError, type SourcePosition } from '../errors.js';

export interface InputLimits {
  /** Largest input accepted, in bytes (of the UTF-8 text). */
  maxBytes: number;
  /** Deepest nesting of objects/arrays accepted; the top-level object is depth 1. */
  maxDepth: number;
  /** YAML only: the `maxAliasCount` of yaml's `toJS` (bounds alias expansion, e.g. "billion laughs"). */
  maxAliasCount: number;
  /** YAML only: largest YAML text accepted, in bytes (checked before parsing; see yaml-bounds.ts). */
  maxYamlBytes: number;
}

export const DEFAULT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxDepth: 200,
  maxAliasCount: 100,
  maxYamlBytes: 256 * 1024,
});

/** The name under which stdin (`-`) is reported. */
export const STDIN_NAME = '<stdin>';

/** Fills in defaults; ignores `undefined` and non-numeric entries. */
export function resolveLimits(limits?: Partial<InputLimits>): InputLimits {
  if (!limits) return DEFAULT_LIMITS;
  const pick = (v: number | undefined, d: number): number => (typeof v === 'number' && !Number.isNaN(v) ? v : d);
  return {
    maxBytes: pick(limits.maxBytes, DEFAULT_LIMITS.maxBytes),
    maxDepth: pick(limits.maxDepth, DEFAULT_LIMITS.maxDepth),
    maxAliasCount: pick(limits.maxAliasCount, DEFAULT_LIMITS.maxAliasCount),
    maxYamlBytes: pick(limits.maxYamlBytes, DEFAULT_LIMITS.maxYamlBytes),
  };
}

/** "10 MiB", "512 KiB" or "1000 bytes". */
export function formatByteSize(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export function tooLargeError(file: string, maxBytes: number): PreflightInputError {
  return new PreflightInputError(
    'E_INPUT_LIMIT',
    `input is larger than the limit of ${formatByteSize(maxBytes)} (maxBytes = ${maxBytes})`,
    { file },
  );
}

/**
 * The longest string this runtime can make (about 512 MiB of text in V8): a larger input cannot be decoded under
 * any --max-bytes, and is refused by its size, before it is read.
 */
export const MAX_TEXT_BYTES: number = constants.MAX_STRING_LENGTH;

function textTooLargeError(file: string): PreflightInputError {
  return new PreflightInputError(
    'E_INPUT_LIMIT',
    `input is larger than the longest text Node.js can hold (${MAX_TEXT_BYTES} characters, about ${Math.floor(MAX_TEXT_BYTES / 1024 / 1024)} MiB), whatever --max-bytes says; split it`,
    { file },
  );
}

/** Throws E_INPUT_LIMIT when `size` bytes are over `maxBytes` or over what a string can hold. */
function checkReadSize(size: number, maxBytes: number, file: string): void {
  if (size > maxBytes) throw tooLargeError(file, maxBytes);
  if (size > MAX_TEXT_BYTES) throw textTooLargeError(file);
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

const isUtf8Bom = (buf: Buffer, at: number): boolean => buf.length >= at + 3 && buf[at] === 0xef && buf[at + 1] === 0xbb && buf[at + 2] === 0xbf;

/**
 * A byte-order mark right after the leading one: one BOM is dropped, a second is a stray character at line 1,
 * column 1 (the first after the dropped one), as any other character before the document would be.
 */
export const strayBomError = (file: string): PreflightInputError =>
  new PreflightInputError('E_INPUT_PARSE', 'unexpected character U+FEFF (a second byte-order mark) before the document; remove it', { file, position: { line: 1, column: 1 } });

/**
 * Decodes UTF-8 bytes to a string, dropping a leading BOM (a second one is an error). Throws `E_INPUT_PARSE` for UTF-16/UTF-32 input,
 * binary input (NUL bytes) and invalid UTF-8.
 */
export function decodeInput(bytes: Uint8Array, file: string): string {
  const n = bytes.length;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a view, no copy
  refuseWideBom(buf, file);
  const start = isUtf8Bom(buf, 0) ? 3 : 0;
  if (start === 3 && isUtf8Bom(buf, 3)) throw strayBomError(file);

  const nul = buf.indexOf(0, start);
  if (nul !== -1) {
    const utf16 = guessUtf16(buf, start);
    if (utf16) throw encodingError(file, utf16, 'its pattern of NUL bytes');
    throw new PreflightInputError(
      'E_INPUT_PARSE',
      'binary data: found a NUL byte (0x00); expected a UTF-8 text file (JSON or YAML)',
      { file, position: bytePosition(buf, start, nul) },
    );
  }
  if (!isUtf8(start === 0 ? buf : buf.subarray(start))) {
    const bad = firstInvalidUtf8(buf, start);
    const byte = buf[bad]!;
    const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    const message =
      byte >= 0x80 && byte <= 0xbf
        ? `invalid UTF-8: unexpected continuation byte ${hex}; expected UTF-8 text (was the file saved as Latin-1/Windows-1252?)`
        : `invalid UTF-8: byte ${hex} does not start a valid UTF-8 sequence; expected UTF-8 text (was the file saved as Latin-1/Windows-1252?)`;
    throw new PreflightInputError('E_INPUT_PARSE', message, { file, position: bytePosition(buf, start, bad) });
  }
  return buf.toString('utf8', start, n);
}

/** Throws `E_INPUT_PARSE` when the bytes start with a UTF-16 or UTF-32 byte-order mark. */
function refuseWideBom(buf: Buffer, file: string): void {
  const n = buf.length;
  const b0 = n > 0 ? buf[0]! : -1;
  const b1 = n > 1 ? buf[1]! : -1;
  if (b0 === 0xff && b1 === 0xfe) {
    const utf32 = n >= 4 && buf[2] === 0 && buf[3] === 0;
    throw encodingError(file, utf32 ? 'UTF-32 (little-endian)' : 'UTF-16 (little-endian)', 'a byte-order mark');
  }
  if (b0 === 0xfe && b1 === 0xff) throw encodingError(file, 'UTF-16 (big-endian)', 'a byte-order mark');
  if (n >= 4 && b0 === 0 && b1 === 0 && buf[2] === 0xfe && buf[3] === 0xff) {
    throw encodingError(file, 'UTF-32 (big-endian)', 'a byte-order mark');
  }
}

function encodingError(file: string, encoding: string, evidence: string): PreflightInputError {
  return new PreflightInputError(
    'E_INPUT_PARSE',
    `unsupported encoding: the input is ${encoding} (detected by ${evidence}); expected UTF-8, re-save the file as UTF-8`,
    { file, position: { line: 1, column: 1 } },
  );
}

/** 'UTF-16 (little-endian)' / 'UTF-16 (big-endian)' when the first bytes look like BOM-less UTF-16 text. */
function guessUtf16(buf: Buffer, start: number): string | undefined {
  const end = Math.min(buf.length, start + 512);
  let pairs = 0;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = start; i + 1 < end; i += 2) {
    pairs++;
    if (buf[i] === 0) zeroEven++;
    if (buf[i + 1] === 0) zeroOdd++;
  }
  // Text in UTF-16 has mostly-zero high bytes (ASCII), and never a zero low byte except U+0000 / U+xx00.
  if (pairs < 2) return undefined;
  if (zeroEven === 0 && zeroOdd * 2 >= pairs) return 'UTF-16 (little-endian)';
  if (zeroOdd === 0 && zeroEven * 2 >= pairs) return 'UTF-16 (big-endian)';
  return undefined;
}

/** Offset of the first byte (at or after `start`) that begins an invalid UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(buf: Uint8Array, start: number): number {
  const n = buf.length;
  let i = start;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return i;
      const c = buf[i + k]!;
      let lo = 0x80;
      let hi = 0xbf;
      if (k === 1) {
        if (b === 0xe0) lo = 0xa0; // overlong
        else if (b === 0xed) hi = 0x9f; // surrogates
        else if (b === 0xf0) lo = 0x90; // overlong
        else if (b === 0xf4) hi = 0x8f; // > U+10FFFF
      }
      if (c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return n; // not reached when the input is invalid
}

/** 1-based line and column (in decoded characters) of byte `offset`; line breaks are \n, \r\n and \r. */
function bytePosition(buf: Buffer, start: number, offset: number): SourcePosition {
  let line = 1;
  let lineStart = start;
  for (let i = start; i < offset; i++) {
    const b = buf[i];
    if (b === 0x0a || (b === 0x0d && buf[i + 1] !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: buf.toString('utf8', lineStart, offset).length + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

function readError(e: unknown, file: string): PreflightInputError {
  if (e instanceof PreflightInputError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  let why: string;
  switch (code) {
    case 'ENOENT':
      why = 'no such file';
      break;
    case 'EISDIR':
      why = 'it is a directory, not a file';
      break;
    case 'EACCES':
    case 'EPERM':
      why = 'permission denied';
      break;
    case 'ENOTDIR':
      why = 'a component of the path is not a directory';
      break;
    case 'ELOOP':
      why = 'too many symbolic links';
      break;
    case 'ENXIO':
      why = 'it is a socket, or a device with nothing behind it; give a regular file, or - to read stdin';
      break;
    default:
      why = code ?? (e instanceof Error ? e.message : String(e));
  }
  return new PreflightInputError('E_INPUT_READ', `cannot read file: ${why}`, { file, cause: e });
}

/**
 * Refuses what is neither a regular file nor a directory (a FIFO, socket or device): reading a FIFO with no writer
 * blocks for ever. Stdin (`-`) is read as a stream instead.
 */
function refuseSpecial(st: Stats, file: string): void {
  if (st.isFile() || st.isDirectory()) return;
  const what = st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
  throw new PreflightInputError('E_INPUT_READ', `cannot read file: it is ${what}; give a regular file, or - to read stdin`, { file });
}

function concat(chunks: Buffer[], total: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One read of up to `buf.length` bytes into `buf`; 0 at the end. Waits for non-blocking stdin. */
function readChunkSync(fd: number, buf: Buffer, file: string): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        sleepSync(5); // non-blocking stdin with nothing available yet
        continue;
      }
      if (code === 'EOF') return 0; // Windows pipes
      throw readError(e, file);
    }
  }
}

/** Reads everything from `fd` (never more than maxBytes + 1 bytes). */
function readAllSync(fd: number, maxBytes: number, file: string, sizeHint: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunkSize = Math.max(64 * 1024, Math.min(sizeHint + 1, maxBytes + 1));
  for (;;) {
    const chunk = Buffer.allocUnsafe(chunkSize);
    const got = readChunkSync(fd, chunk, file);
    if (got === 0) break;
    total += got;
    checkReadSize(total, maxBytes, file);
    chunks.push(got === chunkSize ? chunk : chunk.subarray(0, got));
  }
  return concat(chunks, total);
}

/**
 * Opening without blocking: a named pipe with no writer would otherwise block the open for ever (regular files
 * ignore the flag). Windows has no such flag, nor such pipes.
 */
const OPEN_NONBLOCKING = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/**
 * Opens a file for reading and returns its descriptor and size; refuses a directory, a named pipe, a socket or a
 * device (by fstat of the descriptor: one system call fewer than a stat before the open).
 */
function openForReading(path: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, OPEN_NONBLOCKING);
  } catch (e) {
    throw readError(e, path);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    refuseSpecial(st, path);
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw readError(e, path);
  }
}

/** Reads a file (or stdin for `-`) synchronously and decodes it; see {@link decodeInput}. */
export function readInputFileSync(path: string, limits?: Partial<InputLimits>): { text: string; file: string } {
  const { maxBytes } = resolveLimits(limits);
  if (path === '-') {
    const bytes = readAllSync(0, maxBytes, STDIN_NAME, 0);
    return { text: decodeInput(bytes, STDIN_NAME), file: STDIN_NAME };
  }
  const { fd, size } = openForReading(path);
  let bytes: Buffer;
  try {
    checkReadSize(size, maxBytes, path);
    bytes = size > 0 ? readKnownSizeSync(fd, size, path) : readAllSync(fd, maxBytes, path, size);
  } finally {
    closeSync(fd);
  }
  return { text: decodeInput(bytes, path), file: path };
}

/**
 * A regular file of `size` bytes (as fstat gave it): one buffer of that size (small ones come from Node's shared
 * pool) and, usually, one read; no read past the end. A file that shrank meanwhile gives what is there.
 */
function readKnownSizeSync(fd: number, size: number, file: string): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let total = 0;
  while (total < size) {
    let got: number;
    try {
      got = readSync(fd, buf, total, size - total, null);
    } catch (e) {
      throw readError(e, file);
    }
    if (got === 0) break;
    total += got;
  }
  return total === size ? buf : buf.subarray(0, total);
}

/** Reads a file (or stdin for `-`) and decodes it; see {@link decodeInput}. */
export async function readInputFile(path: string, limits?: Partial<InputLimits>): Promise<{ text: string; file: string }> {
  const { maxBytes } = resolveLimits(limits);
  if (path === '-') {
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of process.stdin as AsyncIterable<Buffer | string>) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        total += b.length;
        checkReadSize(total, maxBytes, STDIN_NAME);
        chunks.push(b);
      }
    } catch (e) {
      if (e instanceof PreflightInputError) throw e;
      throw readError(e, STDIN_NAME);
    }
    return { text: decodeInput(concat(chunks, total), STDIN_NAME), file: STDIN_NAME };
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    refuseSpecial(await stat(path), path);
    handle = await open(path, 'r');
  } catch (e) {
    throw readError(e, path);
  }
  try {
    let size = 0;
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      if (st.isFile()) size = st.size;
    } catch (e) {
      throw readError(e, path);
    }
    checkReadSize(size, maxBytes, path);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunkSize = Math.max(64 * 1024, Math.min(size + 1, maxBytes + 1));
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkSize);
      let got: number;
      try {
        ({ bytesRead: got } = await handle.read(chunk, 0, chunkSize, null));
      } catch (e) {
        throw readError(e, path);
      }
      if (got === 0) break;
      total += got;
      checkReadSize(total, maxBytes, path);
      chunks.push(got === chunkSize ? chunk : chunk.subarray(0, got));
    }
    return { text: decodeInput(concat(chunks, total), path), file: path };
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON Lines, streamed

/** One line of a JSON Lines input: its decoded text (without the line break), or why it could not be read. */
export interface InputLine {
  /** 1-based. */
  line: number;
  text?: string;
  error?: PreflightInputError;
}

/** How much of a JSON Lines input is held at once (plus the line being assembled, at most maxBytes). */
const LINE_CHUNK_BYTES = 1024 * 1024;

/**
 * Reads a JSON Lines file (or stdin for `-`) line by line, in chunks: memory stays bounded whatever the size of
 * the input. `maxBytes` applies to each line: a longer line is an `E_INPUT_LIMIT` error of that line, skipped
 * without being kept. A line that is not UTF-8 text is an error of that line (with its line and column); a
 * UTF-16/UTF-32 input is an error of the whole input (thrown, as every read error is).
 */
export function* readLinesSync(path: string, limits?: Partial<InputLimits>): Generator<InputLine> {
  const { maxBytes } = resolveLimits(limits);
  const file = path === '-' ? STDIN_NAME : path;
  const fd = path === '-' ? 0 : openForReading(path).fd;
  try {
    yield* splitLines(fd, file, maxBytes);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

function* splitLines(fd: number, file: string, maxBytes: number): Generator<InputLine> {
  const chunk = Buffer.allocUnsafe(LINE_CHUNK_BYTES);
  let pending: Buffer[] = []; // the start of the current line, copied out of earlier chunks
  let pendingBytes = 0;
  let tooLong = false;
  let line = 1;
  let first = true;
  for (let got = readChunkSync(fd, chunk, file); got > 0; got = readChunkSync(fd, chunk, file)) {
    const view = chunk.subarray(0, got);
    if (first) refuseWideEncodings(view, file);
    first = false;
    let start = 0;
    for (let nl = view.indexOf(0x0a); nl !== -1; nl = view.indexOf(0x0a, start)) {
      const piece = view.subarray(start, nl);
      tooLong ||= pendingBytes + piece.length > maxBytes;
      yield tooLong ? lineTooLong(file, line, maxBytes) : decodeLine(pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]), file, line);
      [pending, pendingBytes, tooLong, start] = [[], 0, false, nl + 1];
      line++;
    }
    const rest = view.subarray(start);
    tooLong ||= pendingBytes + rest.length > maxBytes;
    if (tooLong) pending = [];
    else if (rest.length > 0) pending.push(Buffer.from(rest)); // a copy: the chunk is read into again
    pendingBytes += rest.length;
  }
  if (tooLong) yield lineTooLong(file, line, maxBytes);
  else if (pendingBytes > 0) yield decodeLine(Buffer.concat(pending), file, line);
}

function lineTooLong(file: string, line: number, maxBytes: number): InputLine {
  const error = new PreflightInputError('E_INPUT_LIMIT', `line is longer than the limit of ${formatByteSize(maxBytes)} (maxBytes = ${maxBytes}, per line in JSON Lines)`, {
    file,
    position: { line, column: 1 },
  });
  return { line, error };
}

/** A line's bytes decoded (a CR before the LF dropped); a decoding error placed on that line of the file. */
function decodeLine(bytes: Buffer, file: string, line: number): InputLine {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  try {
    return { line, text: decodeInput(end === bytes.length ? bytes : bytes.subarray(0, end), file) };
  } catch (e) {
    if (!(e instanceof PreflightInputError)) throw e;
    const at = e.position ?? { line: 1, column: 1 };
    return { line, error: new PreflightInputError(e.code, e.message, { file, position: { line: line + at.line - 1, column: at.column } }) };
  }
}

/** Throws for UTF-16/UTF-32 input (by its byte-order mark or its NUL bytes): an error of the whole input, not of each line. */
function refuseWideEncodings(head: Buffer, file: string): void {
  refuseWideBom(head, file);
  const utf16 = head.indexOf(0) === -1 ? undefined : guessUtf16(head, 0);
  if (utf16) throw encodingError(file, utf16, 'its pattern of NUL bytes');
}
