/**
 * Runs every example request kept beside the rules (rules/cases/*.yaml) and compares the report with what the
 * case expects. The case files are schema-checked like every other rules file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { loadRulesFile } from '../src/knowledge/load.js';
import type { CheckReport, Finding } from '../src/types.js';

const root = join(import.meta.dirname, '..');
const casesDir = join(root, 'rules', 'cases');

interface FindingPattern {
  code?: string;
  subject?: string;
  severity?: string;
  path?: string;
  messageIncludes?: string;
}
interface Case {
  name: string;
  input: Record<string, unknown>;
  options?: Record<string, string>;
  expect: {
    valid?: boolean;
    endpoint?: string;
    api?: string | null;
    model?: string | null;
    region?: string | null;
    capabilities?: Array<string | { id: string; path: string }>;
    findings?: FindingPattern[];
    findingsInclude?: FindingPattern[];
    findingsExclude?: FindingPattern[];
    recommendation?: string | null;
    error?: string;
  };
}

const matches = (f: Finding, p: FindingPattern): boolean =>
  (p.code === undefined || f.code === p.code) &&
  (p.subject === undefined || f.subject === p.subject) &&
  (p.severity === undefined || f.severity === p.severity) &&
  (p.path === undefined || f.path === p.path) &&
  (p.messageIncludes === undefined || f.message.includes(p.messageIncludes));

const show = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.code} ${f.subject} ${f.path ?? '-'}`);

const files = readdirSync(casesDir).filter((f) => f.endsWith('.yaml')).sort();
const preflight = createPreflight();

describe.each(files)('rules/cases/%s', (file) => {
  const loaded = loadRulesFile(join(casesDir, file), 'cases', join(root, 'schemas'), root);
  const { cases, scope } = loaded.value as { cases: Case[]; scope?: string[] };
  const inScope = scope === undefined ? () => true : (f: Finding) => scope.some((re) => new RegExp(re).test(f.code));

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const e = c.expect;
    if (e.error !== undefined) {
      expect(() => preflight.check(c.input, c.options)).toThrowError(expect.objectContaining({ code: e.error }));
      return;
    }
    const r: CheckReport = preflight.check(c.input, c.options);
    if (e.valid !== undefined) expect(r.valid, show(r.findings).join('\n')).toBe(e.valid);
    if (e.endpoint !== undefined) expect(r.endpoint).toBe(e.endpoint);
    if (e.api !== undefined) expect(r.api).toBe(e.api);
    if (e.model !== undefined) expect(r.model).toBe(e.model);
    if (e.region !== undefined) expect(r.region).toBe(e.region);
    if (e.capabilities !== undefined) {
      expect(r.capabilities.map((u) => u.id)).toEqual(e.capabilities.map((x) => (typeof x === 'string' ? x : x.id)));
      for (const x of e.capabilities) if (typeof x !== 'string') expect(r.capabilities).toContainEqual({ id: x.id, path: x.path });
    }
    if (e.findings !== undefined) {
      const unmatched = r.findings.filter(inScope);
      for (const p of e.findings) {
        const i = unmatched.findIndex((f) => matches(f, p));
        expect(i, `expected finding ${JSON.stringify(p)}; got:\n${show(r.findings).join('\n')}`).toBeGreaterThanOrEqual(0);
        unmatched.splice(i, 1);
      }
      expect(show(unmatched), 'findings the case does not expect').toEqual([]);
    }
    for (const p of e.findingsInclude ?? []) {
      expect(r.findings.some((f) => matches(f, p)), `expected finding ${JSON.stringify(p)}; got:\n${show(r.findings).join('\n')}`).toBe(true);
    }
    for (const p of e.findingsExclude ?? []) {
      expect(r.findings.filter((f) => matches(f, p)).map((f) => f.code), `unexpected finding ${JSON.stringify(p)}`).toEqual([]);
    }
    if (e.recommendation !== undefined) expect(r.recommendation.endpoint).toBe(e.recommendation);
    // Every case also checks the contract's invariants.
    expect(r.valid).toBe(!r.findings.some((f) => f.severity === 'error'));
    const text = JSON.stringify(r);
    for (const secret of secretsIn(c.input)) expect(text).not.toContain(secret);
  });
});

/** Credential values in an input's headers (the parts after the scheme, long enough to be meaningful). */
function secretsIn(input: Record<string, unknown>): string[] {
  const headers = (input['headers'] ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v !== 'string' || !/^(authorization|x-api-key|x-amz-security-token)$/i.test(k)) continue;
    for (const part of v.split(/[\s,=/]+/)) if (part.length >= 16) out.push(part);
  }
  return out;
}
