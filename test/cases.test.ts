/**
 * Runs every example request kept beside the rules (rules/cases/*.yaml) with the same runner as
 * `bedrock-preflight test`, one vitest test per case, and checks the contract's invariants on each report.
 */
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { loadRulesFile } from '../src/knowledge/load.js';
import { runRulePack } from '../src/testing/runner.js';

const root = join(import.meta.dirname, '..');
const casesDir = join(root, 'rules', 'cases');
const result = runRulePack(casesDir, { cwd: root });
const preflight = createPreflight();

describe('rules/cases', () => {
  it('every case file validates against schemas/cases.schema.json', () => {
    for (const file of result.caseFiles) expect(() => loadRulesFile(join(root, file), 'cases', join(root, 'schemas'), root)).not.toThrow();
    expect(result.caseFiles.length).toBeGreaterThanOrEqual(5);
  });

  describe.each([...new Set(result.results.map((r) => r.file))])('%s', (file) => {
    const cases = (JSON.parse(JSON.stringify(loadRulesFile(join(root, file), 'cases', join(root, 'schemas'), root).value)) as { cases: Array<{ name: string; input: Record<string, unknown>; options?: Record<string, string> }> }).cases;
    it.each(result.results.filter((r) => r.file === file).map((r) => [r.name, r] as const))('%s', (name, r) => {
      expect(r.failures, `${r.file}:${r.line}`).toEqual([]);
      // The contract's invariants, on every case that yields a report.
      const c = cases.find((x) => x.name === name)!;
      let report;
      try {
        report = preflight.check(c.input, c.options);
      } catch {
        return; // cases that expect an input error are checked by the runner
      }
      expect(report.valid).toBe(!report.findings.some((f) => f.severity === 'error'));
      const text = JSON.stringify(report);
      for (const secret of secretsIn(c.input)) expect(text).not.toContain(secret);
    });
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

