/**
 * ESLint's own API on the example project (examples/eslint-app, its eslint.config.js with the recommended config):
 * it reports exactly the findings the example's source marks with `// expect: <code> <subject>`, at those lines.
 * The example imports the plugin by the package's name, so this runs on the build (npm test builds first).
 */
import { ESLint } from 'eslint';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const app = join(root, 'examples', 'eslint-app');

/** `file:line code subject` for each marker in the example's source. */
function expectedFindings(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(app, 'src')).filter((f) => f.endsWith('.ts'))) {
    readFileSync(join(app, 'src', name), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const m of text.matchAll(/\/\/ expect: (.+)$/g)) for (const finding of m[1]!.split(',')) out.push(`src/${name}:${i + 1} ${finding.trim()}`);
      });
  }
  return out.sort();
}

describe('eslint on examples/eslint-app', () => {
  let results: ESLint.LintResult[];
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'eslint.js'))) throw new Error('dist/eslint.js is missing: run "npm run build" (npm test does it)');
    const eslint = new ESLint({ cwd: app });
    results = await eslint.lintFiles(['src']);
  });

  it('reports exactly the marked findings at the marked lines', () => {
    const reported = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(app.length + 1)}:${m.line} ${m.ruleId?.startsWith('bedrock-preflight/') ? m.message.split(':')[0] : `${m.ruleId}: ${m.message}`}`),
    );
    const expected = expectedFindings();
    expect(expected.length).toBeGreaterThan(0);
    expect(reported.sort()).toEqual(expected);
  });

  it('reports errors as errors and warnings as warnings (the recommended config)', () => {
    const preflight = results.flatMap((r) => r.messages).filter((m) => m.ruleId?.startsWith('bedrock-preflight/'));
    for (const m of preflight) expect(m.severity).toBe(m.ruleId === 'bedrock-preflight/request-errors' ? 2 : 1);
    expect(new Set(preflight.map((m) => m.ruleId))).toEqual(new Set(['bedrock-preflight/request-errors', 'bedrock-preflight/request-warnings']));
  });
});
