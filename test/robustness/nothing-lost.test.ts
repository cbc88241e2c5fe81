/**
 * Nothing the user owns is modified: lint, check, test, arch and matrix --check read their inputs and write only
 * to stdout and stderr; every file in the folder keeps its bytes and its modification time.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${statSync(p).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe('nothing lost', () => {
  it('no command modifies, creates or deletes a file in the folder it reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-untouched-'));
    cpSync(join(root, 'examples'), dir, { recursive: true });
    writeFileSync(join(dir, 'broken.json'), '{"url": ');
    writeFileSync(join(dir, 'lines.jsonl'), '{"model":"openai.gpt-oss-120b","input":"a"}\n{"model":"x"\n');
    const md = spawnSync(process.execPath, [bin, 'matrix', '--format', 'md'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'MATRIX.md'), `${md}\nedited by hand\n`);
    const before = snapshot(dir);
    const runs = [
      ['lint', '.', '--endpoint', 'mantle', '--format', 'json'],
      ['lint', '.', '--format', 'sarif'],
      ['check', 'runtime-converse-guardrails.json'],
      ['check', 'broken.json'],
      ['test', 'policy'],
      ['arch', 'arch/architecture.yaml', '--format', 'html'],
      ['matrix', '--check', 'MATRIX.md'],
    ];
    for (const args of runs) {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
      expect(r.status, args.join(' ')).not.toBeNull();
    }
    expect(snapshot(dir)).toEqual(before);
  });
});
