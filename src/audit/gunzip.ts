/**
 * Inflates a gzip stream member by member (RFC 1952): each member's header is read here, its deflate data inflated
 * by zlib's raw inflate, its trailer (length and CRC-32) checked here.
 *
 * Why not zlib's createGunzip: after a member ends, it reads the bytes that follow as the next member within the same
 * call, and when they are not one (garbage appended to a file) it fails with an error and drops the output of that
 * call, which can be all the records of a small file. Raw inflate stops where the deflate data ends and says where
 * (`bytesWritten`), so every byte inflated before the damage is given out, and the damage is found at its offset.
 */
import * as zlib from 'node:zlib';
import type { InflateRaw } from 'node:zlib';

const FLAG_HCRC = 2;
const FLAG_EXTRA = 4;
const FLAG_NAME = 8;
const FLAG_COMMENT = 16;
/** The longest file name or comment of a gzip header that is skipped (gzip stores the file's name there). */
const MAX_HEADER_TEXT = 64 * 1024;
/** zlib.crc32 is in Node.js 20.15 and later: on older ones the trailer's length is checked, not its CRC-32. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** A damage found between members: the data before it is whole, its last line included. */
export interface GzipDamage extends Error {
  code: 'Z_DATA_ERROR';
  afterMember: true;
}

export function isDamageAfterMember(e: unknown): e is GzipDamage {
  return e instanceof Error && (e as Partial<GzipDamage>).afterMember === true;
}

/** The inflated bytes of a gzip stream, whose first bytes are the gzip magic number. Closes `src` when done. */
export async function* gunzip(src: AsyncGenerator<Buffer>, chunkSize: number): AsyncGenerator<Buffer> {
  const input = new ByteQueue(src);
  try {
    for (let member = 0; member === 0 || (await anotherMember(input)); member++) {
      // A damaged header after a whole member: what came before it is whole.
      await readHeader(input).catch((e: Error) => {
        throw member === 0 ? e : Object.assign(e, { afterMember: true });
      });
      const sum = { size: 0, crc: 0 };
      yield* inflateMember(input, sum, chunkSize);
      await checkTrailer(input, sum);
    }
  } finally {
    await src.return(undefined);
  }
}

/** Compressed bytes taken a piece at a time; what a piece had beyond what was needed is put back. */
class ByteQueue {
  /** Bytes taken so far: the offset in the stream of the next byte. */
  offset = 0;
  private rest: Buffer | undefined;

  constructor(private readonly src: AsyncIterator<Buffer>) {}

  /** The next bytes (those put back first), or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    let b = this.rest;
    this.rest = undefined;
    if (b === undefined) {
      const r = await this.src.next();
      if (r.done) return undefined;
      b = r.value;
    }
    this.offset += b.length;
    return b;
  }

  /** Gives back the end of the bytes last taken. */
  putBack(b: Buffer): void {
    if (b.length === 0) return;
    this.rest = b;
    this.offset -= b.length;
  }

  /** n bytes, or fewer at the end of the stream. */
  async take(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const b = await this.next();
      if (b === undefined) break;
      parts.push(b);
      have += b.length;
    }
    const all = Buffer.concat(parts);
    this.putBack(all.subarray(n));
    return all.subarray(0, n);
  }
}

/** The error zlib gives for a stream that ends early (the reader reports it as gzip-truncated). */
const endedEarly = (): Error => new Error('unexpected end of file');
const damaged = (message: string): Error => Object.assign(new Error(message), { code: 'Z_DATA_ERROR' });

async function readHeader(input: ByteQueue): Promise<void> {
  const start = input.offset;
  const h = await input.take(10);
  if (h.length < 10) throw endedEarly();
  if (h[0] !== 0x1f || h[1] !== 0x8b) throw damaged(`incorrect header check at byte ${start}`);
  if (h[2] !== 8) throw damaged(`unknown compression method at byte ${start}`);
  const flags = h[3]!;
  if (flags & 0xe0) throw damaged(`unknown header flags set at byte ${start}`);
  if (flags & FLAG_EXTRA) {
    const length = await input.take(2);
    if (length.length < 2 || (await input.take(length.readUInt16LE(0))).length < length.readUInt16LE(0)) throw endedEarly();
  }
  if (flags & FLAG_NAME) await skipText(input);
  if (flags & FLAG_COMMENT) await skipText(input);
  if (flags & FLAG_HCRC && (await input.take(2)).length < 2) throw endedEarly();
}

/** Skips a zero-terminated text of the header. */
async function skipText(input: ByteQueue): Promise<void> {
  for (let seen = 0; seen <= MAX_HEADER_TEXT; ) {
    const b = await input.next();
    if (b === undefined) throw endedEarly();
    const end = b.indexOf(0);
    if (end !== -1) return input.putBack(b.subarray(end + 1));
    seen += b.length;
  }
  throw damaged(`a gzip header's file name or comment is over ${MAX_HEADER_TEXT} bytes`);
}

/** The member's deflate data, inflated; its length and CRC-32 go to `sum`. */
async function* inflateMember(input: ByteQueue, sum: { size: number; crc: number }, chunkSize: number): AsyncGenerator<Buffer> {
  const inflater = zlib.createInflateRaw({ chunkSize });
  // A failure to read the input (a file's read error) fails the inflater, and so the loop below.
  const feeding = feed(input, inflater).catch((e: Error) => inflater.destroy(e));
  try {
    for await (const out of inflater as AsyncIterable<Buffer>) {
      sum.size += out.length;
      if (crc32) sum.crc = crc32(out, sum.crc);
      yield out;
    }
  } finally {
    // Stopped early or failed: a write waiting on the inflater may never be called back, so it is not waited for.
    if (!inflater.readableEnded) inflater.destroy();
  }
  await feeding;
}

/** Writes compressed bytes until the deflate data ends; what follows it is put back. */
async function feed(input: ByteQueue, inflater: InflateRaw): Promise<void> {
  for (;;) {
    const chunk = await input.next();
    if (chunk === undefined) {
      inflater.end(); // zlib says "unexpected end of file" when the deflate data is not complete
      return;
    }
    const before = inflater.bytesWritten;
    await new Promise<void>((resolve, reject) => inflater.write(chunk, (e) => (e ? reject(e) : resolve())));
    const used = inflater.bytesWritten - before;
    if (used < chunk.length) {
      input.putBack(chunk.subarray(used));
      inflater.end();
      return;
    }
  }
}

async function checkTrailer(input: ByteQueue, sum: { size: number; crc: number }): Promise<void> {
  const t = await input.take(8);
  if (t.length < 8) throw endedEarly();
  if (crc32 && t.readUInt32LE(0) !== sum.crc >>> 0) throw damaged('incorrect data check');
  if (t.readUInt32LE(4) !== sum.size % 0x100000000) throw damaged('incorrect length check');
}

/**
 * After a member: the end of the stream, another member, zero bytes (padding, which gzip(1) ignores too), or data
 * that is not gzip, a damage at its offset (all that came before it was read).
 */
async function anotherMember(input: ByteQueue): Promise<boolean> {
  const end = input.offset;
  let b = await input.next();
  if (b !== undefined && b[0] === 0x1f) {
    input.putBack(b);
    return true;
  }
  while (b !== undefined && b.every((x) => x === 0)) b = await input.next();
  if (b === undefined) return false;
  const message = `data that is not gzip follows the end of the gzip data at byte ${end}; it is not read`;
  throw Object.assign(new Error(message), { code: 'Z_DATA_ERROR', afterMember: true });
}
