/**
 * lint against the floor of reading and parsing, whole processes measured in the same run: `lint <dir> --format
 * json` of the built CLI over 10,000 request files of a repository's mix (JSON, pretty-printed, 200 per folder;
 * nine in ten clean, one in ten with findings), against a plain script that only lists the same folder, reads
 * every file and JSON.parses it. Rounds alternate; the median of each. Target: lint at least half the floor's speed.
 * Run: npx tsx bench/lint.ts [count] [rounds]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clean, withFindings } from './requests.js';
import { median, printRows, range, ratioRow, type Row } from './report.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli.cjs');

/** Reads and parses every .json file under the folder: what any tool that looks at these files must do. */
const FLOOR = `
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const dir = process.argv[1];
let n = 0;
for (const rel of readdirSync(dir, { recursive: true })) {
  if (rel.endsWith('.json')) n += JSON.parse(readFileSync(join(dir, rel), 'utf8')) ? 1 : 0;
}
process.stdout.write(JSON.stringify({ files: n }) + '\\n');
`;

/** The corpus under .bench/ (kept between runs; rewritten when the count differs). */
function corpus(count: number): string {
  const dir = join(root, '.bench', `lint-${count}`);
  if (existsSync(dir) && readdirSync(dir).length === Math.ceil(count / 200)) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `service-${String(Math.floor(i / 200)).padStart(3, '0')}`);
    if (i % 200 === 0) mkdirSync(folder, { recursive: true });
    const request = i % 10 === 9 ? withFindings(i) : clean(i);
    writeFileSync(join(folder, `request-${i}.json`), `${JSON.stringify(request, null, 2)}\n`);
  }
  return dir;
}

/** One whole process, its output going to a file (as with `> out.json`). */
function timed(args: string[]): { ms: number; stdout: string } {
  const file = join(root, '.bench', 'lint-out.json');
  const out = openSync(file, 'w');
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, args, { stdio: ['ignore', out, 'inherit'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  closeSync(out);
  return { ms, stdout: readFileSync(file, 'utf8') };
}

export function lintRows(count = 10_000, rounds = 5): Row[] {
  const dir = corpus(count);
  const lint = [bin, 'lint', dir, '--format', 'json'];
  const floor = ['-e', FLOOR, dir];
  const first = timed(lint);
  const files = JSON.parse(first.stdout) as Array<{ findings: unknown[]; error?: string }>;
  const withFindingsCount = files.filter((f) => f.findings.length > 0).length;
  const errors = files.filter((f) => f.error !== undefined).length;
  timed(floor);
  const ratios: number[] = [];
  const lintMs: number[] = [];
  const floorMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [a, b] = r % 2 === 0 ? [timed(floor), timed(lint)] : [timed(lint), timed(floor)].reverse();
    floorMs.push(a!.ms);
    lintMs.push(b!.ms);
    ratios.push(a!.ms / b!.ms);
  }
  return [
    [`lint: ${count.toLocaleString('en-US')} files (${withFindingsCount} with findings, ${errors} not linted), whole process, median ms`, median(lintMs).toFixed(0)],
    ['floor: readdir + readFileSync + JSON.parse of the same files, whole process, median ms', median(floorMs).toFixed(0)],
    ratioRow(`lint speed / floor's (median of ${rounds} rounds; range ${range(ratios)})`, median(ratios), '>=', 0.5),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printRows(`bedrock-preflight lint bench (node ${process.version})`, lintRows(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 5)));
