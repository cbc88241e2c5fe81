/**
 * A JSON Lines line that a recursive step cannot follow (RangeError: out of stack, with a raised --max-depth) is
 * that line's problem, at its line: the lines after it are still checked. A read error part-way through is placed
 * at the line being read; a single document too deep is placed at its start.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PreflightInputError } from '../../src/errors.js';
import * as read from '../../src/input/read.js';
import { lint, type LintEntry } from '../../src/lint/index.js';
import { tempDirs } from './fixtures.js';

const temp = tempDirs();
afterAll(temp.cleanup);
afterEach(() => vi.restoreAllMocks());
const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli.cjs');
const endpoint = 'bedrock-mantle';
const good = (n: number): string => JSON.stringify({ model: 'openai.gpt-oss-120b', input: `question ${n}` });
/** Deeper than JSON.parse's fallback parser or the checks can recurse: a RangeError once --max-depth allows it. */
const deep = (n = 200_000): string => `{"model":"x","input":${'['.repeat(n)}${']'.repeat(n)}}`;
const limits = { maxDepth: 1_000_000 };

function write(name: string, content: string): { dir: string; file: string } {
  const dir = temp.make('bp-jsonl-line-');
  writeFileSync(join(dir, name), content);
  return { dir, file: name };
}

const linesOf = (e: LintEntry): number[] => [...new Set(e.findings.map((f) => f.line))];

describe('JSON Lines: a line out of stack is that line’s problem', () => {
  it('places it at its line and checks the lines after it', () => {
    const { dir, file } = write('a.jsonl', [good(1), deep(), good(3), '', good(5)].join('\n') + '\n');
    const [e] = lint([file], { cwd: dir, endpoint, limits }).files;
    expect(e!.errorCode).toBe('E_INPUT_LIMIT');
    expect(e!.error).toMatch(/^nesting too deep to read \(Maximum call stack size exceeded\); lower --max-depth/);
    expect([e!.errorLine, e!.errorColumn]).toEqual([2, 1]);
    expect(linesOf(e!)).toEqual(expect.arrayContaining([1, 3, 5]));
  });

  it('each such line is a problem of its own, with the other bad lines, in line order', () => {
    const { dir, file } = write('b.jsonl', [deep(), 'not json', good(3), deep()].join('\n'));
    const [e] = lint([file], { cwd: dir, endpoint, limits }).files;
    expect(e!.errors!.map((p) => [p.line, p.code])).toEqual([
      [1, 'E_INPUT_LIMIT'],
      [2, 'E_INPUT_PARSE'],
      [4, 'E_INPUT_LIMIT'],
    ]);
    expect(linesOf(e!)).toContain(3);
  });

  it('streamed to a sink: the findings of the later lines still go out', () => {
    const { dir, file } = write('c.jsonl', [deep(), good(2)].join('\n'));
    const given: number[] = [];
    const entries: LintEntry[] = [];
    const r = lint([file], { cwd: dir, endpoint, limits, sink: { findings: (_, fs) => given.push(...fs.map((f) => f.line)), entry: (x) => entries.push(x) } });
    expect(given).toContain(2);
    expect(entries[0]!.errorLine).toBe(1);
    expect(r.counts.fileErrors).toBe(1);
  });

  it('through the CLI: exit 2, the line named, the next line checked', () => {
    const { dir, file } = write('d.jsonl', [good(1), deep(), good(3)].join('\n'));
    const r = spawnSync(process.execPath, [bin, 'lint', file, '--endpoint', 'mantle', '--max-depth', '1000000', '--format', 'json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('d.jsonl:2:1: nesting too deep to read');
    const [e] = JSON.parse(r.stdout) as LintEntry[];
    expect(linesOf(e!)).toEqual(expect.arrayContaining([1, 3]));
  }, 60_000);
});

describe('file errors with a position where one applies', () => {
  it('a JSON document too deep for the stack: at its start, 1:1', () => {
    const { dir, file } = write('deep.json', deep());
    const [e] = lint([file], { cwd: dir, endpoint, limits }).files;
    expect(e!.error).toMatch(/nesting too deep/);
    expect([e!.errorLine, e!.errorColumn]).toEqual([1, 1]);
  });

  it('a read error part-way through JSON Lines: at the line being read, after the lines already checked', () => {
    const { dir, file } = write('e.jsonl', '');
    vi.spyOn(read, 'readLinesSync').mockImplementation(function* (path: string) {
      yield { line: 1, text: good(1) };
      yield { line: 2, text: good(2) };
      throw new PreflightInputError('E_INPUT_READ', 'cannot read file: EIO', { file: path });
    });
    const [e] = lint([file], { cwd: dir, endpoint }).files;
    expect(e!.error).toBe('cannot read file: EIO');
    expect([e!.errorLine, e!.errorColumn]).toEqual([3, 1]);
    expect(linesOf(e!)).toEqual([1, 2]);
  });

  it('a read error before any line is the file’s, unplaced', () => {
    const { dir, file } = write('f.jsonl', '');
    // eslint-disable-next-line require-yield
    vi.spyOn(read, 'readLinesSync').mockImplementation(function* (path: string) {
      throw new PreflightInputError('E_INPUT_READ', 'cannot read file: permission denied', { file: path });
    });
    const [e] = lint([file], { cwd: dir, endpoint }).files;
    expect(e!.error).toBe('cannot read file: permission denied');
    expect(e!.errorLine).toBeUndefined();
  });
});
