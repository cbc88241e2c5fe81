const inFolder = (files: Record<string, string>): string => folder(files, 'bp-glob-');
/**
 * The configuration's globs (ignores, rules' files, endpoint mappings) are matched in linear time: picomatch's
 * expression, run in RE2JS rather than JavaScript's backtracking engine. Their meaning is picomatch's (dot: true)
 * on the normalized paths they are matched against; what cannot be matched in linear time is refused when the
 * configuration is loaded, at its file:line:column.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { globMatches, globProblem, MAX_GLOB_LENGTH, pathForGlobs } from '../../src/config/glob.js';
import { checkWithConfig, loadConfig } from '../../src/config/index.js';
import { endpointMapper } from '../../src/lint/endpoints.js';
import { folder, thrown } from '../helpers/files.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

/** The glob of issue 1: `*a` 25 times then `b`; picomatch's own expression backtracks for minutes on 40 a's. */
const HOSTILE = '*a'.repeat(25) + 'b';

describe('globMatches keeps picomatch’s meaning', () => {
  const globs = [
    '*.json', 'a/**/b.json', '{a,b}/*.json', '**/x/*.{json,yaml}', '.x/**', 'a/*/c', 'foo/**', '[abc]?.json', '@(a|b).json',
    'a+(b).json', '!a/**', '!*.json', './foo/*.json', 'a/**', 'a/**/*', '*(a|b)', '[[:alpha:]]*.json', 'a\\*b', '{1..3}.json',
    'a/{b,c/**}/d', 'customer-facing/**', '**/*.json', '**/.env', '*', '?', 'a?c', 'src/**/*.{ts,js}', '[!a]*', '*a*a*b', '**/a/**',
    'x/**/y/**/z', '***/**/*',
  ];
  const paths = [
    'a', 'b', 'a.json', '.a.json', 'a/b.json', 'a/x/b.json', 'a/x/y/b.json', 'b/c.json', 'x/y.json', 'x/y.yaml', 'z/x/y.json', '.x/a', '.x',
    'foo', 'foo/a', 'foo/.a', 'foo/a/b', 'abc.json', 'bx.json', 'ab.json', 'abb.json', '1.json', '4.json', 'a/b/d', 'a/c/x/d', 'a/b', 'a*b',
    'acb', '.env', 'd/.env', 'src/a.ts', 'src/b/c.js', 'foo.json', 'x/a/y/b/z', '<stdin>', '/abs/p/a.json', 'a/.b/c', 'aaab', '.jsonb',
  ];
  it.each(globs)('%s matches the same paths as picomatch', (glob) => {
    expect(globProblem(glob)).toBeUndefined();
    const pm = picomatch(glob, { dot: true });
    const differ = paths.filter((p) => pm(p) !== globMatches(glob, p));
    expect(differ).toEqual([]);
  });

  it('`**` crosses folders, `*` does not, dotfiles match, braces expand', () => {
    expect(globMatches('a/**', 'a/b/c/d.json')).toBe(true);
    expect(globMatches('a/*', 'a/b/c.json')).toBe(false);
    expect(globMatches('a/*', 'a/.hidden.json')).toBe(true);
    expect(globMatches('{x,y}/*.json', 'y/q.json')).toBe(true);
    expect(globMatches('**', 'anything/at/all')).toBe(true);
  });

  it('matches against normalized paths (no . or .. segment, also outside the root)', () => {
    expect(pathForGlobs('sub/../a/./b.json', '/r', '/r')).toBe('a/b.json');
    expect(pathForGlobs('../x/./y.json', '/r/sub', '/r/sub')).toBe('/r/x/y.json');
    expect(pathForGlobs('/elsewhere/./q/../y.json', '/r', '/r')).toBe('/elsewhere/y.json');
  });
});

describe('globs run in linear time', () => {
  it('a glob that backtracks in picomatch takes milliseconds on a path of 4,096 characters', () => {
    expect(globProblem(HOSTILE)).toBeUndefined();
    for (const path of ['a'.repeat(40) + '.json', 'a'.repeat(4090) + '.json', 'a/'.repeat(2040) + 'aaaa.json']) {
      const started = performance.now();
      expect(globMatches(HOSTILE, path)).toBe(false);
      // A bound against a hang, not a speed test: picomatch's expression takes minutes on the first path.
      expect(performance.now() - started).toBeLessThan(1000);
    }
    expect(globMatches(HOSTILE, 'a'.repeat(50) + 'b')).toBe(true);
  });

  it('the largest globs accepted still take milliseconds on a path of 4,096 characters', () => {
    for (const glob of ['/**/a'.repeat(204), '?*'.repeat(512), '*a'.repeat(512)]) {
      expect(globProblem(glob)).toBeUndefined();
      const started = performance.now();
      globMatches(glob, 'a/'.repeat(2040) + 'aaaa.json');
      globMatches(glob, 'a'.repeat(4096));
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it.each([
    ['a negated extglob', 'x/!(a)/*.json', /lookaround \(a negated extglob/],
    ['a glob too long', 'a'.repeat(MAX_GLOB_LENGTH + 1), /glob longer than 1024 characters/],
  ])('refuses %s', (_, glob, why) => {
    expect(globProblem(glob)).toMatch(why);
    expect(() => globMatches(glob, 'x')).toThrow(why);
  });

  it('refuses such globs when the configuration is loaded, at file:line:column', () => {
    const dir = folder({
      '.bedrock-preflight.yaml': `endpoints:
  - glob: 'x/!(a)/*.json'
    endpoint: bedrock-mantle
rules:
  - id: r
    severity: error
    message: m
    files: ['ok/**', '${'b'.repeat(1100)}']
    forbid: { apis: [converse] }
ignores:
  - path: '@(a|!(b))'
    subject: x
    reason: r
`,
    });
    const lines = thrown(() => loadConfig('.bedrock-preflight.yaml', { cwd: dir })).oneLine.split('\n');
    expect(lines).toContain('.bedrock-preflight.yaml:2:5: glob not supported: it needs a lookaround (a negated extglob such as !(…)), which linear-time glob matching cannot run (at /endpoints/0/glob)');
    expect(lines.find((l) => l.includes('(at /rules/0/files/1)'))).toMatch(/^\.bedrock-preflight\.yaml:8:\d+: glob longer than 1024 characters/);
    expect(lines.find((l) => l.includes('(at /ignores/0/path)'))).toMatch(/^\.bedrock-preflight\.yaml:11:5: glob not supported/);
  });

  it('ignores, rules’ files and endpoint mappings use it: a hostile glob on a long file name answers at once', () => {
    const dir = folder({
      '.bedrock-preflight.yaml': `endpoints:
  - glob: '${HOSTILE}'
    endpoint: bedrock-mantle
rules:
  - id: r
    severity: error
    message: m
    files: ['${HOSTILE}']
    forbid: { apis: [converse] }
ignores:
  - path: '${HOSTILE}'
    subject: api-key-auth
    reason: x
`,
    });
    const config = loadConfig('.bedrock-preflight.yaml', { cwd: dir });
    const file = 'a'.repeat(40) + '.json';
    const started = performance.now();
    expect(endpointMapper(config.endpoints, config.root)(join(dir, file))).toBeUndefined();
    expect(endpointMapper(config.endpoints, config.root)(join(dir, 'a'.repeat(30) + 'b'))).toBe('bedrock-mantle');
    checkWithConfig(config, { model: 'm', messages: [] }, { endpoint: 'bedrock-mantle' }, join(dir, file));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('an endpoint mapping leaves node_modules and .git alone unless it is **, as when it walked the folder', () => {
    const map = endpointMapper([{ glob: '**/*.json', endpoint: 'bedrock-mantle' }], '/r');
    expect(map('/r/a/b.json')).toBe('bedrock-mantle');
    expect(map('/r/node_modules/p/b.json')).toBeUndefined();
    expect(map('/r/.git/b.json')).toBeUndefined();
    expect(map('-')).toBeUndefined();
    expect(endpointMapper([{ glob: '**', endpoint: 'bedrock-mantle' }], '/r')('-')).toBe('bedrock-mantle');
  });

  it('lint and test through the CLI finish (they hung on picomatch’s expression)', () => {
    const file = 'a'.repeat(40) + '.json';
    const dir = folder({
      '.bedrock-preflight.yaml': `ignores:\n  - path: '${HOSTILE}'\n    subject: api-key-auth\n    reason: x\n`,
      [file]: '{"model":"m","messages":[]}\n',
      'pack/cases.yaml': `config: ../.bedrock-preflight.yaml\ncases:\n  - name: long\n    file: ${file}\n    input: { model: m, messages: [] }\n    options: { endpoint: bedrock-mantle }\n    expect: { endpoint: bedrock-mantle }\n`,
    });
    const lint = spawnSync(process.execPath, [bin, 'lint', file, '--endpoint', 'mantle', '--format', 'json'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(lint.signal).toBeNull();
    expect(lint.status).toBe(0);
    const test = spawnSync(process.execPath, [bin, 'test', 'pack'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(test.signal).toBeNull();
    expect(test.stderr).toBe('');
    expect(test.status).toBe(0);
  }, 60_000);
});
