const inFolder = (files: Record<string, string>): string => folder(files, 'bp-config-');
/**
 * Configuration and overlays: an overlay can flip a cell, add an organisation rule, change a severity and
 * suppress a finding with a reason; invalid files are reported at file:line:column; extends chains merge with the
 * most derived file winning, and missing files and cycles are errors.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import {
  applyPolicy,
  checkWithConfig,
  ConfigError,
  endpointFor,
  findConfigFile,
  loadConfig,
  preflightFor,
  resolveConfigForCli,
  type ResolvedConfig,
} from '../../src/config/index.js';
import { generateValidators, GENERATED_VALIDATORS } from '../../src/config/validators.build.js';
import type { Finding } from '../../src/types.js';
import { folder, thrown } from '../helpers/files.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'policy', '.bedrock-preflight.yaml');
const at = (...p: string[]) => join(root, 'examples', 'policy', ...p);

const runtimeResponses = {
  url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/responses',
  body: { model: 'openai.gpt-5.4', input: 'Plan the migration.', max_output_tokens: 2000 },
};
const converse = (extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => ({
  url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse',
  headers,
  body: { messages: [{ role: 'user', content: [{ text: 'Where is my order?' }] }], inferenceConfig: { maxTokens: 500 }, ...extra },
});
const API_KEY = { Authorization: 'Bearer bedrock-api-key-EXAMPLEKEY0123456789abcdef' };
const show = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.code} ${f.subject}`);

describe('the example configuration', () => {
  const config = loadConfig(example, { cwd: root });

  it('loads the overlay it extends, with display paths relative to the working directory', () => {
    expect(config.file).toBe('examples/policy/.bedrock-preflight.yaml');
    expect(config.root).toBe(at());
    expect(config.files).toEqual(['examples/policy/overlays/org-baseline.yaml', 'examples/policy/.bedrock-preflight.yaml']);
    expect(config.rules.map((r) => r.id)).toEqual(['guardrails-on-customer-facing', 'no-bedrock-api-keys', 'eu-data-stays-in-eu']);
    expect(config.rules[0]!.by).toMatch(/^examples\/policy\/overlays\/org-baseline\.yaml:\d+$/);
    expect(config.endpoints).toEqual([
      { glob: 'mantle/**', endpoint: 'bedrock-mantle' },
      { glob: '**', endpoint: 'bedrock-runtime' },
    ]);
  });

  it('maps request files to endpoints for lint: globs relative to the config, the first match wins', () => {
    expect(endpointFor(config, 'examples/policy/mantle/chat.json')).toBe('bedrock-mantle');
    expect(endpointFor(config, at('services', 'chat.json'))).toBe('bedrock-runtime');
  });

  it('flips a cell: Responses on bedrock-runtime becomes conditional (a warning), with the seed value kept as a note', () => {
    const plain = createPreflight().check(runtimeResponses);
    expect(show(plain.findings)).toContain('error api-unsupported responses');
    const r = checkWithConfig(config, runtimeResponses, {}, at('services', 'plan.json'));
    expect(r.valid).toBe(true);
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'api-conditional', subject: 'responses', severity: 'warning', path: '/url' }));
    expect(r.findings.find((f) => f.code === 'api-conditional')!.message).toContain('synchronous requests only');
    // The overridden cell carries the override's source and date; the note keeps the built-in value and the reason.
    const row = config.knowledge.matrix.find((x) => x.id === 'responses')!;
    expect(row.support['bedrock-runtime']).toBe('conditional');
    expect(row.cells['bedrock-runtime']).toMatchObject({ value: 'conditional', source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-responses-api.html', asOf: '2026-11-24' });
    const note = row.notes!.at(-1)!;
    expect(note.source).toBe('https://docs.aws.amazon.com/bedrock/latest/userguide/endpoints.html');
    expect(note.says).toContain('Built-in value on bedrock-runtime: no');
    expect(note.says).toContain('PLAT-2291');
    expect(note.says).toMatch(/examples\/policy\/\.bedrock-preflight\.yaml:\d+/);
    // matrix, explain and recommend see the override too.
    const p = preflightFor(config, undefined);
    expect(p.matrix().find((x) => x.id === 'responses')!.support['bedrock-runtime']).toBe('conditional');
    expect(p.recommend({ needs: ['responses'] }).endpoints['bedrock-runtime'].meetsAll).toBe(true);
    // The built-in knowledge is untouched.
    expect(createPreflight().matrix().find((x) => x.id === 'responses')!.support['bedrock-runtime']).toBe('no');
  });

  it('adds organisation rules: api-key-auth forbidden everywhere, guardrails required under customer-facing/', () => {
    const keyed = checkWithConfig(config, converse({}, API_KEY), {}, at('services', 'a.json'));
    expect(keyed.valid).toBe(false);
    expect(keyed.findings).toContainEqual(
      expect.objectContaining({ code: 'policy-capability-forbidden', subject: 'api-key-auth', severity: 'error', path: '/headers/Authorization', source: 'https://wiki.example.com/ai-platform/policies#credentials' }),
    );
    expect(keyed.findings.find((f) => f.code === 'policy-capability-forbidden')!.message).toMatch(/organisation rule no-bedrock-api-keys, examples\/policy\/overlays\/org-baseline\.yaml:\d+/);
    // The scoped rule applies under customer-facing/ only.
    const outside = checkWithConfig(config, converse(), {}, at('internal', 'a.json'));
    expect(outside.findings).toEqual([]);
    const inside = checkWithConfig(config, converse(), {}, at('customer-facing', 'bot', 'a.json'));
    expect(show(inside.findings)).toEqual(['error policy-capability-required guardrails']);
    const guarded = checkWithConfig(config, converse({ guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '1' } }), {}, at('customer-facing', 'bot', 'a.json'));
    expect(guarded.findings).toEqual([]);
    expect(guarded.valid).toBe(true);
  });

  it('compiles organisation rules to json-rules-engine rules that the engine accepts and agrees with', async () => {
    const p = preflightFor(config, at('customer-facing', 'x.json'));
    const rules = p.rules().filter((r) => r.name.startsWith('policy/'));
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['policy/no-bedrock-api-keys/forbids/api-key-auth', 'policy/guardrails-on-customer-facing/requires/guardrails']));
    const engine = new Engine(rules as never);
    const facts = { endpoint: 'bedrock-mantle', api: 'chat-completions', model: null, region: 'us-east-1', operation: null, capabilities: ['api-key-auth'], modelFamily: null, modelForm: null, route: null, signals: [] };
    const { events } = await engine.run(facts);
    expect(events.map((e) => e.type).sort()).toEqual(['policy-capability-forbidden', 'policy-capability-required']);
    // Rules scoped to files are not in the knowledge shared by every file.
    expect(config.knowledge.rules.some((r) => r.name.startsWith('policy/guardrails-on-customer-facing'))).toBe(false);
  });

  it('changes severities: a missing max tokens becomes an error, prompt caching on mantle becomes info', () => {
    const chat = { url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'Hello' }] } };
    expect(createPreflight().check(chat).valid).toBe(true);
    const r = checkWithConfig(config, chat, {}, at('services', 'chat.json'));
    expect(r.valid).toBe(false);
    expect(show(r.findings)).toEqual(['error field-missing max-tokens']);
    const cached = {
      url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages',
      headers: { 'anthropic-version': '2023-06-01' },
      body: { model: 'anthropic.claude-haiku-4-5', max_tokens: 100, cache_control: { type: 'ephemeral' }, messages: [{ role: 'user', content: 'hi' }] },
    };
    expect(show(createPreflight().check(cached).findings)).toEqual(['warning capability-conditional prompt-caching']);
    expect(show(checkWithConfig(config, cached, {}, at('a.json')).findings)).toEqual(['info capability-conditional prompt-caching']);
  });

  it('suppresses a finding with its reason under legacy/, reported as suppressed, never dropped', () => {
    const r = checkWithConfig(config, converse({}, API_KEY), {}, at('legacy', 'batch', 'nightly.json'));
    expect(r.valid).toBe(true);
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toEqual([
      expect.objectContaining({
        code: 'policy-capability-forbidden',
        subject: 'api-key-auth',
        severity: 'error',
        suppressed: { reason: expect.stringContaining('PLAT-1875'), by: expect.stringMatching(/^examples\/policy\/\.bedrock-preflight\.yaml:\d+$/) },
      }),
    ]);
    // The report keeps the contract's shape, with `suppressed` after it.
    expect(Object.keys(r)).toEqual(['endpoint', 'api', 'model', 'region', 'valid', 'capabilities', 'findings', 'recommendation', 'suppressed']);
    // by names the line of the ignore entry.
    const line = Number(r.suppressed[0]!.suppressed.by.split(':').at(-1));
    expect(readFileSync(example, 'utf8').split('\n')[line - 1]).toContain('path: legacy/**');
  });
});

describe('severity off and ignores, applied to findings', () => {
  const dir = folder({
    '.bedrock-preflight.yaml': `severity:
  - code: api-inferred
    severity: off
    reason: Our request files are bare bodies on purpose.
  - subject: model
    severity: warning
ignores:
  - path: 'vendor/**'
    subject: '*'
    reason: Third-party examples, not our requests.
`,
  });
  const config = loadConfig(join(dir, '.bedrock-preflight.yaml'), { cwd: dir });
  const findings: Finding[] = [
    { code: 'api-inferred', subject: 'converse', severity: 'info', message: 'm1' },
    { code: 'model-unsupported', subject: 'model', severity: 'error', message: 'm2', source: 'https://example.com' },
    { code: 'capability-unsupported', subject: 'guardrails', severity: 'error', message: 'm3' },
  ];

  it("turns a severity off (suppressed by the override) and changes another (by subject); valid follows the remaining findings", () => {
    const r = applyPolicy(config, findings, 'src/a.json');
    expect(show(r.findings)).toEqual(['error capability-unsupported guardrails', 'warning model-unsupported model']);
    expect(r.suppressed).toEqual([expect.objectContaining({ code: 'api-inferred', suppressed: { reason: 'Our request files are bare bodies on purpose.', by: '.bedrock-preflight.yaml:2' } })]);
  });

  it("ignores every subject ('*') under a glob, relative to the config's folder", () => {
    const r = applyPolicy(config, findings, join(dir, 'vendor', 'x', 'a.json'));
    expect(r.findings).toEqual([]);
    expect(r.suppressed.map((s) => s.suppressed.reason)).toEqual(Array(3).fill('Third-party examples, not our requests.'));
    // stdin and files elsewhere are not under vendor/.
    expect(applyPolicy(config, findings, undefined).findings).toHaveLength(2);
    expect(applyPolicy(config, findings, '/elsewhere/vendor/a.json').findings).toHaveLength(2);
  });
});

describe('invalid configuration files are reported at file:line:column', () => {
  it('lists every schema problem with its position and pointer', () => {
    const dir = folder({
      'c.yaml': `cells:
  - id: responses
    endpoint: bedrock-runtime
    value: maybe
    source: https://example.com/x
    asOf: 2026-01-01
    reason: because
rules:
  - id: r2
    severity: fatal
    message: m
    forbid: { capabilities: [api-key-auth] }
ignores:
  - path: '**'
    subject: x
bogus: 1
`,
    });
    const e = thrown(() => loadConfig('c.yaml', { cwd: dir }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('E_KNOWLEDGE');
    expect(e.oneLine.split('\n')).toEqual([
      'c.yaml:16:1: unknown key "bogus" (at /bogus)',
      'c.yaml:4:5: must be one of: yes, no, conditional, unknown (at /cells/0/value)',
      'c.yaml:10:5: must be one of: error, warning, info (at /rules/0/severity)',
      'c.yaml:14:5: missing required key "reason" (at /ignores/0)',
    ]);
    expect(e.file).toBe('c.yaml');
    expect(e.position).toEqual({ line: 16, column: 1 });
  });

  it('reports what the schema cannot check: unknown ids, unsafe regular expressions, require and forbid together', () => {
    const dir = folder({
      'c.yaml': `cells:
  - id: no-such-row
    endpoint: bedrock-runtime
    value: yes
    source: https://example.com/x
    asOf: 2026-01-01
    reason: because
rules:
  - id: both
    severity: error
    message: m
    require: { capabilities: [guardrail] }
    forbid: { capabilities: [api-key-auth] }
  - id: slow
    severity: error
    message: m
    forbid:
      request: { body: /input, matches: '(a)\\1$' }
  - id: families
    severity: warning
    message: m
    when: { models: { families: [no-such-family] }, regions: [xx-nowhere-9] }
    require: { capabilities: [guardrails] }
severity:
  - severity: info
`,
    });
    const e = thrown(() => loadConfig(join(dir, 'c.yaml'), { cwd: dir }));
    const lines = e.oneLine.split('\n');
    expect(lines).toContain('c.yaml:2:5: no matrix row "no-such-row" (see bedrock-preflight matrix) (at /cells/0/id)');
    expect(lines).toContain('c.yaml:9:5: a rule needs exactly one of require and forbid (at /rules/0)');
    expect(lines.find((l) => l.includes('/rules/0/require/capabilities/0'))).toMatch(/^c\.yaml:12:31: unknown capability "guardrail"/);
    expect(lines.find((l) => l.includes('/rules/1/forbid/request/matches'))).toMatch(/^c\.yaml:18:32: regular expression not supported by the linear-time \(RE2\) engine: invalid escape sequence/);
    expect(lines.find((l) => l.includes('/rules/2/when/models/families/0'))).toMatch(/^c\.yaml:22:\d+: unknown model family "no-such-family"/);
    expect(lines.find((l) => l.includes('/rules/2/when/regions/0'))).toMatch(/^c\.yaml:22:\d+: unknown Region "xx-nowhere-9"/);
    expect(lines).toContain('c.yaml:25:5: a severity override needs code, subject or both (at /severity/0)');
  });

  it('refuses a misspelt api id in a cell and in a rule, naming it at its line and column', () => {
    const apiIds = createPreflight().knowledge.apis.map((a) => a.id).join(', ');
    const dir = folder({
      'c.yaml': `cells:
  - { id: structured-outputs, api: mesages, endpoint: bedrock-runtime, value: yes, source: https://example.com/x, asOf: 2026-01-01, reason: r }
rules:
  - { id: only-converse, severity: error, message: m, when: { apis: [converse] }, forbid: { apis: [chat-complete] } }
`,
    });
    const lines = thrown(() => loadConfig(join(dir, 'c.yaml'), { cwd: dir })).oneLine.split('\n');
    expect(lines).toEqual([
      `c.yaml:2:31: unknown api "mesages" (expected one of: ${apiIds}) (at /cells/0/api)`,
      `c.yaml:4:100: unknown api "chat-complete" (expected one of: ${apiIds}) (at /rules/0/forbid/apis/0)`,
    ]);
  });

  it('reports invalid YAML with its position (E_INPUT_PARSE)', () => {
    const dir = folder({ 'c.yaml': 'ignores:\n  - path: "a\n    subject: x\n' });
    const e = thrown(() => loadConfig('c.yaml', { cwd: dir }));
    expect(e.code).toBe('E_INPUT_PARSE');
    expect(e.oneLine).toMatch(/^c\.yaml:\d+:\d+: /);
  });

  it('reports a problem in an extended overlay at its own file and line', () => {
    const dir = folder({
      '.bedrock-preflight.yaml': 'extends: overlays/base.yaml\n',
      'overlays/base.yaml': '# the base\nrules:\n  - id: x\n    severity: error\n    message: m\n    forbid: { capabilities: [nope] }\n',
    });
    const e = thrown(() => loadConfig('.bedrock-preflight.yaml', { cwd: dir }));
    expect(e.oneLine).toBe('overlays/base.yaml:6:30: unknown capability "nope" (expected one of: ' + createPreflight().knowledge.capabilities.map((c) => c.id).join(', ') + ') (at /rules/0/forbid/capabilities/0)');
  });
});

describe('extends', () => {
  const cell = (value: string, reason: string) => `  - id: guardrails\n    endpoint: bedrock-mantle\n    value: ${value}\n    source: https://example.com/${reason}\n    asOf: 2026-01-01\n    reason: ${reason}\n`;

  it('merges a chain with the most derived file winning (cells, severity, rules by id, maxWarnings)', () => {
    const dir = folder({
      'team.yaml': `extends: [org/a.yaml, org/b.yaml]\ncells:\n${cell('conditional\n    condition: with ApplyGuardrail', 'team')}severity:\n  - code: capability-unsupported\n    severity: warning\n    reason: team\n`,
      'org/a.yaml': `extends: common.yaml\nmaxWarnings: 5\ncells:\n${cell('yes', 'a')}rules:\n  - id: keys\n    severity: warning\n    message: from a\n    forbid: { capabilities: [api-key-auth] }\n`,
      'org/b.yaml': `maxWarnings: 7\nseverity:\n  - code: capability-unsupported\n    severity: info\n    reason: b\nrules:\n  - id: keys\n    severity: error\n    message: from b\n    forbid: { capabilities: [api-key-auth] }\n`,
      'org/common.yaml': `ignores:\n  - path: '**'\n    subject: projects\n    reason: common\n`,
    });
    const c = loadConfig('team.yaml', { cwd: dir });
    expect(c.files).toEqual(['org/common.yaml', 'org/a.yaml', 'org/b.yaml', 'team.yaml']);
    expect(c.maxWarnings).toBe(7);
    expect(c.cells).toEqual([expect.objectContaining({ id: 'guardrails', value: 'conditional', reason: 'team', by: 'team.yaml:3' })]);
    expect(c.knowledge.matrix.find((r) => r.id === 'guardrails')!.cells['bedrock-mantle']).toMatchObject({ value: 'conditional', condition: 'with ApplyGuardrail' });
    expect(c.severity.map((s) => s.reason)).toEqual(['team', 'b']);
    expect(c.rules).toEqual([expect.objectContaining({ id: 'keys', severity: 'error', message: 'from b', by: 'org/b.yaml:7' })]);
    expect(c.ignores).toEqual([expect.objectContaining({ subject: 'projects', by: 'org/common.yaml:2' })]);
    const mantleGuardrails = { url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', max_tokens: 10, 'amazon-bedrock-guardrailConfig': { guardrailIdentifier: 'g', guardrailVersion: '1' }, messages: [] } };
    expect(show(createPreflight().check(mantleGuardrails).findings)).toContain('error capability-unsupported guardrails');
    expect(show(checkWithConfig(c, mantleGuardrails, {}, 'x.json').findings)).toContain('warning capability-conditional guardrails');
  });

  it('loads a file extended twice (a diamond) once', () => {
    const dir = folder({
      'c.yaml': 'extends: [a.yaml, b.yaml]\n',
      'a.yaml': 'extends: base.yaml\n',
      'b.yaml': 'extends: base.yaml\n',
      'base.yaml': "ignores:\n  - path: '**'\n    subject: x\n    reason: r\n",
    });
    const c = loadConfig('c.yaml', { cwd: dir });
    expect(c.files).toEqual(['base.yaml', 'a.yaml', 'b.yaml', 'c.yaml']);
    expect(c.ignores).toHaveLength(1);
  });

  it('names the config file and line of a missing extends file', () => {
    const dir = folder({ 'c.yaml': '# team config\nextends:\n  - ./org/missing.yaml\n' });
    const e = thrown(() => loadConfig('c.yaml', { cwd: dir }));
    expect(e.code).toBe('E_INPUT_READ');
    expect(e.oneLine).toBe('c.yaml:3:5: extends "./org/missing.yaml": no such file (org/missing.yaml) (at /extends/0)');
  });

  it('reports a cycle with the chain of files and lines', () => {
    const dir = folder({ 'a.yaml': 'extends: [b.yaml]\n', 'b.yaml': '# b\nextends:\n  - c.yaml\n', 'c.yaml': 'extends: a.yaml\n' });
    const e = thrown(() => loadConfig('a.yaml', { cwd: dir }));
    expect(e.code).toBe('E_KNOWLEDGE');
    expect(e.oneLine).toBe('c.yaml:1:1: extends "a.yaml" makes a cycle: a.yaml:1 → b.yaml:3 → c.yaml:1 → a.yaml (at /extends)');
    const self = folder({ 's.yaml': 'extends: s.yaml\n' });
    expect(thrown(() => loadConfig('s.yaml', { cwd: self })).oneLine).toBe('s.yaml:1:1: extends "s.yaml" makes a cycle: s.yaml:1 → s.yaml (at /extends)');
  });
});

describe('finding the configuration', () => {
  it('walks up from the working directory, and stops at the top of a repository', () => {
    const dir = folder({ 'repo/.bedrock-preflight.yml': 'maxWarnings: 1\n', 'repo/a/b/.keep': '', 'repo/sub/.git/HEAD': '', 'repo/sub/c/.keep': '', '.bedrock-preflight.yaml': 'maxWarnings: 2\n' });
    expect(findConfigFile(join(dir, 'repo', 'a', 'b'))).toBe(join(dir, 'repo', '.bedrock-preflight.yml'));
    expect(findConfigFile(join(dir, 'repo', 'sub', 'c'))).toBeUndefined();
    expect(findConfigFile(dir)).toBe(join(dir, '.bedrock-preflight.yaml'));
  });

  it('resolveConfigForCli: --config, --no-config, discovery, and errors', () => {
    const dir = folder({ '.bedrock-preflight.yaml': 'maxWarnings: 3\n', 'other.yaml': 'maxWarnings: 4\n', 'deep/er/.keep': '' });
    expect(resolveConfigForCli({}, join(dir, 'deep', 'er'))?.maxWarnings).toBe(3);
    expect(resolveConfigForCli({}, join(dir, 'deep', 'er'))?.file).toBe('../../.bedrock-preflight.yaml');
    expect(resolveConfigForCli({ config: 'other.yaml' }, dir)?.maxWarnings).toBe(4);
    expect(resolveConfigForCli({ 'no-config': true }, dir)).toBeUndefined();
    expect(thrown(() => resolveConfigForCli({ config: 'x.yaml', 'no-config': true }, dir)).code).toBe('E_USAGE');
    const missing = thrown(() => resolveConfigForCli({ config: 'nope.yaml' }, dir));
    expect(missing.code).toBe('E_INPUT_READ');
    expect(missing.oneLine).toBe('nope.yaml: configuration file not found');
  });

  it('a configuration without overlays shares the built-in knowledge', () => {
    const dir = folder({ 'c.yaml': 'maxWarnings: 0\n' });
    const c: ResolvedConfig = loadConfig('c.yaml', { cwd: dir });
    expect(c.knowledge).toBe(createPreflight().knowledge);
  });
});

describe('organisation rules of every kind', () => {
  const dir = folder({
    'c.yaml': `rules:
  - id: converse-only
    when: { endpoints: [bedrock-runtime] }
    require: { apis: [converse] }
    severity: warning
    message: Use Converse on bedrock-runtime.
  - id: no-mantle-in-eu
    when: { regions: [eu-central-1] }
    forbid: { endpoints: [bedrock-mantle] }
    severity: error
    message: No mantle in Frankfurt.
  - id: claude-only
    require: { models: { familyMatches: '^anthropic-' } }
    severity: error
    message: Only Claude models, not {model}.
  - id: no-temperature
    when: { apis: [chat-completions] }
    forbid:
      request: { body: /temperature }
    code: policy-temperature
    severity: info
    message: Leave temperature at its default{where}.
  - id: no-streaming-with-tools
    when:
      capabilities: [client-side-tools]
      request: { body: /stream, equals: true }
    forbid: { apis: [chat-completions] }
    severity: error
    message: Do not stream tool calls.
  - id: no-aaa
    forbid:
      request: { body: /messages/*/content, matches: '(a+)+$' }
    code: policy-aaa
    severity: warning
    message: No runs of a{where}.
`,
  });
  const c = loadConfig('c.yaml', { cwd: dir });
  const check = (input: unknown) => checkWithConfig(c, input, {}, 'x.json').findings.filter((f) => f.code.startsWith('policy-'));

  it('require apis / forbid endpoints / require models / forbid request shapes / when with request tests', () => {
    expect(check({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-haiku-4-5-20251001-v1:0/invoke', body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } }).map((f) => f.code)).toEqual([
      'policy-api-required',
    ]);
    const mantle = check({ url: 'https://bedrock-mantle.eu-central-1.api.aws/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', max_tokens: 10, temperature: 0.2, messages: [{ role: 'user', content: 'hi' }] } });
    expect(mantle.map((f) => `${f.severity} ${f.code} ${f.subject} ${f.path ?? ''}`)).toEqual([
      'error policy-endpoint-forbidden bedrock-mantle /url',
      'error policy-model-required model /body/model',
      'info policy-temperature no-temperature /body/temperature',
    ]);
    expect(mantle[1]!.message).toContain('not openai.gpt-oss-120b');
    expect(mantle[2]!.message).toContain('Leave temperature at its default at /body/temperature');
    const tools = { url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'anthropic.claude-x', max_tokens: 10, stream: true, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }], messages: [] } };
    expect(check(tools).map((f) => f.code)).toContain('policy-api-forbidden');
    expect(check({ ...tools, body: { ...tools.body, stream: false } }).map((f) => f.code)).not.toContain('policy-api-forbidden');
  });

  it("runs a configuration's request patterns in the linear-time engine (no backtracking on a hostile prompt)", () => {
    const body = (content: string) => ({ url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', max_tokens: 10, messages: [{ role: 'user', content }] } });
    const started = performance.now();
    // (a+)+$ on 40 a's and a b takes a backtracking engine far longer than a test runs.
    expect(check(body(`${'a'.repeat(40)}b`)).map((f) => f.code)).not.toContain('policy-aaa');
    expect(performance.now() - started).toBeLessThan(5000); // a bound against a hang, not a speed assertion
    expect(check(body('aaaa')).map((f) => f.code)).toContain('policy-aaa');
  });
});

describe('a request test comparing two numbers', () => {
  it('a configuration rule may compare two numbers of the body', () => {
    const dir = folder({
      'c.yaml': `rules:
  - id: output-under-the-cap
    forbid:
      request: { compare: { value: /max_tokens, atLeast: /metadata/cap } }
    code: policy-output-cap
    severity: error
    message: max_tokens{where} reaches the cap the request itself states.
`,
    });
    const c = loadConfig('c.yaml', { cwd: dir });
    const codes = (maxTokens: number) =>
      checkWithConfig(c, { url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', max_tokens: maxTokens, metadata: { cap: 500 }, messages: [{ role: 'user', content: 'hi' }] } }, {}, 'x.json')
        .findings.filter((f) => f.code === 'policy-output-cap')
        .map((f) => f.path);
    expect(codes(500)).toEqual(['/body/max_tokens']);
    expect(codes(499)).toEqual([]);
  });
});

describe('generated schema validators', () => {
  it('are up to date with schemas/*.schema.json (regenerate: npx tsx src/config/validators.build.ts)', () => {
    expect(readFileSync(GENERATED_VALIDATORS, 'utf8') === generateValidators(), 'src/config/generated/validators.ts is stale: run npx tsx src/config/validators.build.ts').toBe(true);
  });
});
