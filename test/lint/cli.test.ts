/**
 * `lint` and `matrix --check` end to end, through the built bin (dist/cli.cjs: `npm run build` first, as npm test
 * does): every format against the library's own output, exit codes, stderr, colour, credentials.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInKnowledge } from '../../src/index.js';
import { lint } from '../../src/lint/index.js';
import { formatLintGithub } from '../../src/format/github.js';
import { formatLintJunit } from '../../src/format/junit.js';
import { formatLintSarif } from '../../src/format/sarif.js';
import { formatLintStylish } from '../../src/format/stylish.js';
import { formatMatrixMarkdown } from '../../src/format/matrix.js';
import { generateFixture, TEMPLATES, type Fixture, tempDirs } from './fixtures.js';
import { expectedEntries } from './expected.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const temp = tempDirs();
afterAll(temp.cleanup);
const tmp = temp.make('bp-lint-cli-');
let fx: Fixture;

function run(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? tmp,
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const template = (name: string) => TEMPLATES.find((t) => t.name === name)!;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test does it)');
  fx = generateFixture(join(tmp, 'fx'), { count: 150, seed: 11 });
  generateFixture(join(tmp, 'clean'), { count: 8, templates: [template('runtime-converse-clean')], extras: false });
  generateFixture(join(tmp, 'errors'), { count: 5, templates: [template('mantle-converse')], extras: false });
  generateFixture(join(tmp, 'warnings'), { count: 4, templates: [template('mantle-messages-cache-control')], extras: false });
});

describe('lint on the command line', () => {
  it('a glob that cannot be matched in linear time: one line naming it, exit 2, nothing on stdout', () => {
    const r = run(['lint', '!(x).json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('bedrock-preflight: glob "!(x).json": glob not supported: it needs a lookaround (a negated extglob such as !(…)), which linear-time glob matching cannot run\n');
  });

  it('--format json: one JSON document, the library result, every finding at its key; file errors on stderr; exit 2', () => {
    const r = run(['lint', 'fx', '--format', 'json']);
    expect(r.code).toBe(2);
    const entries = JSON.parse(r.stdout);
    expect(entries).toEqual(JSON.parse(JSON.stringify(lint(['fx'], { cwd: tmp }).files)));
    const want = expectedEntries(fx);
    expect(entries.map((e: { file: string }) => e.file)).toEqual(want.map((e) => `fx/${e.rel}`));
    entries.forEach((e: { findings: unknown[]; errorCode?: string; errorLine?: number }, i: number) => {
      expect(e.findings).toEqual(JSON.parse(JSON.stringify(want[i]!.findings)));
      expect(e.errorCode).toBe(want[i]!.error?.code);
      if (want[i]!.error?.line !== undefined) expect(e.errorLine).toBe(want[i]!.error!.line);
    });
    const errors = entries.filter((e: { error?: string }) => e.error !== undefined);
    expect(errors.length).toBeGreaterThan(5);
    const lines = r.stderr.trimEnd().split('\n');
    // One line per problem: a JSON Lines file with several bad lines has one for each.
    expect(lines).toHaveLength(errors.reduce((n: number, e: { errors?: unknown[] }) => n + (e.errors?.length ?? 1), 0));
    expect(lines).toContain('bedrock-preflight: fx/broken/empty.json:1:1: empty input: expected a JSON document, found nothing');
  });

  it('sarif, junit, github and stylish print what the library formats for the same files', () => {
    const result = lint(['fx'], { cwd: tmp });
    const cases: Array<[string, string]> = [
      ['sarif', formatLintSarif(result, { cwd: tmp, knowledge: builtInKnowledge })],
      ['junit', formatLintJunit(result)],
      ['github', formatLintGithub(result)],
      ['stylish', formatLintStylish(result, { color: false })],
    ];
    for (const [format, want] of cases) {
      const r = run(['lint', 'fx', '--format', format]);
      expect(r.code, format).toBe(2);
      expect(r.stdout, format).toBe(want);
      expect(r.stderr === '', format).toBe(format === 'stylish');
    }
    expect(run(['lint', 'fx']).stdout).toBe(cases[3]![1]);
  });

  it('exit codes: 0 clean, 1 error findings, --max-warnings, 2 for usage errors', () => {
    const clean = run(['lint', 'clean']);
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(clean.stdout).toBe('✔ no problems in 8 files\n');
    expect(run(['lint', 'errors', '--format', 'json']).code).toBe(1);
    expect(run(['lint', 'warnings']).code).toBe(0);
    const over = run(['lint', 'warnings', '--max-warnings', '0']);
    expect(over.code).toBe(1);
    expect(over.stdout).toMatch(/too many warnings: \d+, more than --max-warnings 0\n$/);
    const overJson = run(['lint', 'warnings', '--max-warnings', '0', '--format', 'json']);
    expect(overJson.code).toBe(1);
    expect(overJson.stderr).toMatch(/^bedrock-preflight: too many warnings/);
    expect(run(['lint', 'warnings', '--max-warnings', '100']).code).toBe(0);
    for (const bad of [['lint'], ['lint', 'clean', '--max-warnings=-1'], ['lint', 'clean', '--max-warnings', 'x'], ['lint', 'clean', '--endpoint', 'nowhere'], ['lint', 'clean', '--format', 'text']]) {
      const r = run(bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stdout, bad.join(' ')).toBe('');
      expect(r.stderr, bad.join(' ')).toMatch(/^bedrock-preflight: .+\n$/);
    }
  });

  it('a file error makes the exit code 2 even beside error findings; the other files are still reported', () => {
    const r = run(['lint', 'errors', 'fx/broken/empty.json', '--format', 'json']);
    expect(r.code).toBe(2);
    const entries = JSON.parse(r.stdout);
    expect(entries).toHaveLength(6);
    expect(entries.filter((e: { findings: unknown[] }) => e.findings.length > 0)).toHaveLength(5);
  });

  it('colour only on a terminal or when forced; stdin with -', () => {
    expect(run(['lint', 'errors']).stdout).not.toMatch(/\u001b\[/);
    expect(run(['lint', 'errors'], { env: { FORCE_COLOR: '1' } }).stdout).toMatch(/\u001b\[/);
    expect(run(['lint', 'errors', '--color']).stdout).toMatch(/\u001b\[/);
    const text = readFileSync(join(fx.dir, fx.files.find((f) => f.variant === 'json-pretty' && f.docs[0]!.template.name === 'mantle-converse')!.rel), 'utf8');
    const r = run(['lint', '-', '--format', 'json'], { input: text });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ file: '<stdin>', findings: expect.arrayContaining([expect.objectContaining({ code: 'api-unsupported' })]) });
  });

  it('no credential from the files reaches any output', () => {
    for (const format of ['stylish', 'json', 'sarif', 'junit', 'github']) {
      const r = run(['lint', 'fx', '--format', format, '--endpoint', 'mantle']);
      for (const secret of ['bedrock-api-key-', 'AKIAIOSFODNN7EXAMPLE', 'Signature=', 'AWS4-HMAC', 'c2FtcGxlLW5vdC1hLXJlYWwta2V5']) {
        expect(r.stdout + r.stderr, `${format} ${secret}`).not.toContain(secret);
      }
    }
  });
});

describe('matrix --check', () => {
  const md = formatMatrixMarkdown(builtInKnowledge);

  it('exits 0 when the file is what matrix --format md prints, and never writes it', () => {
    const file = join(tmp, 'matrix.md');
    writeFileSync(file, run(['matrix', '--format', 'md']).stdout);
    expect(readFileSync(file, 'utf8')).toBe(md);
    const before = statSync(file).mtimeMs;
    const r = run(['matrix', '--check', file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`${file} is up to date with the rules\n`);
    writeFileSync(join(tmp, 'matrix-crlf.md'), md.replace(/\n/g, '\r\n'));
    expect(run(['matrix', '--check', 'matrix-crlf.md']).code).toBe(0);
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('exits 1 with a one-line summary when the file was edited, leaving it as it is', () => {
    const file = join(tmp, 'edited.md');
    const lines = md.split('\n');
    const i = lines.findIndex((l) => l.startsWith('| ') && !l.startsWith('| ---') && l.includes('Yes'));
    lines[i] = lines[i]!.replace('Yes', 'No');
    const edited = lines.join('\n');
    writeFileSync(file, edited);
    const r = run(['matrix', '--check', 'edited.md']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toHaveLength(2);
    expect(r.stdout).toContain(`edited.md is out of date with the rules: line ${i + 1} differs`);
    expect(r.stdout).toContain('regenerate it with: bedrock-preflight matrix --format md > edited.md');
    expect(readFileSync(file, 'utf8')).toBe(edited);
    const j = run(['matrix', '--check', 'edited.md', '--format', 'json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ file: 'edited.md', upToDate: false });
  });

  it('compares a .html file with matrix --format html', () => {
    const file = join(tmp, 'matrix.html');
    const html = run(['matrix', '--format', 'html']).stdout;
    writeFileSync(file, html);
    expect(run(['matrix', '--check', 'matrix.html'])).toMatchObject({ code: 0, stdout: 'matrix.html is up to date with the rules\n' });
    writeFileSync(file, html.replace('</body>', '<p>edited</p></body>'));
    const r = run(['matrix', '--check', 'matrix.html']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('regenerate it with: bedrock-preflight matrix --format html > matrix.html');
  });

  it('exits 2 when the file cannot be read, and creates nothing', () => {
    const r = run(['matrix', '--check', 'missing.md']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('bedrock-preflight: missing.md: cannot read file: no such file\n');
    expect(existsSync(join(tmp, 'missing.md'))).toBe(false);
  });
});
