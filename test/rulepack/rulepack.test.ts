const inFolder = (files: Record<string, string>): string => folder(files, 'bp-pack-');
/**
 * Rule-pack tests (`test <dir>`): the example pack passes; failing cases show an expected-vs-actual diff and
 * exit 1; invalid pack files are exit 2 with file:line:column. The CLI runs through the built dist/cli.cjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatRulePackText } from '../../src/testing/format.js';
import { runRulePack } from '../../src/testing/runner.js';
import { folder, thrown } from '../helpers/files.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OVERLAY = `rules:
  - id: no-keys
    forbid: { capabilities: [api-key-auth] }
    severity: error
    message: No API keys.
ignores:
  - path: 'legacy/**'
    subject: api-key-auth
    reason: Legacy jobs, migrating in Q1.
`;
const KEYED = `url: https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions
      headers: { Authorization: Bearer bedrock-api-key-EXAMPLE0123456789abcdef }
      body: { model: openai.gpt-oss-120b, max_completion_tokens: 10, messages: [{ role: user, content: hi }] }`;

/** A pack with one passing and three failing cases. */
const failingPack = () =>
  folder({
    '.bedrock-preflight.yaml': OVERLAY,
    'tests/keys.yaml': `cases:
  - name: keys are forbidden
    input:
      ${KEYED}
    expect:
      valid: false
      findings:
        - { code: policy-capability-forbidden, subject: api-key-auth, severity: error }
  - name: wrongly expects keys to be fine
    input:
      ${KEYED}
    expect:
      valid: true
      findings: []
  - name: wrongly expects a warning and no suppression under legacy
    file: legacy/job.json
    input:
      ${KEYED}
    expect:
      findingsInclude:
        - { code: capability-conditional, severity: warning }
      suppressed: []
  - name: expects the wrong recommendation and capabilities
    input:
      ${KEYED}
    expect:
      recommendation: bedrock-runtime
      capabilities: [sigv4-auth]
`,
  });

describe('runRulePack', () => {
  it('passes every case of the example pack (examples/policy)', () => {
    const r = runRulePack('examples/policy', { cwd: root });
    expect(r.failed, formatRulePackText(r, { color: false })).toBe(0);
    expect(r.passed).toBe(11);
    expect(r.caseFiles).toEqual(['examples/policy/tests/credentials.yaml', 'examples/policy/tests/guardrails.yaml', 'examples/policy/tests/overrides.yaml']);
    expect(r.overlays).toEqual(['examples/policy/.bedrock-preflight.yaml', 'examples/policy/overlays/org-baseline.yaml']);
    expect(r.results.find((x) => x.name.startsWith('without the configuration'))!.config).toBeNull();
  });

  it('runs one case file under the nearest configuration upward', () => {
    const r = runRulePack('examples/policy/tests/credentials.yaml', { cwd: root });
    expect([r.passed, r.failed]).toEqual([3, 0]);
    expect(r.results[0]!.config).toBe('examples/policy/.bedrock-preflight.yaml');
  });

  it('reports failures with what was expected and what came', () => {
    const dir = failingPack();
    const r = runRulePack('.', { cwd: dir });
    expect([r.passed, r.failed]).toEqual([1, 3]);
    const [, second, third, fourth] = r.results;
    expect(second!.failures).toEqual([
      { key: 'valid', message: 'valid differs', expected: true, actual: false },
      { key: 'findings', message: 'findings differ', missing: [], unexpected: ['error policy-capability-forbidden api-key-auth /headers/Authorization'] },
    ]);
    expect(second).toMatchObject({ file: 'tests/keys.yaml', line: 11, column: 5, config: '.bedrock-preflight.yaml' });
    expect(third!.failures.map((f) => f.key)).toEqual(['findingsInclude', 'suppressed']);
    expect(third!.failures[1]!.unexpected).toEqual(['error policy-capability-forbidden api-key-auth /headers/Authorization']);
    expect(fourth!.failures).toEqual([
      { key: 'capabilities', message: 'capabilities differ', expected: ['sigv4-auth'], actual: ['api-key-auth'] },
      { key: 'recommendation', message: 'recommended endpoint differs', expected: 'bedrock-runtime', actual: 'bedrock-mantle' },
    ]);
    const text = formatRulePackText(r, { color: false });
    expect(text).toContain('  ✔ keys are forbidden\n');
    expect(text).toContain('  ✖ wrongly expects keys to be fine  tests/keys.yaml:11:5\n');
    expect(text).toContain('    valid: valid differs\n    - true\n    + false\n');
    expect(text).toContain('    + error policy-capability-forbidden api-key-auth /headers/Authorization   (not expected)');
    expect(text).toContain('    - warning capability-conditional *   (expected, not found)');
    expect(text).toContain('    - sigv4-auth\n    + api-key-auth\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe('✖ 1 passed, 3 failed');
  });

  it('shows the findings the check gave when a case fails on valid alone', () => {
    const dir = folder({
      'cases.yaml': `config: null
cases:
  - name: guardrails on mantle are fine (wrongly)
    input:
      url: https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions
      headers: { X-Amzn-Bedrock-GuardrailIdentifier: gr-1 }
      body: { model: openai.gpt-oss-120b, messages: [ { role: user, content: hi } ] }
    expect: { valid: true }
`,
    });
    const r = runRulePack('.', { cwd: dir });
    const [only] = r.results;
    expect(only!.ok).toBe(false);
    // What made it invalid: the check's own error findings, each as severity, code, subject and path.
    const errors = only!.findings!.filter((f) => f.startsWith('error '));
    expect(errors.length).toBeGreaterThan(0);
    const text = formatRulePackText(r, { color: false });
    expect(text).toContain('    valid: valid differs\n    - true\n    + false\n    the check gave:\n');
    for (const f of only!.findings!) expect(text).toContain(`      ${f}\n`);
    const cli = run(['test', 'cases.yaml', '--format', 'json'], dir);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout).results[0].findings).toEqual(only!.findings);
  });

  it('runs a case under no configuration (config: null) or a named one', () => {
    const dir = folder({
      'other.yaml': OVERLAY.replace('severity: error', 'severity: warning'),
      'cases.yaml': `config: other.yaml
cases:
  - name: under other.yaml the key is a warning
    input:
      ${KEYED}
    expect: { valid: true, findingsInclude: [{ code: policy-capability-forbidden, severity: warning }] }
  - name: without configuration keys are fine
    config: null
    input:
      ${KEYED}
    expect: { valid: true, findings: [] }
`,
    });
    const r = runRulePack('cases.yaml', { cwd: dir });
    expect(r.results.map((x) => [x.ok, x.config])).toEqual([
      [true, 'other.yaml'],
      [true, null],
    ]);
  });

  it('an expected check error passes only with that code', () => {
    const dir = folder({
      'c.yaml': `cases:
  - name: a bare body needs an endpoint
    input: { messages: [] }
    expect: { error: E_UNKNOWN_ENDPOINT }
  - name: unexpected error
    input: { messages: [] }
    expect: { valid: true }
`,
    });
    const r = runRulePack('c.yaml', { cwd: dir });
    expect(r.results.map((x) => x.ok)).toEqual([true, false]);
    expect(r.results[1]!.failures[0]).toMatchObject({ key: 'error', actual: 'E_UNKNOWN_ENDPOINT' });
  });

  it('invalid pack files are errors with file:line:column (every problem of every file)', () => {
    const dir = folder({
      '.bedrock-preflight.yaml': 'rules:\n  - id: x\n    severity: error\n    message: m\n    forbid: { capabilities: [nope] }\n',
      'tests/a.yaml': 'cases:\n  - name: a\n    input: {}\n    expect: { valid: maybe }\n',
      'tests/b.yaml': "scope: ['(a)\\1']\ncases:\n  - name: b\n    input: {}\n    expect: { valid: true }\n  - name: b\n    input: {}\n    expect: { valid: true }\n",
    });
    const e = thrown(() => runRulePack('.', { cwd: dir }));
    expect(e.code).toBe('E_KNOWLEDGE');
    expect(e.oneLine.split('\n')).toEqual([
      expect.stringMatching(/^\.bedrock-preflight\.yaml:5:30: unknown capability "nope"/),
      'tests/a.yaml:4:15: must be boolean (at /cases/0/expect/valid)',
      expect.stringMatching(/^tests\/b\.yaml:1:9: regular expression not supported by the linear-time \(RE2\) engine: .* \(at \/scope\/0\)$/),
      'tests/b.yaml:6:5: duplicate case name "b" (at /cases/1/name)',
    ]);
  });

  it('a pack without case files, a missing config, and a missing folder are errors', () => {
    expect(thrown(() => runRulePack('.', { cwd: folder({ '.bedrock-preflight.yaml': 'maxWarnings: 1\n' }) })).code).toBe('E_INPUT_SHAPE');
    const missing = thrown(() => runRulePack('c.yaml', { cwd: folder({ 'c.yaml': 'config: nope.yaml\ncases:\n  - { name: a, input: {}, expect: { valid: true } }\n' }) }));
    expect(missing.oneLine).toBe('c.yaml:1:1: configuration "nope.yaml" not found (nope.yaml) (at /config)');
    expect(thrown(() => runRulePack('no-such-dir', { cwd: root })).code).toBe('E_INPUT_READ');
  });
});

describe('bedrock-preflight test (CLI)', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npx tsup" (npm test builds it)');
  });

  it('exit 0 for the example pack, with ✔ lines and the summary', () => {
    const r = run(['test', 'examples/policy']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  ✔ a Bedrock API key is forbidden\n');
    expect(r.stdout).toContain('  ✔ without the configuration, Responses on bedrock-runtime is the seed\'s error  (config: none)\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('✔ 11 passed, 0 failed');
  });

  it('exit 1 with the diff for failing cases; --format json is one document', () => {
    const dir = failingPack();
    const text = run(['test', dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('✖ wrongly expects keys to be fine');
    expect(text.stdout).toContain('    - true\n    + false');
    const j = run(['test', dir, '--format', 'json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ passed: 1, failed: 3 });
    expect(doc.results[1]).toMatchObject({ name: 'wrongly expects keys to be fine', ok: false, line: 11, column: 5 });
  });

  it('exit 2 with file:line:column for an invalid pack file', () => {
    const dir = folder({ 'c.yaml': 'cases:\n  - name: a\n    input: {}\n    expect: { valid: true, bogus: 1 }\n' });
    const r = run(['test', 'c.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('bedrock-preflight: c.yaml:4:28: unknown key "bogus" (at /cases/0/expect/bogus)\n');
    expect(run(['test']).code).toBe(2);
  });

  it('a folder of request examples (not a rule pack): one line per file saying it is not a case file and what test expects, exit 2', () => {
    const r = run(['test', 'examples/']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().replace(/^bedrock-preflight: /, '').split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^examples\/runtime-converse-guardrails\.json:1:1: not a case file \(no top-level "cases" list\) nor a configuration/));
    expect(lines).toContainEqual(expect.stringMatching(/^examples\/arch\/architecture\.yaml:1:1: not a case file/));
    // No schema errors (it listed each key of each request as unknown); one line per file.
    expect(r.stderr).not.toContain('unknown key');
    const files = lines.map((l) => l.split(':')[0]);
    expect(new Set(files).size).toBe(files.length);
    expect(lines.every((l) => l.includes('test runs a rule pack: case files'))).toBe(true);
  });

  it('an overlay with a configuration key and a typo is still checked as a configuration', () => {
    const dir = folder({ 'c.yaml': 'cases:\n  - name: a\n    input: {}\n    expect: { valid: true }\n', 'o.yaml': 'maxWarnings: 1\nrulez: []\n' });
    const r = run(['test', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('o.yaml:2:1: unknown key "rulez"');
  });
});
