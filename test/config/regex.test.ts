/** User regular expressions run in a linear-time engine (RE2 semantics); what it cannot express is refused. */
import { describe, expect, it } from 'vitest';
import { compileLinearRegex, linearRegexProblem, MAX_REGEX_LENGTH } from '../../src/linear-regex.js';

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
