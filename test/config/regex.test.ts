/** User regular expressions: a safe subset only (no catastrophic backtracking), never run as code. */
import { describe, expect, it } from 'vitest';
import { unsafeRegexReason } from '../../src/config/regex.js';

describe('unsafeRegexReason', () => {
  it.each(['^anthropic-', '^(openai|meta)-', '^field-', 'a+b*c?', '[a-z]+(-[a-z]+)?$', '^\\d{1,3}$', '(?:ab)+', '(ab){2,5}', '[(+*)]+', '^(?<name>x)y$', '\\((a)\\)+', 'x{2}'])('accepts %s', (re) => {
    expect(unsafeRegexReason(re)).toBeUndefined();
  });

  it.each([
    ['(a+)+', /nested repetition/],
    ['(a*)*b', /nested repetition/],
    ['((ab)+c)+', /nested repetition/],
    ['(?:x+y)*', /nested repetition/],
    ['(a{1,5}){2,}', /nested repetition/],
    ['(a|aa)*', /alternatives/],
    ['(x|y)+$', /alternatives/],
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['(', /invalid regular expression/],
    ['a'.repeat(301), /longer than 300/],
  ])('rejects %s', (re, why) => {
    expect(unsafeRegexReason(re)).toMatch(why);
  });
});
