/**
 * npm run bench (audit): the `audit` command over a generated corpus of invocation logs (scripts/gen-invocation-
 * logs.ts: gzip JSON Lines laid out as the S3 delivery prefix, under .bench/audit), against a floor that only
 * gunzips and JSON.parses the same records (in one thread, and with as many worker threads as the audit), measured
 * in the same run. Prints the throughput ratios (target ≥ 0.5 of the one-thread floor) and the audit's peak RSS
 * (target ≤ 256 MB).
 * AUDIT_BENCH_BYTES: the corpus size in uncompressed bytes (default 2 GiB); AUDIT_BENCH_WORKERS: threads (default: as
 * the CLI, the CPUs up to 4); AUDIT_BENCH_ROUNDS: measurements of each, the best kept (default 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { listLogFiles } from '../src/audit/read.js';
import { writeCorpus } from '../scripts/gen-invocation-logs.js';

const root = join(import.meta.dirname, '..');
const benchDir = join(root, '.bench');
const dir = join(benchDir, 'audit');
const bytes = Number(process.env['AUDIT_BENCH_BYTES'] ?? 2 * 1024 ** 3);
const workers = Number(process.env['AUDIT_BENCH_WORKERS'] ?? Math.min(availableParallelism(), 4));
const rounds = Number(process.env['AUDIT_BENCH_ROUNDS'] ?? 2);
const bin = join(root, 'dist', 'cli.cjs');
const MB = 1024 * 1024;
const RSS_TARGET_MB = 256;
const RATIO_TARGET = 0.5;

/** Loaded with --require into both measured processes: their peak RSS (kB) on stderr at exit. */
const PRELOAD = `process.on('exit', () => require('fs').writeSync(2, '\\nmaxRSS ' + process.resourceUsage().maxRSS + '\\n'));\n`;

/** The floor: worker threads that only gunzip the files and JSON.parse each line, one file at a time each. */
const FLOOR = `const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const { StringDecoder } = require('node:string_decoder');
async function parseFile(file) {
  let n = 0, rest = '';
  const d = new StringDecoder('utf8');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 18 }).pipe(createGunzip({ chunkSize: 1 << 18 }))) {
    const text = rest + d.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\\n'); nl !== -1; nl = text.indexOf('\\n', start)) { JSON.parse(text.slice(start, nl)); n++; start = nl + 1; }
    rest = text.slice(start);
  }
  return n;
}
if (isMainThread) {
  const count = Number(process.argv[2]);
  const queue = process.argv.slice(3);
  let records = 0;
  const one = () => new Promise((resolve, reject) => {
    const w = new Worker(__filename);
    const next = () => { const f = queue.shift(); if (f === undefined) w.terminate().then(resolve); else w.postMessage(f); };
    w.on('message', (n) => { records += n; next(); });
    w.on('error', reject);
    next();
  });
  Promise.all(Array.from({ length: count }, one)).then(() => console.log(JSON.stringify({ records })));
} else {
  parentPort.on('message', (f) => parseFile(f).then((n) => parentPort.postMessage(n)));
}
`;

async function corpus(): Promise<string[]> {
  const marker = join(dir, 'size');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== String(bytes)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    console.log(`audit bench: generating ${(bytes / MB).toFixed(0)} MB of invocation logs under .bench/audit …`);
    await writeCorpus({ dir, bytes, files: Math.max(8, Math.ceil(bytes / (128 * MB))) });
    writeFileSync(marker, String(bytes));
  }
  return listLogFiles([dir]).filter((f) => f.endsWith('.gz'));
}

/** Runs node with the RSS preload; returns the wall time, the peak RSS and stdout. */
function measure(args: string[]): { seconds: number; rssMb: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', join(benchDir, 'rss-preload.cjs'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 * MB });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rss = /maxRSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return { seconds, rssMb: rss ? Number(rss[1]) / 1024 : NaN, stdout: r.stdout };
}

async function main(): Promise<void> {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: npm run build');
  const files = await corpus();
  writeFileSync(join(benchDir, 'rss-preload.cjs'), PRELOAD);
  writeFileSync(join(benchDir, 'audit-floor.cjs'), FLOOR);
  // Interleaved, best of `rounds` each, so that both meet the same load on a shared machine.
  const floors: number[] = [];
  const singles: number[] = [];
  const audits: Array<{ seconds: number; rssMb: number }> = [];
  let records = 0;
  let audited = 0;
  for (let round = 0; round < rounds; round++) {
    const f = measure([join(benchDir, 'audit-floor.cjs'), String(workers), ...files]);
    records = (JSON.parse(f.stdout) as { records: number }).records;
    floors.push(f.seconds);
    singles.push(measure([join(benchDir, 'audit-floor.cjs'), '1', ...files]).seconds);
    const a = measure([bin, 'audit', dir, '--format', 'json', '--quiet', '--workers', String(workers)]);
    audited = (JSON.parse(a.stdout) as { records: { total: number } }).records.total;
    audits.push(a);
  }
  if (audited !== records) throw new Error(`the audit read ${audited} records, the floor ${records}`);
  const floor = Math.min(...floors);
  const single = Math.min(...singles);
  const audit = Math.min(...audits.map((a) => a.seconds));
  const rss = Math.max(...audits.map((a) => a.rssMb));
  const ratio = floor / audit;
  const mbOf = (s: number) => ((bytes / MB) / s).toFixed(0);
  console.log(`\naudit: ${records.toLocaleString('en-US')} records, ${(bytes / MB).toFixed(0)} MB uncompressed in ${files.length} gzip files, ${workers} worker threads`);
  console.log(`  floor, 1 thread                ${single.toFixed(2)} s  ${mbOf(single)} MB/s  ${Math.round(records / single).toLocaleString('en-US')} records/s`);
  console.log(`  floor, ${String(workers).padEnd(2)} threads              ${floor.toFixed(2)} s  ${mbOf(floor)} MB/s  ${Math.round(records / floor).toLocaleString('en-US')} records/s`);
  console.log(`  audit (CLI, --format json)    ${audit.toFixed(2)} s  ${mbOf(audit)} MB/s  ${Math.round(records / audit).toLocaleString('en-US')} records/s`);
  const ratio1 = single / audit;
  console.log(`  throughput ratio              ${ratio1.toFixed(2)}x of the 1-thread floor (target ≥ ${RATIO_TARGET}x): ${ratio1 >= RATIO_TARGET ? 'met' : 'NOT met'}`);
  console.log(`                                ${ratio.toFixed(2)}x of the floor with as many threads as the audit`);
  console.log(`  peak RSS of the audit         ${rss.toFixed(0)} MB (target ≤ ${RSS_TARGET_MB} MB): ${rss <= RSS_TARGET_MB ? 'met' : 'NOT met'}`);
}

await main();
