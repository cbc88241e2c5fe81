/**
 * Per-command help as a newcomer meets it: `help <command>` and `<command> --help` print the same text, with the
 * command's usage and examples, and every example that names only files of this repository runs as shown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli.cjs');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command names, as the general help lists them. */
function commandNames(): string[] {
  const help = run(['--help']).stdout;
  const block = help.slice(help.indexOf('Commands:\n') + 'Commands:\n'.length, help.indexOf('\n\n', help.indexOf('Commands:\n')));
  return block.split('\n').map((l) => l.trim().split(/\s+/)[0]!);
}

/** The example lines of a command's help. */
function examplesOf(help: string): string[] {
  const start = help.indexOf('Examples:\n') + 'Examples:\n'.length;
  return help.slice(start, help.indexOf('\n\n', start)).split('\n').map((l) => l.trim());
}

describe('per-command help', () => {
  const names = commandNames();

  it('lists the commands', () => {
    expect(names).toEqual(expect.arrayContaining(['check', 'recommend', 'matrix', 'explain', 'lint', 'test', 'serve']));
  });

  it.each(names)('help %s prints that command\'s usage and examples, as the command\'s --help does', (name) => {
    const viaHelp = run(['help', name]);
    const viaFlag = run([name, '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain(`Usage: bedrock-preflight ${name}`);
    expect(examplesOf(viaHelp.stdout).length).toBeGreaterThan(0);
    expect(viaHelp.stdout).not.toBe(run(['--help']).stdout);
  });

  it('the general help (printed before the CLI is loaded) lists exactly the commands the CLI runs', () => {
    const r = run(['chek']);
    expect(r.code).toBe(2);
    const accepted = /expected one of: ([^)]*)\)/.exec(r.stderr)?.[1]?.split(', ');
    expect(names).toEqual(accepted);
    // The same text with any other argument after it, which the full CLI prints.
    expect(run(['--help', '--no-color']).stdout).toBe(run(['--help']).stdout);
    expect(run([]).code).toBe(2);
    expect(run([]).stdout).toBe(run(['-h']).stdout);
  });

  it('help of an unknown command is a usage error naming it (exit 2)', () => {
    const r = run(['help', 'chek']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "chek"/);
  });

  // An example that reads only files present in the repository, and writes nothing, runs as a newcomer pastes it.
  const runnable = names.flatMap((name) =>
    examplesOf(run(['help', name]).stdout)
      .filter((e) => e.startsWith(`bedrock-preflight ${name}`) && !/[>|'"]/.test(e) && name !== 'serve')
      .map((e) => e.split(' ').slice(1))
      .filter((args) => args.slice(1).filter((a) => !a.startsWith('-') && /[/.]/.test(a)).every((a) => existsSync(join(root, a)))),
  );

  it('has runnable examples for most commands', () => {
    expect(new Set(runnable.map((a) => a[0])).size).toBeGreaterThanOrEqual(6);
  });

  it.each(runnable.map((a) => [a.join(' ')]))('bedrock-preflight %s does its job (exit 0 or 1, never 2)', (line) => {
    const r = run(line.split(' '));
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
  });
});
