/**
 * Malformed and hostile files through the command line: each gives exit code 2 and one line on stderr naming the
 * file and, where there is one, the line and column; never a stack trace, never a hang, never a crash.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const dir = mkdtempSync(join(tmpdir(), 'bp-malformed-'));

function write(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function check(file: string, ...flags: string[]) {
  // A hang is caught by the time-out: the process is killed and its status is null, not 2.
  const r = spawnSync(process.execPath, [bin, 'check', file, '--endpoint', 'mantle', ...flags], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const envelope = '{"url":"https://bedrock-mantle.us-east-1.api.aws/v1/responses","body":{"model":"openai.gpt-oss-120b","input":"hi","max_output_tokens":10}}';
const billionLaughs = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');

const cases: Array<[string, string, string | Uint8Array, RegExp]> = [
  ['a JSON syntax error', 'syntax.json', '{\n  "model": "x",\n  "input": "hi"\n  "background": true\n}\n', /syntax\.json:4:3: /],
  ['a trailing comma in .json', 'trailing.json', '{"model": "x", "input": "hi",}', /trailing\.json:1:29: /],
  ['a YAML syntax error', 'syntax.yaml', 'model: x\ninput: [unclosed\n', /syntax\.yaml:\d+:\d+: /],
  ['an empty file', 'empty.json', '', /empty\.json:1:1: .*empty/],
  ['a binary file', 'binary.json', new Uint8Array([0x7b, 0x00, 0x01, 0x02, 0xff, 0x00]), /binary\.json:1:\d+: /],
  ['a UTF-16 file', 'utf16.json', new Uint8Array([0xff, 0xfe, ...Buffer.from('{"a":1}', 'utf16le')]), /utf16\.json:1:1: .*UTF-16/],
  ['invalid UTF-8', 'latin1.json', new Uint8Array([...Buffer.from('{"input":"caf'), 0xe9, ...Buffer.from('"}')]), /latin1\.json:1:14: /],
  ['duplicate keys in JSON', 'dup.json', '{"input":"a",\n "input":"b"}', /dup\.json:2:2: .*input/],
  ['duplicate keys in YAML', 'dup.yaml', 'input: a\ninput: b\n', /dup\.yaml:2:1: .*input/],
  ['a top level that is an array', 'array.json', '[{"input":"hi"}]', /array\.json:1:1: .*array/],
  ['a YAML alias bomb', 'bomb.yaml', billionLaughs, /bomb\.yaml:\d+:\d+: .*alias/i],
  ['JSON nested 100,000 deep', 'deep.json', `{"input":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, /deep\.json:1:\d+: .*(deep|depth)/],
  ['YAML nested 5,000 deep', 'deep.yaml', `input: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /deep\.yaml:1:\d+: .*(deep|depth)/],
];

describe('malformed and hostile input', () => {
  it.each(cases)('%s: exit 2, one line with the position', (_name, file, content, message) => {
    const r = check(write(file, content));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('accepts and ignores a UTF-8 byte-order mark', () => {
    const r = check(write('bom.json', `\uFEFF${envelope}`), '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).api).toBe('responses');
  });

  it('refuses a file over --max-bytes, and takes it under a larger limit', () => {
    const big = write('big.json', JSON.stringify({ url: 'https://bedrock-mantle.us-east-1.api.aws/v1/responses', body: { model: 'openai.gpt-oss-120b', max_output_tokens: 10, input: 'x'.repeat(200_000) } }));
    const small = check(big, '--max-bytes', '100000');
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/big\.json: .*larger than the limit of 100000 bytes/);
    expect(check(big, '--max-bytes', '1000000').code).toBe(0);
  });

  it('keeps __proto__, constructor and prototype keys as data', () => {
    const r = check(write('proto.json', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"model":"openai.gpt-oss-120b","input":"hi","max_output_tokens":5}'), '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).api).toBe('responses');
  });
});
