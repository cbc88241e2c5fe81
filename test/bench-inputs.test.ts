/**
 * The bench's inputs are what its figures say they are: "clean" requests get no finding and the others do. A model
 * that reaches its end of life turns a clean request into an error, and lint's figures would then measure a
 * different mix without a word (it happened once: Claude 3.5 Haiku).
 */
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { clean, requestMix, variedStream, withFindings } from '../bench/requests.js';

const preflight = createPreflight();

describe('bench inputs', () => {
  it('clean requests have no finding; requests with findings have some', () => {
    for (let i = 0; i < 10; i++) {
      expect(preflight.check(clean(i)).findings, `clean(${i})`).toEqual([]);
      expect(preflight.check(withFindings(i)).findings.length, `withFindings(${i})`).toBeGreaterThan(0);
    }
  });

  it('the varied stream has one invalid request in six, as its mix says', () => {
    const mix = requestMix(1, '');
    expect(mix.map((r) => preflight.check(r.input).valid)).toEqual(mix.map((r) => !r.name.includes('(invalid)')));
    const stream = variedStream(600);
    expect(stream.filter((r) => !preflight.check(r).valid).length).toBe(100);
  });
});
