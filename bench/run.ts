/**
 * npm run bench: throughput of check (detect + evaluate + report) against json-rules-engine running the same
 * compiled rules on the same facts, the cost of check against JSON.stringify of the same request, and the CLI's
 * start-up against a bare `node -e ""`. Every figure is a ratio against a baseline measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from 'json-rules-engine';
import { Bench } from 'tinybench';
import { createPreflight } from '../dist/index.js';
import type { Knowledge } from '../src/types.js';
import { compileDetector } from '../src/detect/detect.js';
import { MIX } from './requests.js';

const preflight = createPreflight();
const detector = compileDetector(preflight.knowledge as unknown as Knowledge);
const inputs = MIX.map((m) => m.input);
const facts = inputs.map((i) => detector.detect(i).facts);
const rules = preflight.rules();
const sharedEngine = new Engine(structuredClone(rules));
const BATCH = 1000;

const perSecond = (b: Bench, name: string, perRun: number) => {
  const t = b.getTask(name)!.result as unknown as { latency: { mean: number } };
  return (1000 / t.latency.mean) * perRun;
};

async function main() {
  const results: Array<[string, string]> = [];

  const b = new Bench({ time: 1500, warmupTime: 300 });
  b.add('check (mix)', () => {
    for (let i = 0; i < BATCH; i++) preflight.check(inputs[i % inputs.length]!);
  });
  b.add('json-rules-engine (same rules, same facts)', async () => {
    for (let i = 0; i < 20; i++) await sharedEngine.run({ ...facts[i % facts.length]! });
  });
  await b.run();
  const checkRate = perSecond(b, 'check (mix)', BATCH);
  const jreRate = perSecond(b, 'json-rules-engine (same rules, same facts)', 20);
  results.push(['check, requests/s (mix of ' + inputs.length + ')', fmt(checkRate)]);
  results.push(['json-rules-engine, runs/s (same rules and facts)', fmt(jreRate)]);
  results.push(['check vs json-rules-engine', `${(checkRate / jreRate).toFixed(0)}x faster (target >= 100x)`]);

  // check of each request against JSON.stringify of that request.
  const per = new Bench({ time: 400, warmupTime: 100 });
  MIX.forEach((m, i) => {
    per.add(`check ${i}`, () => {
      for (let j = 0; j < BATCH; j++) preflight.check(inputs[i]!);
    });
    per.add(`stringify ${i}`, () => {
      for (let j = 0; j < BATCH; j++) JSON.stringify(inputs[i]!);
    });
  });
  await per.run();
  const ratios: number[] = [];
  MIX.forEach((m, i) => {
    const c = per.getTask(`check ${i}`)!.result as unknown as { latency: { mean: number } };
    const s = per.getTask(`stringify ${i}`)!.result as unknown as { latency: { mean: number } };
    const r = c.latency.mean / s.latency.mean;
    ratios.push(r);
    results.push([`  ${m.name}: check / JSON.stringify`, `${r.toFixed(2)} (${((c.latency.mean / BATCH) * 1000).toFixed(2)} µs vs ${((s.latency.mean / BATCH) * 1000).toFixed(2)} µs)`]);
  });
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  results.push(['check / JSON.stringify, median over the mix', `${median.toFixed(2)} (target <= 2)`]);

  // CLI start-up: check of one file vs a bare node.
  const dir = mkdtempSync(join(tmpdir(), 'bp-bench-'));
  const file = join(dir, 'request.json');
  writeFileSync(file, JSON.stringify(inputs[0]));
  const runs = 15;
  const time = (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      spawnSync(process.execPath, args, { stdio: 'ignore' });
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  };
  time(['-e', '']);
  const bare = time(['-e', '']);
  const cli = time([join(import.meta.dirname, '..', 'dist', 'cli.cjs'), 'check', file, '--format', 'json']);
  results.push(['start-up: node -e "" (median ms)', bare.toFixed(1)]);
  results.push(['start-up: bedrock-preflight check <file> (median ms)', cli.toFixed(1)]);
  results.push(['start-up ratio', `${(cli / bare).toFixed(2)} (target <= 1.5)`]);

  const w = Math.max(...results.map(([k]) => k.length));
  console.log(`bedrock-preflight bench (node ${process.version}, ${rules.length} rules)\n`);
  for (const [k, v] of results) console.log(`${k.padEnd(w)}  ${v}`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
await main();
