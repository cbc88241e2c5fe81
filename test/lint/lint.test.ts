/**
 * lint as a library: a few hundred generated JSON / YAML / JSON Lines files with known offending keys, every
 * finding at the line and column the emitters recorded; file errors; paths, globs and order; policy; exit codes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import type { ResolvedConfig, SuppressedFinding } from '../../src/config/types.js';
import { exitCodeOfLint, lint, type LintEntry, type LintResult } from '../../src/lint/index.js';
import { expectedPosition, generateFixture, TEMPLATES, type Fixture, tempDirs } from './fixtures.js';
import { configFor, effectiveEndpoint, expectedEntries, mappingByName, type ExpectedEntry } from './expected.js';

const temp = tempDirs();
afterAll(temp.cleanup);
let fx: Fixture;
let config: ResolvedConfig;

beforeAll(() => {
  fx = generateFixture(temp.make('bp-lint-'), { count: 300 });
  config = configFor(fx.dir);
});

/** Asserts that lint's entries are exactly the expected ones, file by file. */
function assertMatches(result: LintResult, expected: ExpectedEntry[], name: (rel: string) => string): void {
  expect(result.files.map((e) => e.file)).toEqual(expected.map((e) => name(e.rel)));
  result.files.forEach((entry, i) => {
    const want = expected[i]!;
    expect(entry.findings, entry.file).toEqual(want.findings);
    if (want.error) {
      expect(entry.errorCode, entry.file).toBe(want.error.code);
      if (want.error.line !== undefined) expect(entry.errorLine, entry.file).toBe(want.error.line);
      if (want.error.column !== undefined) expect(entry.errorColumn, entry.file).toBe(want.error.column);
      expect(typeof entry.error).toBe('string');
    } else {
      expect(entry.error, `${entry.file}: ${entry.error}`).toBeUndefined();
    }
  });
}

describe('lint: positions of every finding', () => {
  it('places every finding at its key, in JSON (pretty, minified, tabs + CRLF + BOM), YAML and JSON Lines', () => {
    const result = lint(['.'], { cwd: fx.dir, config });
    const expected = expectedEntries(fx, { mapped: mappingByName });
    assertMatches(result, expected, (rel) => rel);
    // Something to check in every variant, and the counts add up.
    const variants = new Set(fx.files.filter((f) => f.variant !== 'broken').map((f) => f.variant));
    expect([...variants].sort()).toEqual(['json-min', 'json-pretty', 'json-tabs-crlf-bom', 'jsonl', 'yaml', 'yaml-crlf']);
    const all = result.files.flatMap((e) => e.findings);
    expect(all.length).toBeGreaterThan(500);
    expect(result.counts).toMatchObject({
      files: fx.files.length,
      errors: all.filter((f) => f.severity === 'error').length,
      warnings: all.filter((f) => f.severity === 'warning').length,
      infos: all.filter((f) => f.severity === 'info').length,
      fileErrors: result.files.filter((e) => e.error !== undefined).length,
    });
  });

  it('reports each planted offending key with its code, subject and severity at the recorded line and column', () => {
    const result = lint(['.'], { cwd: fx.dir, config });
    const byFile = new Map(result.files.map((e) => [e.file, e]));
    let checked = 0;
    for (const f of fx.files) {
      for (const d of f.docs) {
        const p = d.template.planted;
        const own = d.template.endpoint;
        if (!p || (own !== undefined && effectiveEndpoint(f, d.value, { mapped: mappingByName }) !== own)) continue;
        const at = d.keys.get(p.path)!;
        expect(at, `${f.rel} ${p.path}`).toBeDefined();
        expect(byFile.get(f.rel)!.findings, f.rel).toContainEqual(expect.objectContaining({ code: p.code, subject: p.subject, severity: p.severity, path: p.path, line: at.line, column: at.column }));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('a hand-checked file: the key of output_config.format, and the request line in JSON Lines', () => {
    const dir = temp.make('bp-lint-hand-');
    writeFileSync(
      join(dir, 'a.json'),
      '{\n  "url": "https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages",\n  "body": {\n    "model": "anthropic.claude-haiku-4-5", "max_tokens": 9,\n    "messages": [],\n      "output_config": {"format": {"type": "json_schema"}}\n  }\n}\n',
    );
    writeFileSync(join(dir, 'b.yaml'), 'url: https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages\nbody:\n  model: anthropic.claude-haiku-4-5\n  max_tokens: 9\n  messages: []\n  output_config:\n     format: {type: json_schema}\n');
    writeFileSync(
      join(dir, 'c.jsonl'),
      '\n{"url": "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse", "body": {"messages": [], "inferenceConfig": {"maxTokens": 5}}}\n{"url":"https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages","body":{"model":"anthropic.claude-haiku-4-5","max_tokens":9,"messages":[],"output_config":{"format":{}}}}\n',
    );
    const r = lint(['.'], { cwd: dir });
    const at = (file: string) => r.files.find((e) => e.file === file)!.findings.filter((f) => f.subject === 'structured-outputs').map((f) => [f.line, f.column]);
    expect(at('a.json')).toEqual([[6, 25]]);
    expect(at('b.yaml')).toEqual([[7, 6]]);
    expect(at('c.jsonl')).toEqual([[3, 164]]);
  });
});

describe('lint: files that cannot be linted', () => {
  it('reports read, parse, shape and endpoint problems in the entry and goes on with the other files', () => {
    const result = lint(['.'], { cwd: fx.dir, config });
    const err = (file: string): LintEntry => result.files.find((e) => e.file === file)!;
    expect(err('broken/trailing-comma.json')).toMatchObject({ errorCode: 'E_INPUT_PARSE', errorLine: 3, findings: [] });
    expect(err('broken/trailing-comma.json').error).toMatch(/trailing comma/);
    expect(err('broken/empty.json')).toMatchObject({ errorCode: 'E_INPUT_PARSE', errorLine: 1, errorColumn: 1, error: expect.stringMatching(/^empty input/) });
    expect(err('broken/binary.json')).toMatchObject({ errorCode: 'E_INPUT_PARSE', error: expect.stringMatching(/binary data/) });
    expect(err('broken/array.json')).toMatchObject({ errorCode: 'E_INPUT_SHAPE' });
    expect(err('broken/duplicate-key.json')).toMatchObject({ errorCode: 'E_INPUT_PARSE', errorLine: 2, errorColumn: 2, error: expect.stringMatching(/duplicate key "url"/) });
    expect(err('broken/unknown-host.json')).toMatchObject({ errorCode: 'E_UNKNOWN_ENDPOINT', errorLine: 2, errorColumn: 3, error: expect.stringMatching(/proxy\.example\.com.*--endpoint/) });
    // JSON Lines: the good lines are linted, the bad line is the file's error.
    const jl = err('broken/some-bad-lines.jsonl');
    expect(jl).toMatchObject({ errorCode: 'E_INPUT_PARSE', errorLine: 3 });
    expect(new Set(jl.findings.map((f) => f.line))).toEqual(new Set([1, 2]));
    expect(exitCodeOfLint(result)).toBe(2);
  });

  it('a bare body without --endpoint or a mapping is a file error phrased like check, at the start of the document', () => {
    const result = lint(['.'], { cwd: fx.dir });
    assertMatches(result, expectedEntries(fx, {}), (rel) => rel);
    const bare = result.files.find((e) => /req-\d+-bare-[a-z-]+\.json$/.test(e.file))!;
    expect(bare).toMatchObject({ errorCode: 'E_UNKNOWN_ENDPOINT', errorLine: 1, errorColumn: 1 });
    expect(bare.error).toMatch(/^a bare request body does not say its endpoint; pass --endpoint runtime or --endpoint mantle/);
  });

  it('--endpoint applies to every request (as in check), also to an envelope whose host it would not know', () => {
    const result = lint(['.'], { cwd: fx.dir, endpoint: 'mantle' });
    assertMatches(result, expectedEntries(fx, { endpoint: 'bedrock-mantle' }), (rel) => rel);
    expect(result.files.find((e) => e.file === 'broken/unknown-host.json')!.error).toBeUndefined();
  });

  it('the mapping also gives an endpoint to an envelope whose URL host names none', () => {
    const c = configFor(fx.dir, [{ glob: 'broken/unknown-*.json', endpoint: 'bedrock-mantle' }]);
    const e = lint(['broken/unknown-host.json'], { cwd: fx.dir, config: c }).files[0]!;
    expect(e.error).toBeUndefined();
  });

  it('a mapping of ** gives every file its endpoint; limits make oversized files errors', () => {
    const bare = fx.files.find((f) => f.variant === 'json-pretty' && f.docs[0]!.template.name === 'bare-converse-guardrails')!.rel;
    const c = configFor(fx.dir, [{ glob: '**', endpoint: 'bedrock-mantle' }]);
    expect(lint([bare], { cwd: fx.dir, config: c }).files[0]).toMatchObject({ findings: expect.arrayContaining([expect.objectContaining({ subject: 'guardrails' })]) });
    expect(lint([bare], { cwd: fx.dir }).files[0]!.errorCode).toBe('E_UNKNOWN_ENDPOINT');
    const big = lint([bare], { cwd: fx.dir, config: c, limits: { maxBytes: 20 } }).files[0]!;
    expect(big).toMatchObject({ errorCode: 'E_INPUT_LIMIT', findings: [] });
  });

  it('bad options are thrown, not reported per file', () => {
    expect(() => lint(['.'], { cwd: fx.dir, endpoint: 'bedrock' })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_ID' }));
    expect(() => lint(['.'], { cwd: fx.dir, api: 'completions' })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_ID' }));
  });
});

describe('lint: paths, globs and order', () => {
  it('walks directories for request files only, skipping node_modules and dot-folders, sorted by path', () => {
    const result = lint(['.'], { cwd: fx.dir, config });
    const files = result.files.map((e) => e.file);
    expect(files).toEqual([...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const s of fx.skipped) expect(files).not.toContain(s);
    expect(files.length).toBe(fx.files.length);
  });

  it('keeps paths as given (a directory joined with the file inside it), and globs relative to the working directory', () => {
    const parent = join(fx.dir, '..');
    const name = relative(parent, fx.dir);
    const viaDir = lint([name], { cwd: parent, config });
    expect(viaDir.files[0]!.file).toBe(`${name}/${fx.files[0]!.rel}`);
    const viaGlob = lint(['group-00[0-1]/**/*.yml'], { cwd: fx.dir, config });
    expect(viaGlob.files.length).toBeGreaterThan(0);
    expect(viaGlob.files.map((e) => e.file)).toEqual(fx.files.filter((f) => /^group-00[01]\/.*\.yml$/.test(f.rel)).map((f) => f.rel));
    const abs = join(fx.dir, fx.files[0]!.rel);
    expect(lint([abs], { config }).files[0]!.file).toBe(abs);
  });

  it('names a file once however many arguments name it; the same input gives the same output', () => {
    const rel = fx.files[5]!.rel;
    const a = lint([rel, `./${rel}`, '.', `${rel.split('/')[0]}/**/*`], { cwd: fx.dir, config });
    expect(a.files.length).toBe(fx.files.length);
    expect(JSON.stringify(a)).toBe(JSON.stringify(lint(['.'], { cwd: fx.dir, config })));
  });

  it('a missing file, a glob matching nothing and a directory without request files are errors; a file given by name is linted whatever its extension', () => {
    const dir = temp.make('bp-lint-paths-');
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'request.txt'), '{"url": "https://bedrock-mantle.us-east-1.api.aws/model/x/converse", "body": {"messages": []}}');
    const r = lint(['missing.json', 'nothing/**/*.json', 'empty', 'request.txt'], { cwd: dir });
    expect(r.files.map((e) => [e.file, e.errorCode])).toEqual([
      ['empty', 'E_INPUT_READ'],
      ['missing.json', 'E_INPUT_READ'],
      ['nothing/**/*.json', 'E_INPUT_READ'],
      ['request.txt', undefined],
    ]);
    expect(r.files[1]!.error).toBe('cannot read file: no such file');
    expect(r.files[3]!.findings).toContainEqual(expect.objectContaining({ code: 'api-unsupported', subject: 'converse', line: 1, column: 2 }));
  });

  it('a command-line glob runs in linear time: a pattern that backtracks for minutes in picomatch is quick', () => {
    const dir = temp.make('bp-lint-redos-');
    const long = `${'a'.repeat(40)}.json`;
    writeFileSync(join(dir, long), '{"model":"m","messages":[]}');
    const start = performance.now();
    const r = lint([`${'*a'.repeat(12)}*b.json`, `${'*a'.repeat(12)}*.json`], { cwd: dir, endpoint: 'bedrock-mantle' });
    expect(performance.now() - start).toBeLessThan(2000);
    expect(r.files.map((e) => [e.file, e.errorCode])).toEqual([
      [`${'*a'.repeat(12)}*b.json`, 'E_INPUT_READ'],
      [long, undefined],
    ]);
  });

  it('a command-line glob that cannot be matched in linear time, or too long a one, is refused with one line (exit 2)', () => {
    const dir = temp.make('bp-lint-glob-');
    for (const [glob, why] of [['!(x).json', /needs a lookaround/], [`${'a'.repeat(1100)}*`, /longer than 1024 characters/]] as const) {
      const e = (() => {
        try {
          lint([glob], { cwd: dir });
        } catch (err) {
          return err as { code?: string; message?: string };
        }
        return undefined;
      })();
      expect(e?.code, glob.slice(0, 20)).toBe('E_USAGE');
      expect(e?.message).toMatch(why);
      expect(e?.message).not.toContain('\n');
    }
  });
});

describe('lint: policy and exit codes', () => {
  it('reports suppressed findings in the entry with positions, counted apart, never dropped', () => {
    const calls: string[] = [];
    const result = lint(['.'], {
      cwd: fx.dir,
      config,
      applyPolicy: (findings, file) => {
        calls.push(file);
        const suppressed: SuppressedFinding[] = [];
        const kept = findings.filter((f) => {
          if (f.subject !== 'structured-outputs') return true;
          suppressed.push({ ...f, suppressed: { reason: 'migrating', by: '.bedrock-preflight.yaml:3' } });
          return false;
        });
        return { findings: kept.map((f) => (f.code === 'field-missing' ? { ...f, severity: 'info' as const } : f)), suppressed };
      },
    });
    expect(calls.every((f) => f.startsWith(fx.dir))).toBe(true);
    const withSuppressed = result.files.filter((e) => e.suppressed);
    expect(withSuppressed.length).toBeGreaterThan(10);
    for (const e of withSuppressed) {
      const f = fx.files.find((x) => x.rel === e.file)!;
      for (const s of e.suppressed!) {
        expect(s).toMatchObject({ subject: 'structured-outputs', suppressed: { reason: 'migrating' } });
        expect(f.docs.some((d) => expectedPosition(d, s.path).line === s.line && expectedPosition(d, s.path).column === s.column)).toBe(true);
      }
      expect(e.findings.some((x) => x.subject === 'structured-outputs')).toBe(false);
    }
    expect(result.counts.suppressed).toBe(withSuppressed.reduce((n, e) => n + e.suppressed!.length, 0));
    expect(result.files.flatMap((e) => e.findings).some((f) => f.code === 'field-missing' && f.severity !== 'info')).toBe(false);
  });

  it('exit code: 2 for a file error, else 1 for an error finding or too many warnings, else 0', () => {
    const dir = temp.make('bp-lint-exit-');
    const { files } = generateFixture(dir, { count: 12, templates: [TEMPLATES.find((t) => t.name === 'runtime-converse-clean')!], extras: false });
    expect(files.length).toBe(12);
    const clean = lint(['.'], { cwd: dir });
    expect(clean.counts).toMatchObject({ errors: 0, warnings: 0, fileErrors: 0 });
    expect(exitCodeOfLint(clean)).toBe(0);
    const warnDir = temp.make('bp-lint-warn-');
    generateFixture(warnDir, { count: 6, templates: [TEMPLATES.find((t) => t.name === 'mantle-messages-cache-control')!], extras: false });
    const warn = lint(['.'], { cwd: warnDir });
    expect(warn.counts.errors).toBe(0);
    const w = warn.counts.warnings;
    expect(w).toBeGreaterThan(0);
    expect(exitCodeOfLint(warn)).toBe(0);
    expect(exitCodeOfLint(warn, w)).toBe(0);
    expect(exitCodeOfLint(warn, w - 1)).toBe(1);
    expect(exitCodeOfLint(lint(['.'], { cwd: fx.dir, config: configFor(fx.dir) }))).toBe(2);
    expect(exitCodeOfLint({ counts: { files: 1, errors: 1, warnings: 0, infos: 0, suppressed: 0, fileErrors: 0, skipped: 0 } })).toBe(1);
  });

  it('uses the config knowledge through createPreflight and accepts a given preflight', () => {
    const r1 = lint(['broken/some-bad-lines.jsonl'], { cwd: fx.dir, preflight: createPreflight() });
    const r2 = lint(['broken/some-bad-lines.jsonl'], { cwd: fx.dir, config });
    expect(r1).toEqual(r2);
  });
});
