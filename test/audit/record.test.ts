/**
 * The fast record test (isInvocationRecord) and the zod schema (InvocationRecordSchema) agree on records and on
 * records with any field changed, removed or retyped; the schema's message then names the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvocationRecordSchema, isInvocationRecord, recordProblem } from '../../src/audit/record.js';
import { random, recordOf, templatesFromCases } from '../../scripts/gen-invocation-logs.js';

const templates = templatesFromCases();
const rand = random(21);
const records = templates.map((t, i) => recordOf(t, i, rand));
const FIELDS = ['schemaType', 'schemaVersion', 'timestamp', 'accountId', 'identity', 'identity.arn', 'region', 'requestId', 'operation', 'modelId', 'input', 'input.inputContentType', 'input.inputBodyS3Path', 'input.inputTokenCount', 'errorCode'];
const VALUES = [undefined, null, 0, 42, '', 'x', 'ModelInvocationLog', true, [], {}, ['a']];

function withField(record: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(record);
  const [head, tail] = path.split('.') as [string, string | undefined];
  let target: Record<string, unknown> = copy;
  if (tail !== undefined) {
    if (typeof copy[head] !== 'object' || copy[head] === null) copy[head] = {};
    target = copy[head] as Record<string, unknown>;
  }
  const key = tail ?? head;
  if (value === undefined) delete target[key];
  else target[key] = value;
  return copy;
}

describe('record validation', () => {
  it('accepts every generated record', () => {
    for (const r of records) expect(isInvocationRecord(r)).toBe(true);
  });

  it('the fast test and the schema agree on records with a field changed', () => {
    fc.assert(
      fc.property(fc.nat(records.length - 1), fc.constantFrom(...FIELDS), fc.constantFrom(...VALUES), (i, field, value) => {
        const r = withField(records[i]!, field, value);
        expect(isInvocationRecord(r)).toBe(InvocationRecordSchema.safeParse(r).success);
        if (!isInvocationRecord(r)) expect(recordProblem(r)).toMatch(/^not a model invocation log record: at /);
      }),
      { numRuns: 400 },
    );
  });
});
