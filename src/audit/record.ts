/**
 * One Amazon Bedrock model invocation log record, as AWS delivers it to S3 or CloudWatch Logs.
 *
 * Record format: https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html (read
 * 2026-12-03). Each record is one JSON object with `schemaType` "ModelInvocationLog", a `schemaVersion` ("1.0"),
 * `timestamp`, `accountId`, `identity.arn` (the caller), `region`, `requestId`, `operation` (the runtime operation
 * name), `modelId` (as the caller named it: base id, inference profile id or ARN), `input` and `output`. The request
 * body is `input.inputBodyJson`; a body too large to log inline is delivered to S3 as an object of its own and the
 * record holds only its location, `input.inputBodyS3Path`. Only bedrock-runtime calls are logged.
 */
import * as z from 'zod/mini';
import type { ApiId } from '../types.js';

export const RECORD_FORMAT_SOURCE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html';
export const RECORD_FORMAT_AS_OF = '2026-12-03';

export const InvocationRecordSchema = z.looseObject({
  schemaType: z.literal('ModelInvocationLog'),
  schemaVersion: z.string(),
  timestamp: z.string(),
  accountId: z.optional(z.string()),
  identity: z.optional(z.looseObject({ arn: z.optional(z.string()) })),
  region: z.string().check(z.minLength(1)),
  requestId: z.string(),
  operation: z.string().check(z.minLength(1)),
  modelId: z.string().check(z.minLength(1)),
  input: z.looseObject({
    inputContentType: z.optional(z.string()),
    inputBodyJson: z.optional(z.unknown()),
    inputBodyS3Path: z.optional(z.string()),
    inputTokenCount: z.optional(z.number()),
  }),
  output: z.optional(z.unknown()),
  errorCode: z.optional(z.string()),
});

export type InvocationRecord = z.infer<typeof InvocationRecordSchema>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
const optional = (v: unknown, type: 'string' | 'number'): boolean => v === undefined || typeof v === type;

/**
 * The same test as InvocationRecordSchema, without building a parsed copy: the schema costs about as much as the
 * JSON.parse of a record, and nearly every record passes. A test checks that both agree.
 */
export function isInvocationRecord(v: unknown): v is InvocationRecord {
  if (!isObject(v) || v['schemaType'] !== 'ModelInvocationLog') return false;
  if (typeof v['schemaVersion'] !== 'string' || typeof v['timestamp'] !== 'string' || typeof v['requestId'] !== 'string') return false;
  if (!isText(v['region']) || !isText(v['operation']) || !isText(v['modelId']) || !optional(v['accountId'], 'string') || !optional(v['errorCode'], 'string')) return false;
  const identity = v['identity'];
  if (identity !== undefined && (!isObject(identity) || !optional(identity['arn'], 'string'))) return false;
  const input = v['input'];
  if (!isObject(input)) return false;
  return optional(input['inputContentType'], 'string') && optional(input['inputBodyS3Path'], 'string') && optional(input['inputTokenCount'], 'number');
}

/** The first problem of a value that is not a record, as one line: "at input.modelId: expected string". */
export function recordProblem(value: unknown): string | null {
  if (isInvocationRecord(value)) return null;
  const r = InvocationRecordSchema.safeParse(value);
  if (r.success) return null;
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(record)';
  const what = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code === 'invalid_value' ? `expected ${JSON.stringify(issue.values[0])}` : issue.message;
  return `not a model invocation log record: at ${where}: ${what}`;
}
