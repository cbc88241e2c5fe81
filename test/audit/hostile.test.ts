/**
 * `audit` and `audit merge` on hostile input (the built bin, and the reader): credentials and control characters
 * in log records never reach any format raw; named pipes, sockets, dangling and looping links are refused or
 * reported by name, never waited on nor dropped; a gzip bomb stops at its bound; a report given to merge is checked
 * against its schema and its size; a path that does not exist is one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLogFile, type LogItem } from '../../src/audit/read.js';
import { generateReportValidator, GENERATED_REPORT_VALIDATOR } from '../../src/audit/report-validator.build.js';
import { random, recordOf, templatesFromCases } from '../../scripts/gen-invocation-logs.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'bp-audit-hostile-'));
const at = (name: string): string => join(tmp, name);

/** The bin, never left waiting: a hang is a failure (status null), not a stuck test run. */
function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mkfifo = (path: string): void => {
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
};

const record = (i: number, patch: Record<string, unknown> = {}): string => JSON.stringify({ ...recordOf(templatesFromCases()[0]!, i, random(i)), ...patch });

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const ANT = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';
/** Credentials and raw control characters: ESC (and so CSI/OSC sequences), BEL, C1 CSI, the bidi override. */
const LEAKS = /AKIAIOSFODNN7EXAMPLE|sk-ant-api03|[\u001b\u0007\u009b\u202e]/;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test does it)');
});

describe('credentials and control characters from log records', () => {
  const file = at('hostile.jsonl');
  beforeAll(() => {
    const lines = [
      record(1, { requestId: `${KEY}\u001b[31mRED\u0007\u202eevil\u009b`, modelId: ANT, identity: { arn: `arn:aws:iam::111122223333:user/${KEY}` } }),
      record(2, { operation: `Conv\u001b[2J${KEY}`, region: 'us-east-1\u001b]0;title\u0007', modelId: 'sk-ant-api03-zyxwvutsrqponmlkjihgfedcba9876543210' }),
      record(3, { input: { inputBodyS3Path: `s3://bucket/${KEY}/\u001b[31mbody.json` } }),
      KEY,
      `{"a": "\u001b[31m${KEY}`,
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
  });

  it('never reach text, md, html, sarif or json, and two keys redacted alike add up', () => {
    for (const format of ['text', 'md', 'html', 'sarif', 'json']) {
      const r = run(['audit', file, '--quiet', '--format', format]);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).not.toMatch(LEAKS);
      expect(r.stdout, format).toMatch(/\[redacted\]/);
    }
    const report = JSON.parse(run(['audit', file, '--quiet', '--format', 'json']).stdout);
    expect(report.traffic.byModel['[redacted]']).toBe(2);
  });

  it('never reach any format of audit merge, whose input reports are untrusted too', () => {
    // A report as a hostile shard could write it: raw strings, as no audit --format json prints them.
    const report = JSON.parse(run(['audit', file, '--quiet', '--format', 'json']).stdout);
    report.traffic.byModel = { [ANT]: 1, [`\u001b[31m${KEY}`]: 1 };
    report.records.problems['json-invalid'].examples[0].detail = `\u009b${KEY}\u202e`;
    const shard = at('hostile-report.json');
    writeFileSync(shard, JSON.stringify(report));
    for (const format of ['text', 'md', 'html', 'sarif', 'json']) {
      const r = run(['audit', 'merge', shard, '--format', format]);
      expect(r.stderr, format).toBe('');
      expect(r.stdout, format).not.toMatch(LEAKS);
    }
  });
});

describe('keys from log records', () => {
  it('count a model id "constructor" or "__proto__" like any other', () => {
    const file = at('proto.jsonl');
    writeFileSync(file, `${record(1, { modelId: 'constructor' })}\n${record(2, { modelId: '__proto__' })}\n`);
    const text = run(['audit', file, '--quiet']).stdout;
    expect(text).toMatch(/models {5}__proto__ 1, constructor 1\n/);
    expect(JSON.parse(run(['audit', file, '--quiet', '--format', 'json']).stdout).traffic.byModel.constructor).toBe(1);
  });
});

describe('special files', () => {
  it('refuses a named pipe named on the command line, to audit and to merge, with one line and exit 2', () => {
    const fifo = at('pipe.json');
    mkfifo(fifo);
    for (const args of [['audit', fifo, '--quiet'], ['audit', 'merge', fifo]]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/pipe\.json: cannot read file: it is a named pipe/);
    }
  });

  it('reports each named pipe, dangling link and loop of links in a folder by name, and audits the rest', () => {
    const dir = at('folder');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.jsonl'), `${record(1)}\n`);
    mkfifo(join(dir, 'pipe.json'));
    symlinkSync('nowhere.json', join(dir, 'dangling.json'));
    symlinkSync('loop.json', join(dir, 'loop.json'));
    const r = run(['audit', dir, '--quiet', '--format', 'json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.records.total).toBe(1);
    expect(report.records.files).toBe(4);
    const failed = report.records.problems['read-failed'];
    expect(failed.count).toBe(3);
    expect(failed.examples.map((e: { file: string; detail: string }) => `${e.file.split('/').pop()}: ${e.detail}`).sort()).toEqual([
      'dangling.json: cannot be read: no such file (or a symbolic link to nothing)',
      'loop.json: cannot be read: a loop of symbolic links',
      expect.stringMatching(/^pipe\.json: cannot be read: it is a named pipe/),
    ]);
  });
});

describe('more unreadable files than the examples a report keeps', () => {
  it('are counted, and every format says how many more there are than it names', () => {
    const dir = at('many-dangling');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.jsonl'), `${record(1)}\n`);
    for (let i = 0; i < 5; i++) symlinkSync(`nowhere-${i}.json`, join(dir, `dangling-${i}.json`));
    const json = run(['audit', dir, '--quiet', '--format', 'json']);
    expect(json.code).toBe(2);
    const failed = JSON.parse(json.stdout).records.problems['read-failed'];
    expect(failed.count).toBe(5);
    expect(failed.examples).toHaveLength(3);
    expect(json.stderr).toMatch(/and 2 more read-failed/);
    // text and md name one (and 4 more); html names the 3 kept (and 2 more); sarif lists 3 locations (and 2 more).
    expect(run(['audit', dir, '--quiet']).stdout).toMatch(/problem read-failed ×5: .*, and 4 more\n/);
    expect(run(['audit', dir, '--quiet', '--format', 'md']).stdout).toMatch(/\| read-failed \| 5 \| .*, and 4 more \|/);
    expect(run(['audit', dir, '--quiet', '--format', 'html']).stdout).toMatch(/<td>read-failed<\/td><td>5<\/td><td>(?:(?!<\/td>).)*<br>and 2 more<\/td>/);
    const sarif = JSON.parse(run(['audit', dir, '--quiet', '--format', 'sarif']).stdout);
    const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'audit/read-failed');
    expect(result.locations).toHaveLength(3);
    expect(result.message.text).toMatch(/and 2 more\)$/);
  });
});

describe('gzip bombs', () => {
  it('stop at the bound, with a problem at the line reached; the records before it are counted', async () => {
    const file = at('bomb.jsonl.gz');
    writeFileSync(file, gzipSync(Buffer.concat([Buffer.from(`${record(1)}\n${record(2)}\n`), Buffer.alloc(8 << 20, 0x0a)]), { level: 9 }));
    const items: LogItem[] = [];
    for await (const item of readLogFile(file, { minInflateBytes: 1 << 20 })) items.push(item);
    expect(items.map((i) => i.kind)).toEqual(['record', 'record', 'problem']);
    expect(items[2]).toMatchObject({ code: 'gzip-too-large' });
    expect((items[2] as { message: string }).message).toMatch(/more than 200 times its size \(and over 1 MiB\) after \d+ compressed bytes \(line \d+\)/);
  });

  it('stop at 64 MiB (the floor) in the CLI, with exit 2', () => {
    const file = at('zeros.log.gz');
    writeFileSync(file, gzipSync(Buffer.alloc(80 << 20), { level: 9 }));
    const r = run(['audit', file, '--quiet', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).records.problems['gzip-too-large'].count).toBe(1);
    expect(r.stderr).toMatch(/zeros\.log\.gz:1: the gzip stream inflates to more than 200 times its size \(and over 64 MiB\)/);
  });
});

describe('audit merge checks its input', () => {
  const base = (): Record<string, any> => JSON.parse(run(['audit', at('ok.jsonl'), '--quiet', '--format', 'json']).stdout);
  beforeAll(() => writeFileSync(at('ok.jsonl'), `${record(1)}\n${record(2)}\n`));

  it.each([
    ['a count that is not a number', (r: Record<string, any>) => (r.records.total = 'x'), /at \/records\/total: must be integer/],
    ['a negative count', (r: Record<string, any>) => (r.today.valid = -30), /at \/today\/valid: must be >= 0/],
    ['an unknown field', (r: Record<string, any>) => (r.records.problems.x = { count: 1, examples: [], deep: [[[1]]] }), /at \/records\/problems\/x: must NOT have unevaluated properties/],
  ])('refuses %s with one line naming the file, exit 2', (_what, spoil, message) => {
    const report = base();
    spoil(report);
    const file = at('spoilt.json');
    writeFileSync(file, JSON.stringify(report));
    const r = run(['audit', 'merge', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/spoilt\.json: not an audit report/);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a report over 64 MiB before reading it', () => {
    const file = at('huge.json');
    writeFileSync(file, '');
    truncateSync(file, (64 << 20) + 1);
    const r = run(['audit', 'merge', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/huge\.json: input is larger than the limit of 64 MiB/);
  });

  it('has a generated validator up to date with the schema (regenerate: npx tsx src/audit/report-validator.build.ts)', () => {
    expect(readFileSync(GENERATED_REPORT_VALIDATOR, 'utf8') === generateReportValidator(), 'src/audit/generated/report-validator.ts is stale').toBe(true);
  });
});

describe('a path that does not exist', () => {
  it('is one line naming it, exit 2, as check says it', () => {
    const r = run(['audit', 'nonexist-logs']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('bedrock-preflight: nonexist-logs: cannot read file: no such file (or a symbolic link to nothing)\n');
  });

  it('read by the library is a problem whose message says why once, without the error code twice', async () => {
    const items: LogItem[] = [];
    for await (const item of readLogFile(at('missing.jsonl'))) items.push(item);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'problem', code: 'read-failed', message: 'cannot be read: no such file (or a symbolic link to nothing)' });
  });
});
