/**
 * `lint --format json` printed in parts: joined, the parts are exactly JSON.stringify of lint's entries and a
 * newline, whatever the number of findings (split into batches past a thousand) and whatever the file name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import { lint, type LintEntry } from '../../src/lint/index.js';
import { formatLintJsonParts, jsonLintWriter } from '../../src/format/lint-json.js';
import { tempDirs } from './fixtures.js';

const temp = tempDirs();
afterAll(temp.cleanup);
const preflight = createPreflight();

/** A JSON Lines file of n requests that each give findings on mantle (no max_output_tokens), and one bad line. */
function linted(n: number, name: string): LintEntry {
  const dir = temp.make('bp-json-parts-');
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ model: 'openai.gpt-oss-120b', input: `question ${i}` }));
  lines.splice(Math.floor(n / 2), 0, '{"broken": ');
  writeFileSync(join(dir, name), lines.join('\n'));
  return lint([join(dir, name)], { endpoint: 'bedrock-mantle', preflight }).files[0]!;
}

describe('lint --format json, in parts', () => {
  it.each([0, 3, 400, 1000, 1001, 2600])('joins to JSON.stringify of the entries (%i requests with findings in one file)', (n) => {
    const big = linted(n, 'a "findings":[ name.jsonl');
    const small = linted(2, 'b.jsonl');
    const files = [big, small, { file: 'empty.json', findings: [] }];
    const parts = [...formatLintJsonParts(files)];
    expect(parts.join('')).toBe(`${JSON.stringify(files)}\n`);
    if (big.findings.length > 1000) expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(JSON.stringify(big).length / 2);
  });
});

describe('lint --format json, streamed', () => {
  it('a sink gets every entry in order, a JSON Lines file line by line, and the writer prints what gathering prints', () => {
    const dir = temp.make('bp-json-stream-');
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ model: 'openai.gpt-oss-120b', input: `question ${i}` }));
    lines.splice(25, 0, '{"broken": ');
    writeFileSync(join(dir, 'b.jsonl'), lines.join('\n'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ model: 'openai.gpt-oss-120b', input: 'hi', background: true }));
    writeFileSync(join(dir, 'c.json'), '{"not json');
    const options = { endpoint: 'bedrock-mantle', preflight };
    const gathered = lint([dir, join(dir, 'missing.json')], options);

    const batches: Array<{ file: string; lines: number[] }> = [];
    const entries: LintEntry[] = [];
    const parts: string[] = [];
    const writer = jsonLintWriter((p) => parts.push(p));
    const streamed = lint([dir, join(dir, 'missing.json')], {
      ...options,
      sink: {
        findings(file, findings) {
          batches.push({ file, lines: [...new Set(findings.map((f) => f.line))] });
          writer.findings(file, findings);
        },
        entry(e) {
          entries.push(e);
          writer.entry(e);
        },
      },
    });
    writer.end();

    expect(streamed.files).toEqual([]);
    expect(streamed.counts).toEqual(gathered.counts);
    expect(entries.map((e) => e.file)).toEqual(gathered.files.map((e) => e.file));
    // Each batch is one line of b.jsonl, in line order; its entry then holds none of them.
    expect(batches.length).toBe(50);
    expect(batches.every((b) => b.file.endsWith('b.jsonl') && b.lines.length === 1)).toBe(true);
    expect(batches.map((b) => b.lines[0])).toEqual([...batches.map((b) => b.lines[0]!)].sort((x, y) => x - y));
    expect(entries.find((e) => e.file.endsWith('b.jsonl'))!.findings).toEqual([]);
    expect(parts.join('')).toBe(`${JSON.stringify(gathered.files)}\n`);
  });
});
