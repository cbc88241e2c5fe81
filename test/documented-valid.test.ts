/**
 * The corpus of documented valid requests (rules/cases/documented-valid.yaml, issue #12 §4): at least 40 requests
 * that AWS, Anthropic and OpenAI publish for Bedrock, each naming its source, across all five APIs and both
 * endpoints, and none gets an error finding (test/cases.test.ts runs each one as a case as well).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument } from 'yaml';
import { createPreflight } from '../src/index.js';

const file = join(import.meta.dirname, '..', 'rules', 'cases', 'documented-valid.yaml');
const doc = parseDocument(readFileSync(file, 'utf8'));
const items = doc.get('cases');
const cases = (doc.toJS() as { cases: Array<{ name: string; input: unknown }> }).cases;
const p = createPreflight();
const reports = cases.map((c) => p.check(c.input));

describe('documented valid requests', () => {
  it('holds at least 40 requests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('each names its source URL in a `# source:` comment', () => {
    expect(isSeq(items)).toBe(true);
    if (!isSeq(items)) return;
    items.items.forEach((item, i) => {
      expect(isMap(item)).toBe(true);
      // The first item's comment is kept on the sequence itself.
      const comment = (i === 0 ? items.commentBefore : isMap(item) ? item.commentBefore : '') ?? '';
      const last = comment.split('\n').at(-1)!;
      expect(last, cases[i]!.name).toMatch(/^\s*source: https:\/\/\S+$/);
    });
  });

  it('covers every api and both endpoints', () => {
    for (const a of p.knowledge.apis) expect(reports.some((r) => r.api === a.id), a.id).toBe(true);
    for (const e of p.knowledge.endpoints) expect(reports.some((r) => r.endpoint === e.id), e.id).toBe(true);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s: no error finding', (_, i) => {
    expect(reports[i]!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(reports[i]!.recommendation.endpoint).toBe(reports[i]!.endpoint);
  });
});
