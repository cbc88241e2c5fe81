/**
 * Lint throughput: files/second of lint() over 10,000 generated request files (JSON pretty and minified, YAML,
 * JSON Lines; envelopes and bare bodies given an endpoint by a config mapping), the `--format json` output built
 * but not printed, against a baseline in the same run that only reads and parses the same files with the same input
 * layer (readInputFileSync + parseInput / parseJsonLines). Target: lint at least half the baseline's speed.
 * Run: npx tsx bench/lint.ts [count]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { builtInKnowledge, createPreflight } from '../src/index.js';
import type { ResolvedConfig } from '../src/config/types.js';
import { isJsonLinesName, parseInput, parseJsonLines } from '../src/input/parse.js';
import { readInputFileSync } from '../src/input/read.js';
import { lint } from '../src/lint/index.js';
import { generateFixture } from '../test/lint/fixtures.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const ROUNDS = 7;

const dir = mkdtempSync(join(tmpdir(), 'bp-bench-lint-'));
try {
  const fx = generateFixture(dir, { count: COUNT, extras: false, perFolder: 200 });
  const paths = fx.files.map((f) => join(dir, f.rel));
  const requests = fx.files.reduce((n, f) => n + f.docs.length, 0);
  const config = {
    file: undefined,
    root: dir,
    endpoints: [
      { glob: '**/*-bare-responses-*', endpoint: 'bedrock-runtime' },
      { glob: '**/*-bare-invoke-*', endpoint: 'bedrock-runtime' },
      { glob: '**/*-bare-converse-*', endpoint: 'bedrock-mantle' },
      // JSON Lines files mix requests: their bare bodies go to runtime (so that every file can be linted).
      { glob: '**/*.jsonl', endpoint: 'bedrock-runtime' },
    ],
    severity: [],
    ignores: [],
    maxWarnings: undefined,
    knowledge: builtInKnowledge,
  } as unknown as ResolvedConfig;
  const preflight = createPreflight();

  /** Reads and parses every file with the project's input layer: what lint cannot avoid doing. */
  const baseline = (): number => {
    let docs = 0;
    for (const p of paths) {
      const { text } = readInputFileSync(p);
      if (isJsonLinesName(p)) docs += parseJsonLines(text, p).length;
      else if (parseInput(text, p).value) docs++;
    }
    return docs;
  };
  /** The same with fs.readFileSync + JSON.parse / yaml's parse, for reference. */
  const raw = (): number => {
    let docs = 0;
    for (const p of paths) {
      const text = readFileSync(p, 'utf8');
      if (p.endsWith('.jsonl')) for (const l of text.split('\n')) docs += l.trim() === '' ? 0 : (JSON.parse(l), 1);
      else docs += (p.endsWith('.json') ? JSON.parse(text.replace(/^\uFEFF/, '')) : parseYaml(text)) ? 1 : 0;
    }
    return docs;
  };
  let outputBytes = 0;
  const linted = (): number => {
    const result = lint([dir], { config, preflight });
    outputBytes = JSON.stringify(result.files).length + 1; // what `lint --format json` prints
    return result.files.length;
  };

  const time = (f: () => number): number => {
    const t = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  // Warm-up, then rounds in alternation; the best round of each (the least disturbed by other processes).
  linted();
  baseline();
  raw();
  const best = { lint: Infinity, baseline: Infinity, raw: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    best.baseline = Math.min(best.baseline, time(baseline));
    best.lint = Math.min(best.lint, time(linted));
    best.raw = Math.min(best.raw, time(raw));
  }
  const rate = (s: number) => Math.round(COUNT / s).toLocaleString('en-US');
  const result = lint([dir], { config, preflight });
  const findings = result.files.reduce((n, e) => n + e.findings.length, 0);
  const rows: Array<[string, string]> = [
    [`lint: ${COUNT.toLocaleString('en-US')} files (${requests.toLocaleString('en-US')} requests, ${findings.toLocaleString('en-US')} findings, JSON output ${(outputBytes / 1e6).toFixed(1)} MB), files/s`, rate(best.lint)],
    ['baseline: read + parse (input layer), files/s', rate(best.baseline)],
    ['reference: fs.readFileSync + JSON.parse / yaml parse, files/s', rate(best.raw)],
    ['lint / baseline', `${(best.baseline / best.lint).toFixed(2)} (target >= 0.5)`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`bedrock-preflight lint bench (node ${process.version}, best of ${ROUNDS} rounds)\n`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  if (result.counts.fileErrors > 0) console.log(`\nwarning: ${result.counts.fileErrors} files could not be linted`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
