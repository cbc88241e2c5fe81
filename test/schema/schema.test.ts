/**
 * `schema`: every schema (each endpoint × API, without a model and for an example model of each family) is a
 * valid JSON Schema under ajv's strict mode (2020-12), with a stable $id; every valid case of rules/cases passes
 * its schema, and every case whose error is a field the endpoint or model rejects fails it.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPreflight, type ApiId, type CheckReport, type EndpointId, type Finding } from '../../src/index.js';
import { loadRulesFile } from '../../src/knowledge/load.js';
import { requestSchema, type JsonSchema, type SchemaTarget } from '../../src/schema/generate.js';
import { VERSION } from '../../src/version.js';

const root = join(import.meta.dirname, '..', '..');
const preflight = createPreflight();
const k = preflight.knowledge;
const ENDPOINTS = k.endpoints.map((e) => e.id);
const APIS = k.apis.map((a) => a.id);
const MODELS = [undefined, ...k.models.map((m) => m.examples[0]!)];

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(target: SchemaTarget) {
  const key = JSON.stringify(target);
  let v = validators.get(key);
  if (v === undefined) validators.set(key, (v = new Ajv2020({ strict: true, allErrors: true }).compile(requestSchema(preflight, target))));
  return v;
}

describe('every schema', () => {
  const targets: SchemaTarget[] = ENDPOINTS.flatMap((endpoint) => APIS.flatMap((api) => MODELS.map((model) => (model === undefined ? { endpoint, api } : { endpoint, api, model }))));

  it('compiles under ajv strict mode (2020-12) and is the same when generated again', () => {
    const ids = new Set<string>();
    for (const t of targets) {
      const schema = requestSchema(preflight, t);
      expect(() => ajv.compile(schema), JSON.stringify(t)).not.toThrow();
      expect(requestSchema(preflight, t)).toEqual(schema);
      ids.add(String(schema['$id']));
    }
    // One $id per endpoint, API and model family (one model of each family here).
    expect(ids.size).toBe(targets.length);
    expect(targets.length).toBe(ENDPOINTS.length * APIS.length * MODELS.length);
  });

  it('has an $id that names the endpoint and API and not the version', () => {
    for (const t of targets) {
      const id = String(requestSchema(preflight, t)['$id']);
      expect(id).toContain(`/${t.endpoint}/${t.api}`);
      expect(id).not.toContain(VERSION);
      expect(id.endsWith('.schema.json')).toBe(true);
    }
  });

  it('marks something rejected somewhere (the tests below can fail)', () => {
    const rejects = (s: unknown): boolean => JSON.stringify(s).includes('"not":{}');
    expect(targets.some((t) => rejects(requestSchema(preflight, t)))).toBe(true);
  });
});

describe('descriptions of the fields a rule tests', () => {
  it('a rule whose tests sit in any inside all describes each field it reads (the trailing-whitespace prefill)', () => {
    const rule = k.requestRules.find((r) => r.id === 'claude-final-assistant-trailing-whitespace')!;
    expect(JSON.stringify(rule.when)).toContain('"any"');
    const schema = JSON.stringify(requestSchema(preflight, { endpoint: 'bedrock-runtime', api: 'invoke-model', model: 'anthropic.claude-haiku-4-5' }));
    const mentions = schema.split(`(${rule.code} ${rule.subject})`).length - 1;
    // messages/-1/role, messages/-1/content and messages/-1/content/-1/text (the last one inside any)
    expect(mentions).toBeGreaterThanOrEqual(3);
  });
});

interface Case {
  name: string;
  input: Record<string, unknown>;
  options?: Record<string, string>;
}

const caseFiles = ['apis', 'capabilities', 'models', 'regions', 'requests'].map((n) => join('rules', 'cases', `${n}.yaml`)).filter((f) => existsSync(join(root, f)));
const cases: Array<Case & { file: string }> = caseFiles.flatMap((file) =>
  (JSON.parse(JSON.stringify(loadRulesFile(join(root, file), 'cases', join(root, 'schemas'), root).value)) as { cases: Case[] }).cases.map((c) => ({ ...c, file })),
);

/**
 * Request-shape rules about the presence of a field (or a listed value at a field): a field the endpoint or
 * model rejects. Tests of a value at one index (the first message's role), counts and orders are not fields.
 */
const presenceCodes = new Set(
  k.requestRules
    .filter((r) => r.severity === 'error')
    .filter((r) => {
      const t = r.when ?? {};
      const isField = (x: typeof t): boolean => x.body !== undefined && !/\/\d+(\/|$)/.test(x.body) && x.noneOf === undefined && x.startsWith === undefined && x.matches === undefined;
      return isField(t) || (t.all !== undefined && t.all.every(isField));
    })
    .map((r) => `${r.code} ${r.subject}`),
);

function rejectsField(f: Finding, envelope: boolean): boolean {
  if (f.severity !== 'error' || f.path === undefined) return false;
  const inBody = envelope ? f.path.startsWith('/body/') : f.path.startsWith('/');
  return inBody && (f.code === 'capability-unsupported' || f.code === 'model-feature-unsupported' || presenceCodes.has(`${f.code} ${f.subject}`));
}

describe('rules/cases against their schemas', () => {
  const judged = cases.flatMap((c) => {
    let report: CheckReport;
    try {
      report = preflight.check(c.input, c.options);
    } catch {
      return [];
    }
    if (report.api === null) return [];
    const envelope = typeof c.input['url'] === 'string';
    const body = envelope ? c.input['body'] : c.input;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
    const target: SchemaTarget = { endpoint: report.endpoint as EndpointId, api: report.api as ApiId, ...(report.model === null ? {} : { model: report.model }) };
    const rejected = report.findings.some((f) => rejectsField(f, envelope));
    return [{ c, report, body, target, rejected }];
  });

  it('has valid cases and cases with a rejected field', () => {
    expect(judged.filter((j) => j.report.valid).length).toBeGreaterThan(10);
    expect(judged.filter((j) => j.rejected).length).toBeGreaterThan(3);
  });

  it.each(judged.filter((j) => j.report.valid).map((j) => [`${j.c.file}: ${j.c.name}`, j] as const))('valid: %s', (_, j) => {
    const validate = validatorFor(j.target);
    expect(validate(j.body), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(judged.filter((j) => j.rejected).map((j) => [`${j.c.file}: ${j.c.name}`, j] as const))('rejected field: %s', (_, j) => {
    expect(validatorFor(j.target)(j.body)).toBe(false);
  });
});

describe('bedrock-preflight schema (the built CLI)', () => {
  const bin = join(root, 'dist', 'cli.cjs');
  const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  it('prints the schema the library makes', () => {
    if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test does it)');
    const r = run(['schema', '--endpoint', 'mantle', '--api', 'messages', '--model', MODELS[1]!]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout) as JsonSchema).toEqual(requestSchema(preflight, { endpoint: 'bedrock-mantle', api: 'messages', model: MODELS[1]! }));
  });

  it.each([
    [['schema', '--api', 'messages'], /needs --endpoint and --api/],
    [['schema', '--endpoint', 'bedrock', '--api', 'messages'], /unknown endpoint "bedrock"/],
    [['schema', '--endpoint', 'mantle', '--api', 'completions'], /unknown api "completions"/],
    [['schema', '--endpoint', 'mantle', '--api', 'messages', '--format', 'text'], /format/],
  ])('exits 2 with one line: %j', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
