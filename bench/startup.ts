/**
 * CLI start-up against a bare `node -e ""`, measured in the same run: `--version`, `--help` and `check <file>`
 * of the built bin (dist/cli.cjs), spawned in rotating order so that drift on a shared machine hits all alike;
 * the median of each. Run: npx tsx bench/startup.ts [rounds]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIX } from './requests.js';
import { median, printRows, ratioRow, type Row } from './report.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli.cjs');

export function startupRows(rounds = 25): Row[] {
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'startup-request.json');
  writeFileSync(file, JSON.stringify(MIX[0]!.input));
  const runs: Record<string, string[]> = {
    'node -e ""': ['-e', ''],
    '--version': [bin, '--version'],
    '--help': [bin, '--help'],
    'check <file>': [bin, 'check', file, '--format', 'json'],
  };
  const names = Object.keys(runs);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = -2; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + 2 + k) % names.length]!;
      const t = process.hrtime.bigint();
      spawnSync(process.execPath, runs[name]!, { stdio: 'ignore' });
      if (r >= 0) samples[name]!.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const bare = median(samples['node -e ""']!);
  return [
    ['start-up: node -e "" (baseline), median ms', bare.toFixed(1)],
    ratioRow('start-up: --version / node -e ""', median(samples['--version']!) / bare, '<=', 1.15),
    ratioRow('start-up: --help / node -e ""', median(samples['--help']!) / bare, '<=', 1.15),
    ratioRow('start-up: check <file> / node -e ""', median(samples['check <file>']!) / bare, '<=', 1.4),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printRows(`bedrock-preflight start-up bench (node ${process.version})`, startupRows(Number(process.argv[2] ?? 25)));
