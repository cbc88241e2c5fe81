/**
 * lint under a configuration: the endpoint mapping, organisation rules (also those scoped to files), severity
 * overrides and ignores (suppressed findings reported, never dropped); --no-config turns it all off.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const dir = mkdtempSync(join(tmpdir(), 'bp-lint-config-'));
cpSync(join(root, 'examples', 'policy', '.bedrock-preflight.yaml'), join(dir, '.bedrock-preflight.yaml'));
cpSync(join(root, 'examples', 'policy', 'overlays'), join(dir, 'overlays'), { recursive: true });
for (const d of ['customer-facing', 'internal', 'legacy', 'requests/mantle']) mkdirSync(join(dir, d), { recursive: true });

const converse = { url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/converse', body: { messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 100 } } };
writeFileSync(join(dir, 'customer-facing', 'chat.json'), JSON.stringify(converse, null, 2));
writeFileSync(join(dir, 'internal', 'chat.json'), JSON.stringify(converse, null, 2));
writeFileSync(join(dir, 'legacy', 'batch.json'), JSON.stringify({ ...converse, headers: { Authorization: 'Bearer bedrock-api-key-legacylegacylegacy' } }, null, 2));

function lint(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'lint', 'customer-facing', 'internal', 'legacy', '--format', 'json', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, files: JSON.parse(r.stdout) as Array<{ file: string; findings: Array<{ code: string; subject: string; line: number }>; suppressed?: Array<{ code: string; suppressed: { reason: string } }> }>, stderr: r.stderr };
}

describe('lint with a configuration', () => {
  it('applies file-scoped organisation rules, ignores (reported as suppressed) and exit codes', () => {
    const r = lint();
    const byFile = Object.fromEntries(r.files.map((f) => [f.file, f]));
    expect(byFile['customer-facing/chat.json']!.findings).toContainEqual(expect.objectContaining({ code: 'policy-capability-required', subject: 'guardrails' }));
    expect(byFile['internal/chat.json']!.findings.filter((f) => f.code.startsWith('policy-'))).toEqual([]);
    expect(byFile['legacy/batch.json']!.findings.filter((f) => f.subject === 'api-key-auth')).toEqual([]);
    expect(byFile['legacy/batch.json']!.suppressed).toContainEqual(expect.objectContaining({ code: 'policy-capability-forbidden', suppressed: expect.objectContaining({ reason: expect.stringContaining('PLAT-1875') }) }));
    expect(r.code).toBe(1);
  });

  it('--no-config lints with the built-in knowledge only', () => {
    const r = lint('--no-config');
    expect(r.files.flatMap((f) => f.findings).filter((f) => f.code.startsWith('policy-'))).toEqual([]);
    expect(r.files.some((f) => f.suppressed)).toBe(false);
    expect(r.code).toBe(0);
  });
});
