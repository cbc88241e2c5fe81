/**
 * serve under load against a floor: a plain node:http server that reads the body, JSON.parses it and answers
 * `{}`, in a child process like serve itself, loaded by the same generator (autocannon) with the same mix of
 * /v1/check documents at 10 and 100 connections. Requests/s and p99 latency as ratios of the floor's, measured in
 * the same run (short rounds, floor and serve alternating). Run: npx tsx bench/serve.ts [seconds] [rounds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { median, printRows, range, ratioRow, type Row } from './report.js';

const root = join(import.meta.dirname, '..');

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

/** The floor: what any JSON-over-HTTP service must do at least (read, parse, answer), and nothing else. */
const FLOOR_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end('{}\\n');
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })));
`;

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      try {
        resolve({ child, url: (JSON.parse(out) as { url: string }).url });
      } catch {
        // incomplete
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function serveRows(seconds = 2, rounds = 3): Promise<Row[]> {
  const docs = ['mantle-messages-structured-output.json', 'runtime-converse-guardrails.json', 'mantle-chat-cross-region.json', 'runtime-invoke-claude.json'].map((f) =>
    readFileSync(join(root, 'examples', f), 'utf8'),
  );
  const requests = docs.map((body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body }));
  const floor = await start(['-e', FLOOR_SERVER]);
  const serve = await start([join(root, 'dist', 'cli.cjs'), 'serve', '--port', '0', '--format', 'json']);
  const load = (url: string, connections: number) => autocannon({ url: `${url}/v1/check`, connections, duration: seconds, requests });
  const rows: Row[] = [];
  let failures = 0;
  try {
    for (const { url } of [floor, serve]) await load(url, 10); // warm-up
    for (const connections of [10, 100]) {
      // Short rounds, floor and serve alternating (each first in turn): drift on a shared machine hits both.
      const rate: number[] = [];
      const p99: number[] = [];
      const seen: string[] = [];
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? [floor, serve] : [serve, floor];
        const [a, b] = [await load(order[0]!.url, connections), await load(order[1]!.url, connections)];
        const [f, s] = r % 2 === 0 ? [a, b] : [b, a];
        failures += s.errors + s.timeouts + s.non2xx + f.errors + f.timeouts + f.non2xx;
        rate.push(s.requests.average / f.requests.average);
        p99.push(s.latency.p99 / Math.max(f.latency.p99, 1));
        seen.push(`${Math.round(s.requests.average)}/${Math.round(f.requests.average)} req/s, p99 ${s.latency.p99}/${f.latency.p99} ms`);
      }
      rows.push([`serve, ${connections} connections, serve/floor per round`, seen.join('; ')]);
      rows.push(ratioRow(`serve, ${connections} connections: requests/s / floor's (median of ${rounds} rounds; range ${range(rate)})`, median(rate), '>=', 0.7));
      rows.push(ratioRow(`serve, ${connections} connections: p99 / floor's p99 (median; range ${range(p99)})`, median(p99), '<=', 2));
    }
  } finally {
    await stop(floor.child);
    await stop(serve.child);
  }
  rows.push(['serve: errors + timeouts + non-2xx, both servers (target 0)', String(failures)]);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printRows(`bedrock-preflight serve bench (node ${process.version})`, await serveRows(Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 3)));
