/**
 * Reproductions of issue 13 (hostile input, round two) through the command line: each now gives one clear line
 * with the file (and position) and exit code 2, or the right result, within bounds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { PreflightInputError } from '../../src/errors.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bp-hostile-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function cli(cwd: string, ...args: string[]) {
  // A hang is caught by the time-out: the process is killed and its status is null.
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('item 4: test on a malformed or empty rule pack', () => {
  const good = 'cases:\n  - { name: a, input: { modelId: x }, expect: { valid: true } }\n';

  it('an unclosed flow sequence: one line with file:line:column, exit 2', () => {
    const dir = folder({ 'p/bad.yaml': 'cases: [\n' });
    const r = cli(dir, 'test', 'p/bad.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bedrock-preflight: p\/bad\.yaml:\d+:\d+: invalid YAML/)]);
  });

  it('an empty pack file: one line naming the file, exit 2', () => {
    const dir = folder({ 'p/empty.yaml': '' });
    const r = cli(dir, 'test', 'p/empty.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p\/empty\.yaml:1:1: empty input/);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a folder run reports the problem of every file, not an internal error', () => {
    const dir = folder({ 'p/bad.yaml': 'cases: [\n', 'p/empty.yaml': '', 'p/good.yaml': good });
    const r = cli(dir, 'test', 'p');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/p\/bad\.yaml:\d+:\d+: /);
    expect(r.stderr).toMatch(/p\/empty\.yaml:1:1: /);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('instanceof ConfigError holds for configuration errors only', () => {
    const input = new PreflightInputError('E_INPUT_PARSE', 'x', { file: 'f' });
    const config = new ConfigError([{ file: 'f', line: 1, column: 1, key: '', message: 'm' }]);
    expect(input instanceof PreflightInputError).toBe(true);
    expect(input instanceof ConfigError).toBe(false);
    expect(config instanceof ConfigError).toBe(true);
    expect(config instanceof PreflightInputError).toBe(true);
  });
});
