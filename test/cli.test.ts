/**
 * The command line as a user runs it: the built bin, real files, stdout/stderr and exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from 'json-rules-engine';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli.cjs');
const examples = join(root, 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'bp-cli-'));

function run(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const ANSI = /\u001b\[/;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test does it)');
});

describe('check', () => {
  it('exits 1 with an error finding at the offending key for mantle + output_config.format', () => {
    const r = run(['check', 'examples/mantle-messages-structured-output.json', '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ endpoint: 'bedrock-mantle', api: 'messages', valid: false, model: 'anthropic.claude-haiku-4-5', region: 'us-east-1' });
    expect(j.findings).toContainEqual(expect.objectContaining({ code: 'capability-unsupported', subject: 'structured-outputs', severity: 'error', path: '/body/output_config/format' }));
    expect(j.recommendation.endpoint).toBe('bedrock-runtime');
    expect(r.stderr).toBe('');
  });

  it('a JSON Lines file: one line naming the place and pointing at lint, exit 2', () => {
    const f = file('traffic.jsonl', '{"model":"a","messages":[]}\n{"model":"b","messages":[]}\n');
    const r = run(['check', f, '--endpoint', 'mantle']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('traffic.jsonl:2:1');
    expect(r.stderr).toContain('lint reads JSON Lines');
  });

  it('a JSON file that is not a request (package.json): one line saying so, exit 2; with --endpoint or --api it is checked as asked', () => {
    const r = run(['check', 'package.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^bedrock-preflight: package\.json:1:1: not a request: /);
    expect(r.stderr).not.toContain('does not say its endpoint');
    const pack = run(['check', 'examples/policy/tests/guardrails.yaml']);
    expect(pack.code).toBe(2);
    expect(pack.stderr).toMatch(/guardrails\.yaml:1:1: not a request: a rule pack/);
    expect(run(['check', 'package.json', '--endpoint', 'runtime']).code).toBe(0);
    expect(run(['check', 'package.json', '--api', 'converse']).stderr).toContain('does not say its endpoint');
    // A bare body that is a request still asks for its endpoint.
    expect(run(['check', '-'], { input: '{"model":"m","messages":[]}' }).stderr).toContain('does not say its endpoint');
  });

  it('exits 0 for a valid runtime Converse request and lists what it uses', () => {
    const r = run(['check', 'examples/runtime-converse-guardrails.json', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.valid).toBe(true);
    expect(j.capabilities.map((c: { id: string }) => c.id)).toEqual(['cross-region-inference', 'request-metadata-tagging', 'guardrails', 'prompt-caching']);
  });

  it('reads YAML bodies with --endpoint and stdin with -', () => {
    const yaml = run(['check', 'examples/mantle-responses-background.yaml', '--endpoint', 'runtime', '--format', 'json']);
    expect(yaml.code).toBe(1);
    const subjects = JSON.parse(yaml.stdout).findings.filter((f: { severity: string }) => f.severity === 'error').map((f: { subject: string }) => f.subject);
    expect(subjects).toEqual(expect.arrayContaining(['responses', 'stateful-conversation', 'async-inference', 'server-side-tools', 'preconfigured-tools']));
    const stdin = run(['check', '-', '--endpoint', 'mantle', '--format', 'json'], { input: '{"model":"openai.gpt-oss-20b","input":"hi"}' });
    expect(stdin.code).toBe(0);
    expect(JSON.parse(stdin.stdout).api).toBe('responses');
  });

  it('prints readable text without colour in a pipe, with colour when forced', () => {
    const plain = run(['check', 'examples/mantle-messages-structured-output.json']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stdout).toContain('✖ error');
    expect(plain.stdout).toContain('/body/output_config/format');
    expect(plain.stdout).toContain('recommended endpoint: bedrock-runtime');
    expect(run(['check', 'examples/mantle-messages-structured-output.json', '--color']).stdout).toMatch(ANSI);
    expect(run(['check', 'examples/mantle-messages-structured-output.json'], { env: { FORCE_COLOR: '1' } }).stdout).toMatch(ANSI);
  });

  it('never prints credentials from the request, in any format', () => {
    const secrets = {
      sig: '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      key: 'AKIAIOSFODNN7EXAMPLE',
      token: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6',
      bearer: 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbiZYLUFtei1BbGdvcml0aG0',
      absk: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleS12YWx1ZS0xMjM0NTY3ODkw',
    };
    const input = {
      url: 'https://bedrock-mantle.us-east-1.api.aws/v1/responses',
      headers: {
        Authorization: `AWS4-HMAC-SHA256 Credential=${secrets.key}/20261124/us-east-1/bedrock-mantle/aws4_request, SignedHeaders=host;x-amz-date, Signature=${secrets.sig}`,
        'X-Amz-Security-Token': secrets.token,
        'x-api-key': secrets.absk,
        'OpenAI-Project': 'proj_abc123',
      },
      body: { model: secrets.bearer, input: 'hi', background: true },
    };
    const p = file('secret.json', JSON.stringify(input));
    for (const format of ['json', 'text']) {
      const r = run(['check', p, '--format', format, '--endpoint', 'runtime']);
      expect(r.code).toBe(1);
      for (const s of Object.values(secrets)) {
        expect(r.stdout).not.toContain(s);
        expect(r.stderr).not.toContain(s);
      }
    }
    const bad = run(['check', p, '--endpoint', `Bearer ${secrets.bearer}`, '--debug']);
    expect(bad.code).toBe(2);
    for (const s of Object.values(secrets)) expect(bad.stderr).not.toContain(s);
  });
});

describe('exit code 2: the tool could not do its job', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing file', ['check', 'nope.json'], /nope\.json: cannot read file/],
    ['a bare body without --endpoint', ['check', file('bare.yaml', 'model: openai.gpt-oss-120b\ninput: hi\n')], /pass --endpoint/],
    ['an unknown endpoint', ['check', 'examples/mantle-responses-background.yaml', '--endpoint', 'bedrock'], /unknown endpoint "bedrock"/],
    ['an unknown api', ['check', 'examples/mantle-responses-background.yaml', '--endpoint', 'mantle', '--api', 'completions'], /unknown api "completions"/],
    ['an unknown flag', ['check', 'examples/runtime-invoke-claude.json', '--verbose'], /--verbose/],
    ['an unknown format', ['check', 'examples/runtime-invoke-claude.json', '--format', 'xml'], /unknown --format "xml"/],
    ['an unknown command', ['lintt'], /unknown command "lintt"; did you mean "lint"\?/],
    ['a misspelt flag', ['check', 'examples/runtime-invoke-claude.json', '--endpiont', 'mantle'], /unknown option --endpiont; did you mean --endpoint\?/],
    ['a command nothing is near', ['teleport'], /unknown command "teleport" \(expected one of/],
    ['an unknown need', ['recommend', '--needs', 'responses,teleport'], /unknown need "teleport"/],
    ['an unknown id to explain', ['explain', 'teleport'], /unknown id "teleport"/],
    ['check without a file', ['check'], /needs a file/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the file, line and column of a JSON syntax error', () => {
    const p = file('broken.json', '{\n  "url": "https://bedrock-mantle.us-east-1.api.aws/v1/responses",\n  "body": { "input": "hi" \n}\n');
    const r = run(['check', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json:5:1: expected .,. or .}./);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the file of an envelope whose host is neither endpoint', () => {
    const p = file('other-host.json', JSON.stringify({ url: 'https://api.openai.com/v1/responses', body: { input: 'x' } }));
    const r = run(['check', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/other-host\.json: the URL host "api\.openai\.com" is neither/);
    expect(run(['check', p, '--endpoint', 'mantle']).code).toBe(0);
  });

  it('prints a stack trace only with --debug', () => {
    const r = run(['check', 'nope.json', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('recommend', () => {
  it('splits needs no single endpoint meets, exit 1', () => {
    const r = run(['recommend', '--needs', 'responses,guardrails', '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.endpoint).toBeNull();
    expect(j.split).toEqual({ responses: 'bedrock-mantle', guardrails: 'bedrock-runtime' });
  });
  it('recommends runtime for converse + prompt routing, exit 0', () => {
    const r = run(['recommend', '--needs', 'converse,prompt-routing', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).endpoint).toBe('bedrock-runtime');
  });
  it('recommends from a request file', () => {
    const r = run(['recommend', 'examples/mantle-messages-structured-output.json', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ endpoint: 'bedrock-runtime', needs: ['messages', 'structured-outputs'] });
  });
  it('prints a table of the cells in text', () => {
    const r = run(['recommend', '--needs', 'responses,guardrails']);
    expect(r.stdout).toMatch(/responses\s+no\s+yes\s+bedrock-mantle/);
    expect(r.stdout).toMatch(/guardrails\s+yes\s+no\s+bedrock-runtime/);
  });
});

describe('matrix, rules, explain', () => {
  it('matrix --format json has every row with support, source and date', () => {
    const r = run(['matrix', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    for (const row of rows) {
      expect(row).toMatchObject({ table: expect.any(String), id: expect.any(String), label: expect.any(String), source: expect.stringMatching(/^https:\/\//), asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
      expect(Object.keys(row['support'] as object)).toEqual(['bedrock-runtime', 'bedrock-mantle']);
    }
    expect(rows.find((x) => x['id'] === 'usage-attribution')).toMatchObject({ detail: { 'bedrock-runtime': 'IAM, per-request metadata tagging', 'bedrock-mantle': 'Projects, Workspaces' } });
    expect(rows.find((x) => x['id'] === 'prompt-caching')).toMatchObject({ support: { 'bedrock-runtime': 'yes', 'bedrock-mantle': 'conditional' } });
  });
  it('matrix --format md renders the seed tables', () => {
    const md = run(['matrix', '--format', 'md']).stdout;
    for (const title of ['## API support', '## Inference capabilities', '## Operational', '## Bedrock feature availability']) expect(md).toContain(title);
    expect(md).toContain('| InvokeModel | Yes | No |');
    expect(md).toContain('| Usage attribution | IAM, per-request metadata tagging | Projects, Workspaces |');
    expect(md).toMatch(/\| Prompt caching \| Yes \| Conditional \(depends on the model/);
  });
  it('rules --format json loads into a json-rules-engine Engine', async () => {
    const rules = JSON.parse(run(['rules', '--format', 'json']).stdout);
    const engine = new Engine(rules);
    const { events } = await engine.run({ endpoint: 'bedrock-mantle', api: 'messages', model: null, region: null, operation: null, capabilities: ['structured-outputs', 'guardrails'], modelFamily: null, modelForm: null, route: null, signals: [] });
    expect(events.map((e) => (e.params as { subject: string }).subject).sort()).toEqual(['guardrails', 'structured-outputs']);
  });
  it('explain shows cells, sources, dates and the notes where sources disagree', () => {
    const r = run(['explain', 'responses']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bedrock-runtime\s+no/);
    expect(r.stdout).toContain('inference-responses-api.html');
    expect(r.stdout).toContain('as of 2026-');
    const j = JSON.parse(run(['explain', 'mantle', '--format', 'json']).stdout);
    expect(j.kind).toBe('endpoint');
    expect(j.id).toBe('bedrock-mantle');
  });
  it('--help and --version answer on stdout with exit 0', () => {
    expect(run(['--help']).code).toBe(0);
    expect(run(['check', '--help']).stdout).toContain('--endpoint');
    expect(run(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
