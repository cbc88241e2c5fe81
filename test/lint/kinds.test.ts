/**
 * A folder mixes request files with other JSON and YAML: lint reads the requests and lists what it skipped, with
 * why, in every format; --strict makes a skipped file an error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWN_SCHEMA_KINDS } from '../../src/lint/kinds.js';
import { lint } from '../../src/lint/index.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bp-kinds-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const REQUEST = JSON.stringify({ url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }] } });

describe('lint of a mixed folder', () => {
  it('knows every schema of this repository as a document that is not a request', () => {
    const names = readdirSync(join(root, 'schemas')).filter((f) => f.endsWith('.schema.json')).map((f) => f.replace(/\.schema\.json$/, ''));
    expect(names.filter((n) => OWN_SCHEMA_KINDS[n] === undefined)).toEqual([]);
  });

  it("lints the repository's own examples/ folder, listing the files it skipped and why (exit 0 or 1)", () => {
    const r = run(['lint', 'examples/', '--format', 'json']);
    expect([0, 1]).toContain(r.code);
    const entries = JSON.parse(r.stdout) as Array<{ file: string; skipped?: string; error?: string }>;
    expect(entries.filter((e) => e.error !== undefined)).toEqual([]);
    const skipped = entries.filter((e) => e.skipped !== undefined);
    expect(skipped.map((e) => e.file)).toEqual(expect.arrayContaining(['examples/arch/architecture.yaml', 'examples/policy/tests/guardrails.yaml', 'examples/policy/overlays/org-baseline.yaml']));
    expect(skipped.find((e) => e.file.endsWith('architecture.yaml'))!.skipped).toMatch(/architecture file/);
    expect(skipped.find((e) => e.file.endsWith('guardrails.yaml'))!.skipped).toMatch(/rule pack/);
    expect(skipped.find((e) => e.file.endsWith('org-baseline.yaml'))!.skipped).toMatch(/configuration/);
    // Every request file of the folder was linted.
    expect(entries.filter((e) => e.skipped === undefined).length).toBeGreaterThanOrEqual(5);
  });

  it('lists the skipped files in every format', () => {
    const stylish = run(['lint', 'examples/']);
    expect(stylish.stdout).toMatch(/Skipped \(not requests/);
    expect(stylish.stdout).toMatch(/examples\/arch\/architecture\.yaml +an architecture file/);
    expect(stylish.stdout).toMatch(/\d+ of \d+ files skipped \(not requests\)/);
    const github = run(['lint', 'examples/', '--format', 'github']);
    expect(github.stdout).toMatch(/^::notice file=examples\/arch\/architecture\.yaml,title=not linted \(not a request\)::an architecture file/m);
    const junit = run(['lint', 'examples/', '--format', 'junit']);
    expect(junit.stdout).toMatch(/<testcase classname="examples\/arch\/architecture\.yaml" name="not linted"[^>]*>\s*<skipped message="an architecture file/);
    const sarif = JSON.parse(run(['lint', 'examples/', '--format', 'sarif']).stdout);
    const notes = sarif.runs[0].invocations[0].toolExecutionNotifications.filter((n: { level: string }) => n.level === 'note');
    expect(notes.map((n: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => n.locations[0]!.physicalLocation.artifactLocation.uri)).toContain('examples/arch/architecture.yaml');
  });

  it('--strict makes a skipped file an error (exit 2), every other file still reported', () => {
    const r = run(['lint', 'examples/', '--strict', '--format', 'json']);
    expect(r.code).toBe(2);
    const entries = JSON.parse(r.stdout) as Array<{ file: string; skipped?: string; error?: string; findings: unknown[] }>;
    expect(entries.some((e) => e.skipped !== undefined)).toBe(false);
    expect(entries.find((e) => e.file === 'examples/arch/architecture.yaml')!.error).toMatch(/^not linted: an architecture file/);
    expect(entries.find((e) => e.file === 'examples/mantle-messages-structured-output.json')!.findings.length).toBeGreaterThan(0);
  });

  it('skips files of other tools found in a folder, but lints a file named on the command line', () => {
    const dir = folder({
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', scripts: { test: 'vitest' } }),
      '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
      'data/list.json': '[1, 2, 3]',
      'requests/chat.json': REQUEST,
      'requests/with-schema.json': JSON.stringify({ $schema: './request.schema.json', ...JSON.parse(REQUEST) }),
    });
    const walked = lint(['.'], { cwd: dir });
    const byFile = Object.fromEntries(walked.files.map((e) => [e.file, e]));
    expect(byFile['package.json']!.skipped).toMatch(/not a request: no url/);
    // A top-level array is a broken request, not another kind of document: an error, as before.
    expect(byFile[join('data', 'list.json')]!.errorCode).toBe('E_INPUT_SHAPE');
    expect(byFile[join('requests', 'chat.json')]!.skipped).toBeUndefined();
    expect(byFile[join('requests', 'with-schema.json')]!.skipped).toBeUndefined();
    expect(walked.counts).toMatchObject({ fileErrors: 1, skipped: 1 });
    const named = lint(['package.json'], { cwd: dir });
    expect(named.files[0]!.skipped).toBeUndefined();
    expect(named.files[0]!.errorCode).toBe('E_UNKNOWN_ENDPOINT');
  });

  it('skips a file that declares one of these schemas even when named, by the YAML modeline', () => {
    const dir = folder({ 'arch.yaml': '# yaml-language-server: $schema=../schemas/arch.schema.json\ntitle: t\n' });
    const r = lint(['arch.yaml'], { cwd: dir });
    expect(r.files[0]!.skipped).toMatch(/architecture file: it declares the schema arch\.schema\.json/);
  });
});
