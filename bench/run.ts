/**
 * npm run bench: every speed target of the project as a ratio against a floor measured in the same run, printed
 * next to its target with the floor named.
 *
 *   check        check of a varied stream vs JSON.stringify of the same requests (bench/check.ts)
 *   start-up     --version, --help, check <file> vs node -e "" (bench/startup.ts)
 *   lint         10,000 files, whole process, vs readdir + readFileSync + JSON.parse (bench/lint.ts)
 *   JSON Lines   a 500 MB file vs a readline stream that JSON.parses each line, and peak RSS (bench/jsonl.ts)
 *   serve        10 and 100 connections vs a plain node:http server that parses and answers {} (bench/serve.ts)
 *
 * The machine it runs on may be shared: run it several times and report the range. Generated inputs live in
 * .bench/ (git-ignored) and are kept between runs. Run: npx tsx bench/run.ts [check|start-up|lint|jsonl|serve…]
 * (all by default); BENCH_JSONL_MB sets the JSON Lines file's size (default 500).
 */
import { checkRows } from './check.js';
import { jsonlRows } from './jsonl.js';
import { lintRows } from './lint.js';
import { printRows, type Row } from './report.js';
import { serveRows } from './serve.js';
import { startupRows } from './startup.js';

const PARTS: Record<string, () => Row[] | Promise<Row[]>> = {
  check: () => checkRows(),
  'start-up': () => startupRows(),
  lint: () => lintRows(),
  jsonl: () => jsonlRows(Number(process.env['BENCH_JSONL_MB'] ?? 500)),
  serve: () => serveRows(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in PARTS));
if (unknown.length > 0) {
  console.error(`unknown part ${unknown.join(', ')}; the parts are ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
const rows: Row[] = [];
for (const [name, part] of Object.entries(PARTS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  rows.push(...(await part()));
}
printRows(`bedrock-preflight bench (node ${process.version}, ${new Date().toISOString()})`, rows);
