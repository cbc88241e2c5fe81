/**
 * check against JSON.stringify of the same requests: a varied, interleaved stream (all five APIs, both endpoints,
 * small and ten-times-larger bodies, valid and invalid; no request repeated, so nothing of one request is the same
 * object or string as another's). Rounds alternate check and stringify over the whole stream; the median of each.
 * json-rules-engine running the same compiled rules on the same facts is kept as information (an async engine,
 * not a target). Run: npx tsx bench/check.ts [requests] [rounds]
 */
import { Engine } from 'json-rules-engine';
import { createPreflight } from '../dist/index.js';
import type { Knowledge } from '../src/types.js';
import { compileDetector } from '../src/detect/detect.js';
import { variedStream } from './requests.js';
import { median, printRows, range, ratioRow, type Row } from './report.js';

const seconds = (f: () => void): number => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
};

/** µs per json-rules-engine run over the given facts: one Engine, runs awaited one after another (never concurrent). */
async function engineMicros(facts: object[], rules: unknown[]): Promise<number> {
  const engine = new Engine(structuredClone(rules) as never);
  for (const f of facts.slice(0, 20)) await engine.run({ ...f }); // warm-up
  const t = process.hrtime.bigint();
  for (const f of facts) await engine.run({ ...f });
  return Number(process.hrtime.bigint() - t) / 1e3 / facts.length;
}

export async function checkRows(count = 4096, rounds = 15): Promise<Row[]> {
  const preflight = createPreflight();
  // Several streams, each used once per round by each side: no request object is seen twice in a row.
  const streams = [variedStream(count), variedStream(count).reverse()];
  const checkAll = (s: Array<Record<string, unknown>>) => () => {
    for (const r of s) preflight.check(r);
  };
  const stringifyAll = (s: Array<Record<string, unknown>>) => () => {
    for (const r of s) JSON.stringify(r);
  };
  for (const s of streams) seconds(checkAll(s)), seconds(stringifyAll(s)); // warm-up
  const ratios: number[] = [];
  const checkS: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = streams[r % streams.length]!;
    const [c, j] = r % 2 === 0 ? [seconds(checkAll(s)), seconds(stringifyAll(s))] : [seconds(stringifyAll(s)), seconds(checkAll(s))].reverse();
    ratios.push(c! / j!);
    checkS.push(c!);
  }
  const perCheck = (median(checkS) / count) * 1e6;
  const detector = compileDetector(preflight.knowledge as unknown as Knowledge);
  const facts = streams[0]!.slice(0, 200).map((r) => detector.detect(r).facts);
  const jre = await engineMicros(facts, preflight.rules());
  return [
    [`check: ${count.toLocaleString('en-US')} varied requests, µs per request`, perCheck.toFixed(1)],
    ratioRow(`check time / JSON.stringify time of the same requests (median of ${rounds}; range ${range(ratios)})`, median(ratios), '<=', 2),
    ['information: json-rules-engine (same rules and facts), µs per request', `${jre.toFixed(0)} (check is ${(jre / perCheck).toFixed(0)}x faster; not a target)`],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printRows(`bedrock-preflight check bench (node ${process.version})`, await checkRows(Number(process.argv[2] ?? 4096), Number(process.argv[3] ?? 15)));
