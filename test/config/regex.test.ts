/** User regular expressions run in a linear-time engine (RE2 semantics); what it cannot express is refused. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { isPreflightInputError } from '../../src/errors.js';
import { compileLinearRegex, linearRegexProblem, MAX_REGEX_LENGTH, MAX_USER_PROGRAM, userRegexProblem } from '../../src/linear-regex.js';
import { runRulePack } from '../../src/testing/runner.js';

describe('linearRegexProblem', () => {
  it.each(['^anthropic-', '^(openai|meta)-', '^field-', 'a+b*c?', '[a-z]+(-[a-z]+)?$', '^\\d{1,3}$', '(?:ab)+', '(a+)+$', '(a|aa)*', '^(?<name>x)y$'])(
    'accepts %s',
    (re) => {
      expect(linearRegexProblem(re)).toBeUndefined();
    },
  );

  it.each([
    ['(a)\\1', /RE2.*invalid escape/],
    ['(?=a)', /RE2.*Perl syntax/],
    ['(?<!a)b', /RE2/],
    ['[]|(a+)+$', /RE2.*missing closing \]/],
    ['(', /RE2.*missing closing \)/],
    ['a'.repeat(MAX_REGEX_LENGTH + 1), /longer than/],
  ])('refuses %s', (re, why) => {
    expect(linearRegexProblem(re)).toMatch(why);
  });

  it('names where in the pattern the problem is', () => {
    expect(linearRegexProblem('ab(?=c)')).toMatch(/at character 3/);
  });
});

describe('compileLinearRegex', () => {
  // Each of these took seconds to minutes with a backtracking engine (issue 13, item 2).
  it.each([
    ['(a+)+$', 'a'.repeat(5000) + 'b'],
    ['a*a*a*a*b', 'a'.repeat(20000)],
    ['.*secret.*x', 'y'.repeat(100_000)],
    ['(x|xx)*z', 'x'.repeat(20000)],
  ])('runs %s in linear time', (re, input) => {
    const started = performance.now();
    expect(compileLinearRegex(re).test(input)).toBe(false);
    // Not a timing assertion on speed, a bound against a hang: backtracking would take hours here.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('searches unanchored like RegExp.test, with optional case folding', () => {
    expect(compileLinearRegex('claude').test('anthropic.claude-x')).toBe(true);
    expect(compileLinearRegex('^claude').test('anthropic.claude-x')).toBe(false);
    expect(compileLinearRegex('CLAUDE', true).test('anthropic.claude-x')).toBe(true);
    expect(compileLinearRegex('CLAUDE').test('anthropic.claude-x')).toBe(false);
  });
});

/** Eight counted repetitions of 1,000 then a digit: 85 characters, 8,000 instructions, 31 s on 100,000 characters. */
const EXPENSIVE = '[a-z]{1000}'.repeat(8) + '[0-9]';

describe('userRegexProblem: a user pattern costs a small multiple of its input', () => {
  it.each([
    ['eight [a-z]{1000}', EXPENSIVE],
    ['one [a-z]{1000}', '[a-z]{1000}'],
    ['nested repetition', '((a{10}){10}){10}'],
    ['a bounded range', 'x{0,600}'],
  ])('refuses %s, naming its size', (_, re) => {
    expect(linearRegexProblem(re)).toBeUndefined();
    expect(userRegexProblem(re)).toMatch(new RegExp(`^regular expression too large: it compiles to \\d+ instructions \\(at most ${MAX_USER_PROGRAM}`));
  });

  it.each(['^anthropic-', '[A-Za-z0-9]{32,}', '[a-z]{100}', '^.{0,200}$', '(?i)(password|secret|api[_-]?key)[ =:]', 'a?'.repeat(150), 'x'.repeat(MAX_REGEX_LENGTH)])(
    'accepts %s (any 300 characters without large counted repetition)',
    (re) => {
      expect(userRegexProblem(re)).toBeUndefined();
    },
  );

  it('the built-in knowledge’s patterns are not held to it (they run in JavaScript’s engine)', () => {
    expect(linearRegexProblem('[^A-Za-z0-9 ()\\[\\]_-]|  |^[\\s\\S]{201,}$')).toBeUndefined();
    expect(linearRegexProblem('^[\\s\\S]{1000}$')).toBeUndefined();
  });

  it('a large accepted pattern stays linear: its time on 20,000 characters is a bound, not a hang', () => {
    const re = '[a-z]{100}'.repeat(4) + '[0-9]';
    expect(userRegexProblem(re)).toBeUndefined();
    const started = performance.now();
    expect(compileLinearRegex(re).test('a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a configuration rule and a rule pack’s scope are refused at load time, at file:line:column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-regex-'));
    writeFileSync(
      join(dir, '.bedrock-preflight.yaml'),
      `rules:\n  - id: slow\n    severity: error\n    message: m\n    forbid:\n      request: { body: /input, matches: '${EXPENSIVE}' }\n`,
    );
    let message = '';
    try {
      loadConfig('.bedrock-preflight.yaml', { cwd: dir });
    } catch (e) {
      if (!isPreflightInputError(e)) throw e;
      message = e.oneLine;
    }
    expect(message).toMatch(/^\.bedrock-preflight\.yaml:6:\d+: regular expression too large: it compiles to \d+ instructions .*\(at \/rules\/0\/forbid\/request\/matches\)$/);

    const pack = mkdtempSync(join(tmpdir(), 'bp-regex-pack-'));
    writeFileSync(join(pack, 'cases.yaml'), `config: null\nscope: ['${EXPENSIVE}']\ncases:\n  - name: c\n    input: { model: m, messages: [] }\n    expect: { valid: true }\n`);
    let packMessage = '';
    try {
      runRulePack(pack, { cwd: pack });
    } catch (e) {
      if (!isPreflightInputError(e)) throw e;
      packMessage = e.oneLine;
    }
    expect(packMessage).toMatch(/^cases\.yaml:2:\d+: regular expression too large: .*\(at \/scope\/0\)$/);
  });
});
