const inFolder = (files: Record<string, string>): string => folder(files, 'bp-hostile-');
/**
 * Reproductions of issue 13 (hostile input, round two) through the command line: each now gives one clear line
 * with the file (and position) and exit code 2, or the right result, within bounds.
 */
import { spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { PreflightInputError } from '../../src/errors.js';
import { folder } from '../helpers/files.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

function cli(cwd: string, ...args: string[]) {
  // A hang is caught by the time-out: the process is killed and its status is null.
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('item 4: test on a malformed or empty rule pack', () => {
  const good = 'cases:\n  - { name: a, input: { modelId: x }, expect: { valid: true } }\n';

  it('an unclosed flow sequence: one line with file:line:column, exit 2', () => {
    const dir = folder({ 'p/bad.yaml': 'cases: [\n' });
    const r = cli(dir, 'test', 'p/bad.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bedrock-preflight: p\/bad\.yaml:\d+:\d+: invalid YAML/)]);
  });

  it('an empty pack file: one line naming the file, exit 2', () => {
    const dir = folder({ 'p/empty.yaml': '' });
    const r = cli(dir, 'test', 'p/empty.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p\/empty\.yaml:1:1: empty input/);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a folder run reports the problem of every file, not an internal error', () => {
    const dir = folder({ 'p/bad.yaml': 'cases: [\n', 'p/empty.yaml': '', 'p/good.yaml': good });
    const r = cli(dir, 'test', 'p');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p\/bad\.yaml:\d+:\d+: /);
    expect(r.stderr).toMatch(/p\/empty\.yaml:1:1: /);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('instanceof ConfigError holds for configuration errors only', () => {
    const input = new PreflightInputError('E_INPUT_PARSE', 'x', { file: 'f' });
    const config = new ConfigError([{ file: 'f', line: 1, column: 1, key: '', message: 'm' }]);
    expect(input instanceof PreflightInputError).toBe(true);
    expect(input instanceof ConfigError).toBe(false);
    expect(config instanceof ConfigError).toBe(true);
    expect(config instanceof PreflightInputError).toBe(true);
  });
});

describe('item 1: deep or huge YAML is refused before the parser spends memory on it', () => {
  // Run under a 256 MB heap: a parse that builds the whole tree first dies of out-of-memory (status 134).
  function checkSmallHeap(cwd: string, file: string) {
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', bin, 'check', file, '--endpoint', 'mantle'], { cwd, encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, stderr: r.stderr };
  }

  it('10 MB of nested flow brackets (under the general size limit): the YAML size limit, with the file name', () => {
    const n = 5_000_000;
    const dir = folder({ 'deep.yaml': `body: ${'['.repeat(n)}${']'.repeat(n)}\n` });
    const r = checkSmallHeap(dir, 'deep.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^bedrock-preflight: deep\.yaml: YAML input is larger than the YAML limit of 256 KiB/);
  });

  it('120,000 nested flow brackets under the YAML size limit: the depth error at the first bracket too deep', () => {
    const n = 120_000;
    const dir = folder({ 'deep.yaml': `model: x\nbody: ${'['.repeat(n)}${']'.repeat(n)}\n` });
    const r = checkSmallHeap(dir, 'deep.yaml');
    expect(r.code).toBe(2);
    // Depth 1 is the top-level mapping; the flow scan counts brackets only, so it stops at bracket maxDepth + 1.
    expect(r.stderr.trim()).toMatch(/^bedrock-preflight: deep\.yaml:2:207: nesting too deep: .*maxDepth = 200/);
  });

  it('brackets inside quoted strings, block scalars and comments do not count as nesting', () => {
    const many = '['.repeat(1000);
    const dir = folder({
      'ok.yaml': `url: https://bedrock-mantle.us-east-1.api.aws/v1/responses\nbody:\n  model: openai.gpt-oss-120b\n  input: "${many}"\n  instructions: |\n    ${many}\n  # ${many}\n  metadata: { a: '${many}' }\n`,
    });
    const r = cli(dir, 'check', 'ok.yaml', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ endpoint: 'bedrock-mantle' });
  });
});

const okBody = '{"model":"openai.gpt-oss-120b","input":"hi","max_output_tokens":10}';

describe('item 5: lint on a document deeper than a recursive parser can follow', () => {
  it('reports that file with a clear error, keeps the other files, never an internal error', () => {
    const n = 100_000;
    const dir = folder({ 'deep.json': `{"model":"x","input":${'['.repeat(n)}${']'.repeat(n)}}`, 'ok.json': okBody });
    const r = cli(dir, 'lint', '.', '--max-depth', '1000000', '--endpoint', 'mantle', '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    const files = JSON.parse(r.stdout) as Array<{ file: string; error?: string; findings: unknown[] }>;
    expect(files.map((f) => f.file)).toEqual(['deep.json', 'ok.json']);
    expect(files[0]!.error).toMatch(/nesting too deep/);
    expect(files[1]!.error).toBeUndefined();
    expect(files[1]!.findings.length).toBeGreaterThan(0);
  });
});

describe('item 10: a named pipe with no writer', () => {
  it('check and lint refuse it at once (exit 2, the file named), lint goes on with the other files', () => {
    const dir = folder({ 'ok.json': okBody });
    spawnSync('mkfifo', [join(dir, 'pipe.json')]);
    const c = cli(dir, 'check', 'pipe.json', '--endpoint', 'mantle');
    expect(c.code).toBe(2);
    expect(c.stderr.trim()).toBe('bedrock-preflight: pipe.json: cannot read file: it is a named pipe (FIFO); give a regular file, or - to read stdin');
    const l = cli(dir, 'lint', 'pipe.json', 'ok.json', '--endpoint', 'mantle', '--format', 'json');
    expect(l.code).toBe(2);
    const files = JSON.parse(l.stdout) as Array<{ file: string; error?: string }>;
    expect(files.find((f) => f.file === 'pipe.json')?.error).toMatch(/named pipe/);
    expect(files.find((f) => f.file === 'ok.json')?.error).toBeUndefined();
  });
});

describe('item 13: inputs and errors at the edges', () => {
  it('a file longer than any string, under a raised --max-bytes: refused by its size, with the file name', () => {
    const dir = folder({});
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 600 * 1024 * 1024); // sparse: no disk is used
    const r = cli(dir, 'check', 'big.json', '--max-bytes', '1000000000', '--endpoint', 'mantle');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bedrock-preflight: big\.json: input is larger than the longest text Node\.js can hold/);
  });

  it('check --format json prints exactly one JSON document on exit 2', () => {
    const dir = folder({ 'bad.json': '{"model": ' });
    for (const args of [['check', 'bad.json', '--format', 'json'], ['check', 'missing.json', '--format=json'], ['check', 'bad.json', '--format', 'json', '--no-such-flag']]) {
      const r = cli(dir, ...args);
      expect(r.code).toBe(2);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(doc.error.code).toMatch(/^E_/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('item 12: extends confined to the configuration\'s own tree', () => {
  const outside = 'rules:\n  - id: secret-key-name-xyzzy\n    severity: error\n    message: m\n    forbid: { capabilities: [nope] }\n';

  it.each([
    ['a parent folder', '../outside.yaml'],
    ['an absolute path', 'ABS'],
    ['a symbolic link out of the tree', 'link.yaml'],
  ])('refuses %s without reading it (exit 2, file:line:column), and never echoes its content', (_, target) => {
    const dir = folder({ 'outside.yaml': outside, 'team/ok.json': okBody });
    const entry = target === 'ABS' ? join(dir, 'outside.yaml') : target;
    writeFileSync(join(dir, 'team', '.bedrock-preflight.yaml'), `extends: ${JSON.stringify(entry)}\n`);
    if (target === 'link.yaml') spawnSync('ln', ['-s', join(dir, 'outside.yaml'), join(dir, 'team', 'link.yaml')]);
    const r = cli(join(dir, 'team'), 'check', 'ok.json', '--endpoint', 'mantle');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bedrock-preflight: \.bedrock-preflight\.yaml:1:\d+: extends ".*" is outside the configuration's folder/);
    expect(r.stderr + r.stdout).not.toMatch(/xyzzy|nope/i);
  });

  it('--allow-outside-extends lets it through (and then its problems are reported)', () => {
    const dir = folder({ 'outside.yaml': outside, 'team/ok.json': okBody, 'team/.bedrock-preflight.yaml': 'extends: ../outside.yaml\n' });
    const r = cli(join(dir, 'team'), 'check', 'ok.json', '--endpoint', 'mantle', '--allow-outside-extends');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown capability "nope"/);
  });

  it('extends inside the tree still works', () => {
    const dir = folder({ 'team/base/b.yaml': 'maxWarnings: 5\n', 'team/ok.json': okBody, 'team/.bedrock-preflight.yaml': 'extends: base/b.yaml\n' });
    const r = cli(join(dir, 'team'), 'check', 'ok.json', '--endpoint', 'mantle');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('item 13: --debug stack traces', () => {
  it('name the source files (source maps), and are sanitised', () => {
    const dir = folder({ 'bad.json': '{"model": ' });
    const r = cli(dir, 'check', 'bad.json', '--debug');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n {4}at \S+ \(.*src[\\/]input[\\/]parse\.ts:\d+:\d+\)/);
  });
});

describe('item 9: unreadable entries in a walked folder or a glob are findings', () => {
  function tree(): string {
    const dir = folder({ 'd/ok.json': okBody });
    for (const [link, target] of [['d/dangling.json', 'nowhere.json'], ['d/loop1.json', 'loop2.json'], ['d/loop2.json', 'loop1.json']]) {
      spawnSync('ln', ['-s', target!, join(dir, link!)]);
    }
    return dir;
  }

  it('a folder walk reports dangling links and link loops, and lints the rest', () => {
    const r = cli(tree(), 'lint', 'd', '--endpoint', 'mantle', '--format', 'json');
    expect(r.code).toBe(2);
    const files = JSON.parse(r.stdout) as Array<{ file: string; error?: string }>;
    expect(files.map((f) => [f.file, f.error?.replace(/ \(.*/, '')])).toEqual([
      [join('d', 'dangling.json'), 'cannot read: a dangling symbolic link'],
      [join('d', 'loop1.json'), 'cannot read: a symbolic link loop'],
      [join('d', 'loop2.json'), 'cannot read: a symbolic link loop'],
      [join('d', 'ok.json'), undefined],
    ]);
  });

  it('a glob over them names them, rather than "no files match"', () => {
    const dir = tree();
    const none = cli(dir, 'lint', 'd/dang*.json', '--endpoint', 'mantle');
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/d\/dangling\.json\n.*dangling symbolic link/);
    expect(none.stdout).not.toMatch(/no files match/);
    const some = cli(dir, 'lint', 'd/*.json', '--endpoint', 'mantle', '--format', 'json');
    expect((JSON.parse(some.stdout) as Array<{ file: string }>).map((f) => f.file)).toEqual(['d/dangling.json', 'd/loop1.json', 'd/loop2.json', 'd/ok.json']);
  });
});
