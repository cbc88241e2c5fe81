/**
 * `bedrock-preflight audit` as a user runs it (the built bin): a folder laid out as the S3 delivery prefix, stdin,
 * every format, `audit merge` of shard reports, and the exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../scripts/gen-invocation-logs.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'bp-audit-cli-'));
const corpus = join(tmp, 'logs');
let files: string[] = [];

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test does it)');
  files = (await writeCorpus({ dir: corpus, bytes: 600_000, files: 4, seed: 5 })).files;
});

describe('audit', () => {
  it('prints a report that the published JSON Schema accepts, with exit 1 for requests failing today', () => {
    const r = run(['audit', corpus, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', 'audit-report.schema.json'), 'utf8')));
    expect(validate.errors ?? validate(report)).toBe(true);
    expect(report.records.files).toBe(files.length);
    expect(report.today.invalid).toBeGreaterThan(0);
  });

  it('gives the same report with one worker and with several, and merges shard reports into it', () => {
    const one = run(['audit', corpus, '--format', 'json', '--workers', '1']).stdout;
    expect(run(['audit', corpus, '--format', 'json', '--workers', '3']).stdout).toBe(one);
    const a = join(tmp, 'a.json');
    const b = join(tmp, 'b.json');
    writeFileSync(a, run(['audit', files[0]!, files[2]!, '--format', 'json']).stdout);
    writeFileSync(b, run(['audit', files[1]!, files[3]!, '--format', 'json']).stdout);
    const merged = run(['audit', 'merge', b, a, '--format', 'json']);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toBe(one);
  });

  it('reads stdin (gzip or not) and prints a text summary that fits a screen', () => {
    const text = gunzipSync(readFileSync(files[0]!)).toString('utf8');
    const r = run(['audit', '-'], text);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').length).toBeLessThanOrEqual(40);
    expect(r.stdout).toMatch(/Moving to bedrock-mantle/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('prints Markdown and SARIF whose results point at file and line', () => {
    expect(run(['audit', corpus, '--format', 'md']).stdout).toMatch(/^# Bedrock invocation-log audit/);
    const sarif = JSON.parse(run(['audit', corpus, '--format', 'sarif']).stdout);
    expect(sarif.version).toBe('2.1.0');
    const loc = sarif.runs[0].results[0].locations[0].physicalLocation;
    // The file name only: SARIF is redacted now, and the temporary folder's random name (letters and digits) can run
    // into AWSLogs/111122223333/… as one base64-like run, which redact replaces.
    expect(loc.artifactLocation.uri).toMatch(/\/\d{12}_BedrockModelInvocationLogs_[a-z0-9-]+_\w+\.json\.gz$/);
    expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
  });

  it('exit 2 for a truncated gzip after reporting it, and for a file that is not a report in merge', () => {
    const cut = join(tmp, 'cut.json.gz');
    const gz = readFileSync(files[0]!);
    writeFileSync(cut, gz.subarray(0, gz.length >> 1));
    const r = run(['audit', cut, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).records.problems['gzip-truncated'].examples[0].file).toMatch(/cut\.json\.gz$/);
    const m = run(['audit', 'merge', files[0]!]);
    expect(m.code).toBe(2);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.stderr).toMatch(/\.json\.gz: cannot read an audit report/);
  });

  it('shows a progress bar (records/s, bytes, ETA) on a terminal, and none with --quiet', () => {
    // script(1) (util-linux) runs the command on a pseudo-terminal and records what it wrote there.
    const onTty = (extra: string) => {
      const log = join(tmp, `tty${extra}.log`);
      const r = spawnSync('script', ['-qec', `${process.execPath} ${bin} audit ${corpus} --workers 1 ${extra} > ${join(tmp, 'tty-out.txt')}`, log], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(1);
      return readFileSync(log, 'utf8');
    };
    expect(onTty('')).toMatch(/[\d,]+ records, [\d,]+\/s, [\d.]+ MB of [\d.]+ MB, ETA \d+:\d\d/);
    expect(onTty('--quiet')).not.toMatch(/ records, /);
  });

  it('exit 2 with one line for a bad flag; --help shows the usage', () => {
    const r = run(['audit', corpus, '--workers', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers/);
    expect(run(['audit', '--help']).stdout).toMatch(/audit merge/);
  });
});
