/**
 * JSON Lines, streamed: every bad line located at its line (not counted), every good line checked with its findings
 * at its line, the size limit applied per line, lines that cross the reader's chunks, CRLF and a BOM, bad bytes on
 * one line, and encodings that make the whole file unreadable. Expected findings come from check on each line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import { exitCodeOfLint, fileErrorsOf, lint } from '../../src/lint/index.js';
import { formatLintStylish } from '../../src/format/stylish.js';
import { formatLintGithub } from '../../src/format/github.js';
import { formatLintJunit } from '../../src/format/junit.js';
import { formatLintSarif } from '../../src/format/sarif.js';
import { tempDirs } from './fixtures.js';

const temp = tempDirs();
afterAll(temp.cleanup);
const preflight = createPreflight();
const endpoint = 'bedrock-mantle';

/** A request with findings on mantle (no max_output_tokens), made distinct by n and padded to about `size` characters. */
const good = (n: number, size = 0): string => JSON.stringify({ model: 'openai.gpt-oss-120b', input: `question ${n} ${'x'.repeat(size)}` });
const BAD = ['{"model": }', 'not json', '{"a": 1} trailing', '[1, 2]', '{"input": "unterminated'];

function write(name: string, content: string | Buffer): string {
  const dir = temp.make('bp-jsonl-');
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The findings check gives for each good line, each placed on that line. */
function expectedFindings(lines: string[]): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  lines.forEach((l, i) => {
    if (l.trim() === '' || BAD.includes(l)) return;
    for (const f of preflight.check(JSON.parse(l), { endpoint }).findings) out.push({ line: i + 1, code: f.code });
  });
  return out.sort((a, b) => a.line - b.line);
}

describe('lint: JSON Lines', () => {
  it('locates every bad line and checks every good one', () => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(i % 7 === 3 ? BAD[i % BAD.length]! : i % 11 === 5 ? '' : good(i));
    const file = write('mixed.jsonl', `${lines.join('\n')}\n`);
    const [entry] = lint([file], { endpoint, preflight }).files;
    const badLines = lines.flatMap((l, i) => (BAD.includes(l) ? [i + 1] : []));
    expect(badLines.length).toBeGreaterThan(5);
    const errors = fileErrorsOf(entry!);
    expect(errors.map((e) => e.line)).toEqual(badLines);
    for (const e of errors) expect(e.code).toMatch(/^E_INPUT_(PARSE|SHAPE)$/);
    expect(entry!.errorLine).toBe(badLines[0]);
    expect(entry!.error).not.toMatch(/more problems?/);
    expect(entry!.findings.map((f) => ({ line: f.line, code: f.code }))).toEqual(expectedFindings(lines));
    expect(exitCodeOfLint(lint([file], { endpoint, preflight }))).toBe(2);
  });

  it('every format names every bad line', () => {
    const lines = [good(1), BAD[0]!, good(2), BAD[1]!, BAD[2]!];
    const file = write('fmt.jsonl', lines.join('\n'));
    const result = lint([file], { endpoint, preflight });
    const stylish = formatLintStylish(result, { color: false });
    const github = formatLintGithub(result);
    const junit = formatLintJunit(result);
    const sarif = JSON.parse(formatLintSarif(result, { cwd: process.cwd(), knowledge: preflight.knowledge })) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
    for (const line of [2, 4, 5]) {
      expect(stylish).toMatch(new RegExp(`^\\s+${line}:\\d+\\s+error`, 'm'));
      expect(github).toContain(`line=${line},col=`);
      expect(junit).toContain(`line="${line}"`);
      expect(sarif.runs[0]!.results.some((r) => r.locations[0]!.physicalLocation.region.startLine === line)).toBe(true);
    }
  });

  it('applies the size limit to each line, not to the file', () => {
    const lines = [good(1, 100), good(2, 5000), good(3, 100), good(4, 100)];
    const file = write('long.jsonl', lines.join('\n'));
    const maxBytes = 1000; // the file is over it; only line 2 is
    const [entry] = lint([file], { endpoint, preflight, limits: { maxBytes } }).files;
    expect(fileErrorsOf(entry!).map((e) => [e.line, e.code])).toEqual([[2, 'E_INPUT_LIMIT']]);
    expect(new Set(entry!.findings.map((f) => f.line))).toEqual(new Set([1, 3, 4]));
  });

  it('reads lines that cross the reader chunks, with CRLF and a BOM', () => {
    // About 4 MB: lines of many lengths, so that line ends fall everywhere relative to the reads.
    const lines = Array.from({ length: 1500 }, (_, i) => (i % 97 === 13 ? BAD[i % BAD.length]! : good(i, (i * 7919) % 5000)));
    const file = write('big.jsonl', `\uFEFF${lines.join('\r\n')}\r\n`);
    const [entry] = lint([file], { endpoint, preflight }).files;
    expect(fileErrorsOf(entry!).map((e) => e.line)).toEqual(lines.flatMap((l, i) => (BAD.includes(l) ? [i + 1] : [])));
    expect(entry!.findings.map((f) => ({ line: f.line, code: f.code }))).toEqual(expectedFindings(lines));
  });

  it('a line with bytes that are not UTF-8 is an error at its line and column; the other lines are checked', () => {
    const before = Buffer.from(`${good(1)}\n{"input": "caf`); // the é is column 15
    const file = write('latin1.jsonl', Buffer.concat([before, Buffer.from([0xe9]), Buffer.from(`"}\n${good(3)}\n`)]));
    const [entry] = lint([file], { endpoint, preflight }).files;
    expect(fileErrorsOf(entry!).map((e) => [e.line, e.column, e.code])).toEqual([[2, 15, 'E_INPUT_PARSE']]);
    expect(new Set(entry!.findings.map((f) => f.line))).toEqual(new Set([1, 3]));
  });

  it('a UTF-16 file is one error of the file, and an empty one says so', () => {
    const utf16 = write('wide.jsonl', Buffer.from(`\uFEFF${good(1)}\n${good(2)}\n`, 'utf16le'));
    const [wide] = lint([utf16], { endpoint, preflight }).files;
    expect(fileErrorsOf(wide!)).toHaveLength(1);
    expect(wide!.error).toMatch(/UTF-16/);
    const [empty] = lint([write('empty.jsonl', '\n\n')], { endpoint, preflight }).files;
    expect(empty!.error).toMatch(/empty input/);
  });
});
