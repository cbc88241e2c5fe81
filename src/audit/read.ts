/**
 * Streams invocation-log records out of files as AWS delivers them: JSON Lines (the S3 delivery objects, one
 * record a line), a JSON document (one record or an array of records), CloudWatch Logs exports (lines of
 * "<timestamp> <record>" from an export to S3, or the `events[].message` documents of the Logs API), each
 * gzip-compressed or not (found by its magic bytes). A folder is searched for files (e.g. the S3 delivery prefix
 * AWSLogs/<account>/BedrockModelInvocationLogs/<region>/<yyyy>/<mm>/<dd>/<hh>/…), in sorted order.
 * Memory stays bounded: one line at a time; only a multi-line JSON document is held whole (up to a limit), and a
 * gzip stream is inflated only up to a multiple of its compressed size (a "gzip bomb" stops there).
 * What is not a regular file (a named pipe, a socket, a device, a dangling symbolic link) is a problem, never read.
 */
import { constants, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { formatByteSize } from '../input/read.js';
import { gunzip, isDamageAfterMember } from './gunzip.js';
import { recordProblem, type InvocationRecord } from './record.js';

export type ProblemCode = 'record-invalid' | 'json-invalid' | 'gzip-truncated' | 'gzip-invalid' | 'gzip-too-large' | 'read-failed' | 'document-too-large';

export interface RecordItem {
  kind: 'record';
  file: string;
  line: number;
  record: InvocationRecord;
}
export interface ProblemItem {
  kind: 'problem';
  file: string;
  line: number;
  code: ProblemCode;
  message: string;
}
export type LogItem = RecordItem | ProblemItem;

export interface ReadOptions {
  /** Called with the number of (compressed) bytes read, as they are read. */
  onBytes?: (n: number) => void;
  /** The largest multi-line JSON document held whole (default 16 MiB). */
  maxDocumentBytes?: number;
  /** A gzip stream is inflated up to this many times its compressed size (default 200)… */
  maxInflateRatio?: number;
  /** …or up to this many bytes, whichever is larger (default 64 MiB). */
  minInflateBytes?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** A multi-line JSON document is parsed whole: this bounds the memory it takes (S3 delivers JSON Lines). */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
/**
 * A gzip bomb's bound: gzip inflates at most about 1032:1, and JSON Lines of invocation logs about 5-30:1 (a
 * repeated system prompt compresses well, but a record holds more than a prompt). Inflating stops past 200 times the
 * compressed bytes read so far, or past 64 MiB, whichever is larger: a bomb stops after at most a few seconds.
 */
export const MAX_INFLATE_RATIO = 200;
export const MIN_INFLATE_BYTES = 64 * 1024 * 1024;
/** Read and inflate in large chunks: small ones cost more in stream bookkeeping than in inflating. */
const CHUNK = 1 << 18;
/** Names of log files in a folder (S3 delivery objects are *.json.gz). */
export const LOG_FILE_PATTERN = /\.(json|jsonl|ndjson|gz|log|txt)$/i;
/** A CloudWatch Logs export line: an ISO-8601 timestamp, a space, the event. */
const EXPORT_PREFIX = /^\d{4}-\d\d-\d\dT[0-9:.]+Z? (?=[{[])/;

/**
 * The files named by paths: files as given, folders searched (sorted); `-` is stdin. In a folder, every entry with
 * a log file's name is listed, whatever it is (a named pipe, a dangling symbolic link, a folder that cannot be
 * read): `readLogFile` reports what cannot be read as a problem, by name, rather than leaving it out in silence.
 */
export function listLogFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = p !== '-' && statSync(p).isDirectory();
    } catch {
      // reported as unreadable when read
    }
    if (!isDir) files.push(p);
    else files.push(...logFilesUnder(p, '', new Set()).sort().map((f) => join(p, f)));
  }
  return files;
}

/** The relative paths of log-file names under a folder (symbolic links followed, each folder once; no dot names). */
function logFilesUnder(root: string, dir: string, seen: Set<string>): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    const real = realpathSync(join(root, dir));
    if (seen.has(real)) return out; // a link back to a folder already searched
    seen.add(real);
    names = readdirSync(join(root, dir));
  } catch {
    return [dir]; // reported when read (e.g. permission denied)
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const rel = dir === '' ? name : join(dir, name);
    let st: Stats | undefined;
    try {
      st = statSync(join(root, rel));
    } catch {
      // a dangling link or a loop of links: listed by its name, reported when read
    }
    if (st?.isDirectory()) out.push(...logFilesUnder(root, rel, seen));
    else if (LOG_FILE_PATTERN.test(name)) out.push(rel);
  }
  return out;
}

/** The display name of a file: relative to the working directory when under it. */
export function displayName(file: string, cwd = process.cwd()): string {
  if (file === '-') return '<stdin>';
  const r = relative(cwd, file);
  return r.startsWith('..') || r === '' ? file : r;
}

/** The records and problems of one file (or stdin), in file order. Never throws. */
export function readLogFile(file: string, options: ReadOptions = {}): AsyncGenerator<LogItem> {
  const source = (): AsyncIterable<Buffer> => (file === '-' ? process.stdin : fileChunks(file));
  return readLogSource(displayName(file), source, options);
}

/** Opening without blocking: a named pipe made after the stat, with no writer, would block the open for ever. */
const OPEN_NONBLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** A regular file's bytes; anything else (a named pipe, a socket, a device) is refused before it is opened. */
async function* fileChunks(file: string): AsyncGenerator<Buffer> {
  refuseSpecial(await stat(file));
  const handle = await open(file, OPEN_NONBLOCKING);
  try {
    refuseSpecial(await handle.stat());
    yield* handle.createReadStream({ highWaterMark: CHUNK, autoClose: false });
  } finally {
    await handle.close();
  }
}

/** What a special file is ("a named pipe (FIFO)"), or undefined for a regular file or a folder. */
export function specialFileKind(st: Stats): string | undefined {
  if (st.isFile() || st.isDirectory()) return undefined;
  return st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
}

function refuseSpecial(st: Stats): void {
  const kind = specialFileKind(st);
  if (kind !== undefined) throw Object.assign(new Error(`it is ${kind}, not a log file; give a regular file, or - to read stdin`), { code: 'ESPECIAL' });
}

/** Why a file cannot be read, in words ("no such file"), without the error code twice. */
export function unreadableReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file (or a symbolic link to nothing)';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ENXIO':
      return 'it is a socket, or a device with nothing behind it';
    default:
      return e.message.replace(/\s+/g, ' ');
  }
}

/**
 * The records and problems of a byte stream (a file, stdin, an S3 object's body) named `name` in the report.
 * `open` is called once, inside, so that a failure to open is reported like a failure to read. Never throws.
 */
export async function* readLogSource(name: string, open: () => AsyncIterable<Buffer>, options: ReadOptions = {}): AsyncGenerator<LogItem> {
  const lines = new LineReader(name, options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES);
  const ratio = options.maxInflateRatio ?? MAX_INFLATE_RATIO;
  const floor = options.minInflateBytes ?? MIN_INFLATE_BYTES;
  let bytes = 0;
  let inflated = 0;
  let gzip = false;
  try {
    const counted = countBytes(open(), (n) => {
      bytes += n;
      options.onBytes?.(n);
    });
    const { stream, compressed } = await decompressed(counted);
    gzip = compressed;
    for await (const chunk of stream) {
      inflated += chunk.length;
      if (gzip && inflated > Math.max(floor, bytes * ratio)) {
        yield tooMuchInflated(name, lines.line, bytes, ratio, floor);
        return;
      }
      yield* lines.push(chunk as Buffer);
    }
    yield* lines.end();
  } catch (e) {
    // A line cut off by the failure is not a record: it is part of what is missing. After a whole gzip member
    // (garbage appended to the file), the text before is whole: its last line is read too.
    if (isDamageAfterMember(e)) yield* lines.end();
    yield failure(name, lines.line, gzip, bytes, e as NodeJS.ErrnoException);
  }
}

function failure(file: string, line: number, gzip: boolean, bytes: number, e: NodeJS.ErrnoException): ProblemItem {
  if (gzip && /unexpected end of file/i.test(e.message)) {
    return { kind: 'problem', file, line: line + 1, code: 'gzip-truncated', message: `the gzip stream ends early (after ${bytes} compressed bytes, line ${line}); the records after it are missing` };
  }
  if (gzip && e.code?.startsWith('Z_')) return { kind: 'problem', file, line: line + 1, code: 'gzip-invalid', message: `the gzip stream is damaged after line ${line} (${bytes} compressed bytes read): ${e.message}` };
  return { kind: 'problem', file, line: Math.max(line, 1), code: 'read-failed', message: `cannot be read: ${unreadableReason(e)}` };
}

/** A gzip stream that inflates past its bound: the records before are counted, the rest is not read. */
function tooMuchInflated(file: string, line: number, bytes: number, ratio: number, floor: number): ProblemItem {
  const message = `the gzip stream inflates to more than ${ratio} times its size (and over ${formatByteSize(floor)}) after ${bytes} compressed bytes${line > 0 ? ` (line ${line})` : ''}; the rest is not read (a gzip bomb?)`;
  return { kind: 'problem', file, line: line + 1, code: 'gzip-too-large', message };
}

async function* countBytes(src: AsyncIterable<Buffer>, count: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    count(chunk.length);
    yield chunk;
  }
}

/** The stream, gunzipped when its first bytes are the gzip magic number. */
async function decompressed(src: AsyncGenerator<Buffer>): Promise<{ stream: AsyncIterable<Buffer>; compressed: boolean }> {
  const first = await src.next();
  if (first.done) return { stream: (async function* () {})(), compressed: false };
  const head = first.value;
  const all = (async function* () {
    try {
      yield head;
      yield* src;
    } finally {
      // Stopped at the first chunk (a small file), src is not yet delegated to: closing `all` must close it too.
      await src.return(undefined);
    }
  })();
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) return { stream: all, compressed: false };
  // Stopping early (a gzip bomb) closes the source too, which closes the file.
  return { stream: gunzip(all, CHUNK), compressed: true };
}

/**
 * Splits text into lines and lines into records. A line that is not JSON but opens a JSON document ("{" or "["
 * alone, as in a pretty-printed file) switches to document mode: the rest of the file is parsed as one document.
 */
class LineReader {
  line = 0;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private doc: string[] | null = null;
  private docBytes = 0;
  private docLine = 0;
  private skipping = false;

  constructor(
    private readonly file: string,
    private readonly maxDocumentBytes: number,
  ) {}

  *push(chunk: Buffer): Generator<LogItem> {
    let text = this.decoder.write(chunk);
    if (this.skipping) {
      // The rest of an over-long line is skipped up to its end.
      const nl = text.indexOf('\n');
      if (nl === -1) return;
      this.skipping = false;
      this.line++;
      text = text.slice(nl + 1);
    }
    text = this.rest + text;
    let start = 0;
    for (;;) {
      // Empty lines have nothing to parse: a run of them (a gzip of newlines) must not cost a call each.
      while (text.charCodeAt(start) === 0x0a) {
        this.line++;
        start++;
      }
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      yield* this.lineOf(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
    if (this.rest.length > this.maxDocumentBytes) {
      this.rest = '';
      this.skipping = true;
      yield { kind: 'problem', file: this.file, line: this.line + 1, code: 'document-too-large', message: `a line of over ${this.maxDocumentBytes} characters; it is skipped` };
    }
  }

  *end(): Generator<LogItem> {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    if (last !== '') yield* this.lineOf(last);
    if (this.doc !== null) {
      const doc = this.doc.join('\n');
      this.doc = null;
      yield* this.itemsOf(doc, this.docLine);
    }
  }

  private *lineOf(raw: string): Generator<LogItem> {
    this.line++;
    if (this.doc !== null) {
      this.docBytes += raw.length;
      if (this.docBytes > this.maxDocumentBytes) {
        this.doc = null;
        yield { kind: 'problem', file: this.file, line: this.docLine, code: 'document-too-large', message: `the JSON document that starts here is over ${this.maxDocumentBytes} bytes; split it into JSON Lines` };
        return;
      }
      this.doc.push(raw);
      return;
    }
    let text = this.line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    text = text.trim();
    if (text === '') return;
    const prefix = EXPORT_PREFIX.exec(text);
    if (prefix) text = text.slice(prefix[0].length);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if ((text === '{' || text === '[' || text.endsWith('{') || text.endsWith('[')) && !prefix) {
        this.doc = [text];
        this.docBytes = text.length;
        this.docLine = this.line;
        return;
      }
      yield { kind: 'problem', file: this.file, line: this.line, code: 'json-invalid', message: `not JSON: ${(e as Error).message}` };
      return;
    }
    yield* this.valuesOf(value, this.line);
  }

  private *itemsOf(doc: string, line: number): Generator<LogItem> {
    let value: unknown;
    try {
      value = JSON.parse(doc);
    } catch (e) {
      yield { kind: 'problem', file: this.file, line, code: 'json-invalid', message: `not JSON: ${(e as Error).message}` };
      return;
    }
    yield* this.valuesOf(value, line);
  }

  /** A record, an array of records, or a Logs API answer whose events carry records as their messages. */
  private *valuesOf(value: unknown, line: number): Generator<LogItem> {
    if (Array.isArray(value)) {
      for (const v of value) yield* this.valuesOf(v, line);
      return;
    }
    const events = value !== null && typeof value === 'object' ? (value as { events?: unknown }).events : undefined;
    if (Array.isArray(events)) {
      for (const ev of events) {
        const message = (ev as { message?: unknown } | null)?.message;
        if (typeof message !== 'string') yield { kind: 'problem', file: this.file, line, code: 'record-invalid', message: 'a log event without a message string' };
        else yield* this.itemsOf(message, line);
      }
      return;
    }
    const problem = recordProblem(value);
    if (problem === null) yield { kind: 'record', file: this.file, line, record: value as InvocationRecord };
    else yield { kind: 'problem', file: this.file, line, code: 'record-invalid', message: problem };
  }
}
