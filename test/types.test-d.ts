import { expectTypeOf, test } from 'vitest';
import { createPreflight, type CheckReport, type Finding, type Preflight, type RecommendResult } from '../src/index.js';

test('the public API is typed', () => {
  const p = createPreflight();
  expectTypeOf(p).toEqualTypeOf<Preflight>();
  expectTypeOf(p.check).parameter(0).toBeUnknown();
  expectTypeOf(p.check({})).toEqualTypeOf<CheckReport>();
  expectTypeOf<CheckReport['valid']>().toEqualTypeOf<boolean>();
  expectTypeOf<CheckReport['endpoint']>().toEqualTypeOf<'bedrock-runtime' | 'bedrock-mantle'>();
  expectTypeOf<Finding['severity']>().toEqualTypeOf<'error' | 'warning' | 'info'>();
  expectTypeOf(p.recommend({ needs: ['responses'] })).toEqualTypeOf<RecommendResult>();
  expectTypeOf<RecommendResult['endpoint']>().toEqualTypeOf<'bedrock-runtime' | 'bedrock-mantle' | null>();
});
