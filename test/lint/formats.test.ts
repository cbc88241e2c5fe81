/**
 * lint's output formats over the generated fixture: every finding at its line and column in stylish, sarif,
 * junit and github; SARIF valid against the SARIF 2.1.0 schema (ajv); JUnit well-formed (fast-xml-parser);
 * escaping of what each format cannot carry as is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInKnowledge } from '../../src/index.js';
import { countLint, lint, type LintEntry, type LintResult } from '../../src/lint/index.js';
import { formatLintGithub } from '../../src/format/github.js';
import { formatLintJunit } from '../../src/format/junit.js';
import { formatLintSarif } from '../../src/format/sarif.js';
import { formatLintStylish } from '../../src/format/stylish.js';
import { generateFixture, type Fixture, tempDirs } from './fixtures.js';
import { configFor, expectedEntries, mappingByName, type ExpectedEntry } from './expected.js';

const temp = tempDirs();
afterAll(temp.cleanup);
let fx: Fixture;
let result: LintResult;
let expected: ExpectedEntry[];

beforeAll(() => {
  fx = generateFixture(temp.make('bp-lint-fmt-'), { count: 240, seed: 7 });
  result = lint(['.'], { cwd: fx.dir, config: configFor(fx.dir) });
  expected = expectedEntries(fx, { mapped: mappingByName });
  expect(result.files.map((e) => e.file)).toEqual(expected.map((e) => e.rel));
  expect(result.counts.fileErrors).toBeGreaterThan(5);
});

const ruleIdOfError = (code: string): string => code.replace(/^E_/, '').toLowerCase().replace(/_/g, '-');
const level = (s: string): string => (s === 'info' ? 'note' : s);

export function sarifValidator(): (log: unknown) => boolean {
  const require = createRequire(import.meta.url);
  const { $schema: _draft, id: _id, ...schema } = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;
  // The schema is draft-04 (ajv's default class speaks draft-07: `id` and `$schema` go); one pattern in it is not
  // valid with the u flag. Formats are checked here, without ajv-formats.
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
  const parses = (s: string, base?: string): boolean => {
    try {
      new URL(s, base);
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat('uri', { validate: (s: string) => parses(s) });
  ajv.addFormat('uri-reference', { validate: (s: string) => parses(s, 'file:///base/') && !/\s/.test(s) });
  ajv.addFormat('date-time', { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  const validate = ajv.compile(schema);
  return (log) => {
    const ok = validate(log);
    if (!ok) throw new Error(`invalid SARIF: ${ajv.errorsText(validate.errors)}`);
    return true;
  };
}

describe('sarif', () => {
  it('is valid SARIF 2.1.0 with one result per finding and file error, each with its region', () => {
    const log = JSON.parse(formatLintSarif(result, { cwd: fx.dir, knowledge: builtInKnowledge }));
    expect(sarifValidator()(log)).toBe(true);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'bedrock-preflight', informationUri: expect.stringMatching(/^https:\/\//) });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(fx.dir).href}/`);
    const want = expected.flatMap((e) => [
      ...(e.error ? [[e.rel, e.error.line ?? 1, e.error.column ?? 1, ruleIdOfError(e.error.code), 'error']] : []),
      ...e.findings.map((f) => [e.rel, f.line, f.column, `${f.code}/${f.subject}`, level(f.severity), f.message]),
    ]);
    const got = run.results.map((r: any) => {
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      const row = [loc.artifactLocation.uri, loc.region.startLine, loc.region.startColumn, r.ruleId, r.level];
      return r.ruleId.includes('/') ? [...row, r.message.text] : row;
    });
    expect(got).toEqual(want);
    // Rules: one per code + subject, indexed by the results, with the finding's source as help link.
    const rules = run.tool.driver.rules;
    expect(new Set(rules.map((r: any) => r.id)).size).toBe(rules.length);
    for (const r of run.results) expect(rules[r.ruleIndex].id).toBe(r.ruleId);
    const findings = result.files.flatMap((e) => e.findings);
    for (const rule of rules.filter((r: any) => r.id.includes('/'))) {
      const first = findings.find((f) => `${f.code}/${f.subject}` === rule.id)!;
      expect(rule.shortDescription.text.length).toBeGreaterThan(10);
      expect(rule.helpUri).toBe(first.source);
      expect(rule.defaultConfiguration.level).toBe(level(first.severity));
    }
    // Each result also carries its own finding's source and JSON Pointer.
    expect(run.results.filter((r: any) => r.ruleId.includes('/')).map((r: any) => r.properties)).toEqual(findings.map((f) => ({ path: f.path, source: f.source })));
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications).toHaveLength(result.counts.fileErrors);
  });

  it('encodes artifact URIs (relative, forward slashes) and stays valid for paths outside the working directory', () => {
    const dir = temp.make('bp-sarif-');
    mkdirSync(join(dir, 'a b#c'));
    writeFileSync(join(dir, 'a b#c', 'r 1%.json'), '{"url": "https://bedrock-mantle.us-east-1.api.aws/model/x/converse", "body": {"messages": []}}');
    const r = lint(['.'], { cwd: dir });
    const log = JSON.parse(formatLintSarif(r, { cwd: dir }));
    expect(sarifValidator()(log)).toBe(true);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('a%20b%23c/r%201%25.json');
    const deeper = join(dir, 'a b#c', 'deeper');
    const outside = JSON.parse(formatLintSarif(lint([join(dir, 'a b#c', 'r 1%.json')], { cwd: deeper }), { cwd: deeper }));
    expect(outside.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('../r%201%25.json');
    expect(sarifValidator()(outside)).toBe(true);
  });

  it('an empty run is valid', () => {
    const log = JSON.parse(formatLintSarif({ files: [], counts: countLint([]) }, { cwd: fx.dir }));
    expect(sarifValidator()(log)).toBe(true);
    expect(log.runs[0].results).toEqual([]);
  });
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testsuite' || name === 'testcase', parseAttributeValue: false, trimValues: false, htmlEntities: true });

describe('junit', () => {
  it('parses; one testsuite per file, one testcase per finding (failures for errors and warnings) or one passing testcase', () => {
    const xml = formatLintJunit(result);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s: any) => s.name)).toEqual(expected.map((e) => e.rel));
    let failures = 0;
    suites.forEach((s: any, i: number) => {
      const want = expected[i]!;
      const cases = s.testcase;
      const errorCases = cases.filter((c: any) => c.error);
      expect(errorCases.length).toBe(want.error ? 1 : 0);
      if (want.error) expect(errorCases[0].error.type).toBe(want.error.code);
      const findingCases = cases.filter((c: any) => !c.error);
      if (want.findings.length === 0) {
        expect(findingCases.length).toBe(want.error ? 0 : 1);
        if (!want.error) expect(findingCases[0].failure).toBeUndefined();
      } else {
        expect(findingCases.map((c: any) => [c.name, c.line, c.failure?.message])).toEqual(
          want.findings.map((f) => [`${f.line}:${f.column} ${f.severity} ${f.code} (${f.subject})`, String(f.line), f.severity === 'info' ? undefined : f.message]),
        );
      }
      const f = findingCases.filter((c: any) => c.failure).length;
      failures += f;
      expect(Number(s.failures)).toBe(f);
      expect(Number(s.errors)).toBe(want.error ? 1 : 0);
      expect(Number(s.tests)).toBe(cases.length);
    });
    expect(Number(doc.testsuites.failures)).toBe(failures);
    expect(Number(doc.testsuites.errors)).toBe(result.counts.fileErrors);
  });

  it('escapes markup, quotes and line breaks, and replaces characters XML cannot hold', () => {
    const nasty = 'a <b> & "c" \'d\' ]]> \u0001 \uD800 line\nbreak';
    const entry: LintEntry = {
      file: 'x&<y>.json',
      findings: [{ code: 'capability-unsupported', subject: 's"<', severity: 'error', message: nasty, line: 2, column: 3 }],
      error: nasty,
      errorCode: 'E_INPUT_PARSE',
    };
    const xml = formatLintJunit({ files: [entry], counts: countLint([entry]) });
    expect(XMLValidator.validate(xml)).toBe(true);
    const s = parser.parse(xml).testsuites.testsuite[0];
    expect(s.name).toBe('x&<y>.json');
    const failure = s.testcase.find((c: any) => c.failure).failure;
    expect(failure.message).toBe(nasty.replace('\u0001', '\uFFFD').replace('\uD800', '\uFFFD'));
    expect(failure['#text']).toContain('line\nbreak');
  });
});

/** Parses workflow commands back: command, properties (unescaped) and message (unescaped). */
function parseGithub(out: string): Array<{ command: string; props: Record<string, string>; message: string }> {
  const un = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(l);
      if (!m) throw new Error(`not a workflow command: ${l}`);
      const props = Object.fromEntries(m[2]!.split(',').map((p) => [p.slice(0, p.indexOf('=')), un(p.slice(p.indexOf('=') + 1))]));
      return { command: m[1]!, props, message: un(m[3]!) };
    });
}

describe('github', () => {
  it('one annotation per finding and file error, with file, line and col', () => {
    const got = parseGithub(formatLintGithub(result)).map((a) => [a.command, a.props['file'], a.props['line'], a.props['col'], a.props['title'], a.message]);
    const want = expected.flatMap((e) => [
      ...(e.error ? [['error', e.rel, e.error.line === undefined ? undefined : String(e.error.line), e.error.column === undefined ? undefined : String(e.error.column), `could not be linted (${e.error.code})`]] : []),
      ...e.findings.map((f) => [f.severity === 'info' ? 'notice' : f.severity, e.rel, String(f.line), String(f.column), `${f.code} (${f.subject})`, f.message]),
    ]);
    expect(got.map((g, i) => (want[i]!.length === 5 ? g.slice(0, 5) : g))).toEqual(want);
  });

  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    const entry: LintEntry = { file: 'a,b:c%d.json', findings: [{ code: 'x', subject: 'y:z,w', severity: 'warning', message: '100% sure\r\nnext, line: here', line: 1, column: 1 }] };
    const out = formatLintGithub({ files: [entry], counts: countLint([entry]) });
    expect(out).toBe('::warning file=a%2Cb%3Ac%25d.json,line=1,col=1,title=x (y%3Az%2Cw)::100%25 sure%0D%0Anext, line: here\n');
    expect(parseGithub(out)[0]).toEqual({ command: 'warning', props: { file: 'a,b:c%d.json', line: '1', col: '1', title: 'x (y:z,w)' }, message: '100% sure\r\nnext, line: here' });
  });
});

const ok = (file: string): LintEntry => ({ file, findings: [] });
const bad = (file: string): LintEntry => ({ file, findings: [], error: 'cannot read', errorCode: 'E_INPUT_READ' });
const skipped = (file: string): LintEntry => ({ file, findings: [], skipped: 'not a request' });

describe('stylish', () => {
  it('groups by file with line:col, severity, message and subject, then a summary; no colour unless asked', () => {
    const out = formatLintStylish(result, { color: false });
    expect(out).not.toMatch(/\u001b\[/);
    const blocks = out.trimEnd().split('\n\n');
    const summary = blocks.pop()!;
    const c = result.counts;
    expect(c.fileErrors).toBeGreaterThan(1);
    expect(c.fileErrors).toBeLessThan(c.files);
    expect(summary).toBe(`✖ ${c.fileErrors} of ${c.files} files could not be linted; ${c.errors + c.warnings + c.infos} problems (${c.errors} errors, ${c.warnings} warnings, ${c.infos} info)`);
    const wantBlocks = expected.filter((e) => e.error || e.findings.length > 0);
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(wantBlocks.map((e) => e.rel));
    blocks.forEach((b, i) => {
      const want = wantBlocks[i]!;
      const rows = b.split('\n').slice(1).map((l) => {
        const m = /^ {2}(\d+):(\d+) +(error|warning|info) +(.*) {2}(\S+)$/.exec(l);
        if (!m) throw new Error(`not a stylish row: ${JSON.stringify(l)}`);
        return [Number(m[1]), Number(m[2]), m[3], m[4]!.trimEnd(), m[5]];
      });
      const wantRows = [
        ...(want.error ? [[want.error.line ?? 0, want.error.column ?? 0, 'error', rows[0]![3], want.error.code]] : []),
        ...want.findings.map((f) => [f.line, f.column, f.severity, f.message, f.subject]),
      ];
      expect(rows).toEqual(wantRows);
    });
  });

  it('colours on request, prints a clean summary, and says when there are too many warnings', () => {
    expect(formatLintStylish(result, { color: true })).toMatch(/\u001b\[/);
    expect(formatLintStylish({ files: [{ file: 'a.json', findings: [] }], counts: countLint([{ file: 'a.json', findings: [] }]) }, { color: false })).toBe('✔ no problems in 1 file\n');
    const w: LintEntry = { file: 'w.json', findings: [{ code: 'capability-conditional', subject: 'prompt-caching', severity: 'warning', message: 'm', line: 3, column: 5 }] };
    const out = formatLintStylish({ files: [w], counts: countLint([w]) }, { color: false, maxWarnings: 0 });
    expect(out).toBe('w.json\n  3:5  warning  m  prompt-caching\n\n⚠ 1 problem (0 errors, 1 warning, 0 info) in 1 file\n✖ too many warnings: 1, more than --max-warnings 0\n');
  });

  it.each([
    ['one file that could not be linted (it said "no problems; 1 file could not be linted in 1 file")', [bad('a.json')], '✖ 1 file could not be linted'],
    ['every file could not be linted', [bad('a.json'), bad('b.json')], '✖ all 2 files could not be linted'],
    ['one of two could not be linted', [bad('a.json'), ok('b.json')], '✖ 1 of 2 files could not be linted; no problems'],
    ['one skipped', [skipped('a.json')], '✔ 1 file skipped (not requests)'],
    ['one skipped of two', [skipped('a.json'), ok('b.json')], '✔ 1 of 2 files skipped (not requests); no problems'],
    ['one could not be linted, one skipped, one linted', [bad('a.json'), skipped('b.json'), ok('c.json')], '✖ 1 of 3 files could not be linted; 1 skipped (not requests); no problems'],
  ])('summary: %s', (_, files, want) => {
    const out = formatLintStylish({ files, counts: countLint(files) }, { color: false }).trimEnd().split('\n');
    expect(out.at(-1)).toBe(want);
  });
});

describe('suppressed findings', () => {
  it('are SARIF results with a suppression, JUnit skipped testcases, stylish rows, and no GitHub annotation', () => {
    const r = lint(['.'], {
      cwd: fx.dir,
      config: configFor(fx.dir),
      applyPolicy: (findings) => ({
        findings: findings.filter((f) => f.subject !== 'structured-outputs'),
        suppressed: findings.filter((f) => f.subject === 'structured-outputs').map((f) => ({ ...f, suppressed: { reason: 'migration, ticket #12 <soon>', by: 'cfg.yaml:4' } })),
      }),
    });
    const suppressed = r.files.flatMap((e) => (e.suppressed ?? []).map((s) => [e.file, s.line, s.column]));
    expect(suppressed.length).toBeGreaterThan(10);
    expect(r.counts.suppressed).toBe(suppressed.length);

    const log = JSON.parse(formatLintSarif(r, { cwd: fx.dir, knowledge: builtInKnowledge }));
    expect(sarifValidator()(log)).toBe(true);
    const sarifSuppressed = log.runs[0].results.filter((x: any) => x.suppressions);
    expect(sarifSuppressed.map((x: any) => [x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine, x.locations[0].physicalLocation.region.startColumn])).toEqual(suppressed);
    expect(sarifSuppressed[0].suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'migration, ticket #12 <soon>', properties: { by: 'cfg.yaml:4' } }]);

    const xml = formatLintJunit(r);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    expect(Number(doc.testsuites.skipped)).toBe(suppressed.length);
    const skipped = doc.testsuites.testsuite.flatMap((s: any) => s.testcase.filter((c: any) => c.skipped !== undefined).map((c: any) => [s.name, Number(c.line), c.skipped.message]));
    expect(skipped.map((x: any[]) => x.slice(0, 2))).toEqual(suppressed.map((x) => x.slice(0, 2)));
    expect(skipped[0][2]).toBe('suppressed: migration, ticket #12 <soon>');

    expect(parseGithub(formatLintGithub(r)).some((a) => a.props['title']!.includes('structured-outputs'))).toBe(false);
    const stylish = formatLintStylish(r, { color: false });
    expect(stylish).toMatch(/\n {2}\d+:\d+ +suppressed {2}.*\(suppressed: migration, ticket #12 <soon>\) {2}structured-outputs\n/);
    expect(stylish.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`; ${suppressed.length} suppressed(; |$)`));
  });
});
