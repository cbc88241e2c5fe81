/**
 * Entries a folder walk or a glob picks up by name but cannot read are listed, each with why, never left out in
 * silence: named pipes, sockets, dangling links (lint), and the same in a rule pack's folder (test).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPreflightInputError } from '../../src/errors.js';
import { lint } from '../../src/lint/index.js';
import { runRulePack } from '../../src/testing/runner.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const posix = process.platform !== 'win32';

const mkfifo = (path: string): void => {
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
};
/** A Unix socket left behind by a process that bound it and exited. */
const socket = (path: string): void => {
  expect(spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]).status).toBe(0);
};

/** lw/: a pipe, a socket, a pipe in a subfolder, a link to a pipe, a dangling link, one good file, a hidden pipe. */
function specialFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bp-special-'));
  const lw = join(dir, 'lw');
  mkdirSync(join(lw, 'sub'), { recursive: true });
  mkfifo(join(lw, 'f.json'));
  socket(join(lw, 's.json'));
  mkfifo(join(lw, 'sub', 'p.yaml'));
  symlinkSync('f.json', join(lw, 'lf.json'));
  symlinkSync('nowhere.json', join(lw, 'dl.json'));
  mkfifo(join(lw, '.hidden.json'));
  writeFileSync(join(lw, 'ok.json'), '{"model":"m","messages":[]}\n');
  writeFileSync(join(lw, 'notes.txt'), 'x');
  mkfifo(join(lw, 'pipe.txt'));
  return dir;
}

describe.skipIf(!posix)('lint lists what it cannot read', () => {
  const dir = specialFolder();
  const expected = {
    'lw/dl.json': /dangling symbolic link/,
    'lw/f.json': /^cannot read: not a regular file \(a named pipe, FIFO\)$/,
    'lw/lf.json': /named pipe/,
    'lw/s.json': /^cannot read: not a regular file \(a socket\)$/,
    'lw/sub/p.yaml': /^cannot read: not a regular file \(a named pipe, FIFO\)$/,
  };

  it.each([['a folder', 'lw'], ['a glob', 'lw/**/*.{json,yaml}']])('through %s: every pipe and socket is an entry with why', (_, arg) => {
    const r = lint([arg], { cwd: dir, endpoint: 'bedrock-runtime' });
    expect(r.files.map((f) => f.file)).toEqual(['lw/dl.json', 'lw/f.json', 'lw/lf.json', 'lw/ok.json', 'lw/s.json', 'lw/sub/p.yaml']);
    for (const [file, why] of Object.entries(expected)) {
      const e = r.files.find((f) => f.file === file)!;
      expect(e.errorCode, file).toBe('E_INPUT_READ');
      expect(e.error, file).toMatch(why);
    }
    expect(r.files.find((f) => f.file === 'lw/ok.json')!.error).toBeUndefined();
    expect(r.counts.fileErrors).toBe(5);
  });

  it('the CLI names them and exits 2 (it said "in 1 files")', () => {
    const r = spawnSync(process.execPath, [bin, 'lint', 'lw', '--endpoint', 'runtime'], { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('lw/f.json');
    expect(r.stdout).toContain('lw/s.json');
    expect(r.stdout).toMatch(/✖ 5 of 6 files could not be linted; \d+ problems/);
  });
});

describe.skipIf(!posix)('test lists what it cannot read in a pack folder', () => {
  it('a pipe and a dangling .yaml link are problems at file:1:1, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-special-pack-'));
    writeFileSync(join(dir, 'cases.yaml'), 'config: null\ncases:\n  - name: c\n    input: { model: m, messages: [] }\n    options: { endpoint: bedrock-mantle }\n    expect: { endpoint: bedrock-mantle }\n');
    mkfifo(join(dir, 'pipe.yaml'));
    symlinkSync('gone.yaml', join(dir, 'dangling.yaml'));
    mkdirSync(join(dir, 'd'));
    mkfifo(join(dir, 'd', '.hidden.json'));
    let lines: string[] = [];
    try {
      runRulePack('.', { cwd: dir });
    } catch (e) {
      if (!isPreflightInputError(e)) throw e;
      expect(e.code).toBe('E_INPUT_READ');
      lines = e.oneLine.split('\n');
    }
    expect(lines).toEqual([
      'd/.hidden.json:1:1: cannot read: not a regular file (a named pipe, FIFO)',
      'dangling.yaml:1:1: cannot read: a dangling symbolic link (its target does not exist)',
      'pipe.yaml:1:1: cannot read: not a regular file (a named pipe, FIFO)',
    ]);
    const r = spawnSync(process.execPath, [bin, 'test', '.'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('pipe.yaml:1:1: cannot read: not a regular file');
  });
});
