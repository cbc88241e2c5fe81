/**
 * The header names an integration reads from a `Headers` object: every header the knowledge tests, wherever the
 * test sits (capability signals, request rules, inside `all` and `any`).
 */
import { describe, expect, it } from 'vitest';
import { headerNamesOf } from '../../src/integrations/core.js';
import { builtInKnowledge } from '../../src/index.js';
import type { Knowledge, RequestRuleDef } from '../../src/types.js';

const k: Knowledge = builtInKnowledge;

describe('headerNamesOf', () => {
  it('has the headers of the built-in capability signals and request rules, lower-cased', () => {
    const names = headerNamesOf(k);
    for (const n of ['anthropic-version', 'anthropic-beta', 'openai-project', 'authorization', 'x-api-key']) expect(names).toContain(n);
    expect(names.every((n) => n === n.toLowerCase())).toBe(true);
  });

  it('reads header tests nested in any and all', () => {
    const rule = k.requestRules[0]!;
    const nested: RequestRuleDef = { ...rule, id: 'nested-headers', when: { any: [{ all: [{ body: '/x' }, { header: 'X-One' }] }, { headerAbsent: 'X-Two' }] } };
    const names = headerNamesOf({ ...k, requestRules: [...k.requestRules, nested] });
    expect(names).toEqual(expect.arrayContaining(['x-one', 'x-two']));
  });
});
