/**
 * JSON Lines against the floor of streaming it: `lint <file.jsonl> --format json` of the built CLI on a large
 * generated file (default 500 MB; nine in ten requests clean, one in ten with findings, one line in 10,000 not
 * JSON), against a plain script that reads the same file with a readline stream and JSON.parses each line. Whole
 * processes in the same run, output to a file; time and peak resident memory (from /usr/bin/time) of each.
 * Targets: throughput at least half the floor's; peak RSS at most 200 MB. Run: npx tsx bench/jsonl.ts [MB] [rounds]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clean, withFindings } from './requests.js';
import { median, printRows, range, ratioRow, type Row } from './report.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli.cjs');

const FLOOR = `
const { createReadStream } = require('node:fs');
const { createInterface } = require('node:readline');
(async () => {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    try { JSON.parse(line); n++; } catch {}
  }
  process.stdout.write(JSON.stringify({ lines: n }) + '\\n');
})();
`;

/** The file under .bench/ (kept between runs). */
async function bigFile(megabytes: number): Promise<string> {
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `requests-${megabytes}mb.jsonl`);
  if (existsSync(file) && statSync(file).size >= megabytes * 1e6) return file;
  const out = createWriteStream(file);
  let bytes = 0;
  for (let i = 0; bytes < megabytes * 1e6; i++) {
    const line = i % 10_000 === 5_000 ? '{"model": "broken"' : JSON.stringify(i % 10 === 9 ? withFindings(i) : clean(i));
    bytes += line.length + 1;
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return file;
}

/** Wall time and peak RSS of one process, its output going to a file (as with `> out.json`). */
function measured(args: string[]): { s: number; mb: number } {
  const out = openSync(join(root, '.bench', 'jsonl-out.json'), 'w');
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', stdio: ['ignore', out, 'pipe'], maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  closeSync(out);
  const kb = Number(/(\d+)\s*$/.exec(r.stderr)?.[1] ?? NaN);
  return { s, mb: kb / 1024 };
}

export async function jsonlRows(megabytes = 500, rounds = 1): Promise<Row[]> {
  const file = await bigFile(megabytes);
  const size = statSync(file).size / 1e6;
  const lint = [bin, 'lint', file, '--format', 'json'];
  const floor = ['-e', FLOOR, file];
  const ratios: number[] = [];
  const lintRuns: Array<{ s: number; mb: number }> = [];
  const floorRuns: Array<{ s: number; mb: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const [a, b] = r % 2 === 0 ? [measured(floor), measured(lint)] : [measured(lint), measured(floor)].reverse();
    floorRuns.push(a!);
    lintRuns.push(b!);
    ratios.push(a!.s / b!.s);
  }
  const peak = Math.max(...lintRuns.map((x) => x.mb));
  return [
    [`JSON Lines: lint of a ${size.toFixed(0)} MB file, s / peak RSS MB`, `${median(lintRuns.map((x) => x.s)).toFixed(1)} / ${peak.toFixed(0)}`],
    ['floor: readline stream + JSON.parse of each line, s / peak RSS MB', `${median(floorRuns.map((x) => x.s)).toFixed(1)} / ${Math.max(...floorRuns.map((x) => x.mb)).toFixed(0)}`],
    ratioRow(`JSON Lines: lint speed / floor's (median of ${rounds}; range ${range(ratios)})`, median(ratios), '>=', 0.5),
    [`JSON Lines: lint peak RSS (target <= 200 MB)`, `${peak.toFixed(0)} MB (${peak <= 200 ? 'met' : 'NOT met'})`],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printRows(`bedrock-preflight JSON Lines bench (node ${process.version})`, await jsonlRows(Number(process.argv[2] ?? 500), Number(process.argv[3] ?? 1)));
