/**
 * AWS Step Functions Distributed Map handlers (AWS Lambda, Node.js runtime), for audits past one machine.
 *
 * `handler` is the item processor: with an S3 item reader (s3:listObjectsV2) and an item batcher, each child
 * execution gets `{ "Items": [ { "Key", "Etag", "Size", "LastModified", "StorageClass" }, … ], "BatchInput": {…} }`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html, read 2026-12-03). The
 * bucket is not in the items, so the state machine passes it as `BatchInput.bucket` (or the function has the
 * AUDIT_BUCKET variable). It audits each object of the batch and returns the batch's partial report.
 * `mergeHandler` is the reducer: it merges the partial reports, given either as the Map state's output (an array)
 * or as the ResultWriter's manifest in S3 (`{ "ResultWriterDetails": { "Bucket", "Key" } }`).
 * The Node.js Lambda runtime provides @aws-sdk/client-s3. Example: examples/audit/state-machine.asl.json.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { createPreflight } from '../preflight.js';
import { Auditor } from './audit.js';
import { LOG_FILE_PATTERN, readLogSource } from './read.js';
import { isAuditReport, mergeReports, REPORT_SCHEMA, type AuditReport } from './report.js';

export interface BatchItem {
  Key: string;
  Etag?: string;
  Size?: number;
  LastModified?: string | number;
  StorageClass?: string;
}

export interface DistributedMapBatch {
  Items: BatchItem[];
  BatchInput?: { bucket?: string };
}

export interface HandlerOptions {
  s3?: S3Client;
  /** The bucket when BatchInput has none (default: the AUDIT_BUCKET variable). */
  bucket?: string;
}

let defaultClient: S3Client | undefined;
const clientOf = (o: HandlerOptions): S3Client => o.s3 ?? (defaultClient ??= new S3Client({}));

async function* bodyOf(s3: S3Client, bucket: string, key: string): AsyncGenerator<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  for await (const chunk of out.Body as Readable) yield chunk as Buffer;
}

/** The item processor of a Distributed Map: audits a batch of S3 objects, returns its partial report. */
export function createAuditHandler(options: HandlerOptions = {}): (event: DistributedMapBatch) => Promise<AuditReport> {
  return async (event) => {
    if (!event || !Array.isArray(event.Items)) throw new Error('expected a Distributed Map batch: { "Items": [ { "Key": … } ], "BatchInput": { "bucket": … } }');
    const bucket = event.BatchInput?.bucket ?? options.bucket ?? process.env['AUDIT_BUCKET'];
    if (!bucket) throw new Error('no bucket: set BatchInput.bucket in the state machine (or AUDIT_BUCKET)');
    const s3 = clientOf(options);
    const auditor = new Auditor(createPreflight());
    for (const item of event.Items) {
      if (typeof item?.Key !== 'string' || !LOG_FILE_PATTERN.test(item.Key)) continue;
      auditor.addFile();
      for await (const logItem of readLogSource(`s3://${bucket}/${item.Key}`, () => bodyOf(s3, bucket, item.Key), { onBytes: (n) => auditor.addBytes(n) })) auditor.add(logItem);
    }
    return auditor.result();
  };
}

export const handler = createAuditHandler();

/** What the reducer step gets: the Map state's output, or the location of its ResultWriter manifest. */
export type MergeEvent = unknown[] | { ResultWriterDetails: { Bucket: string; Key: string } };

/** The reducer: one report from the partial reports of every batch. */
export function createMergeHandler(options: HandlerOptions = {}): (event: MergeEvent) => Promise<AuditReport> {
  return async (event) => {
    const parts = Array.isArray(event) ? event : await partsFromManifest(clientOf(options), event.ResultWriterDetails);
    return mergeReports(parts.map(asReport));
  };
}

export const mergeHandler = createMergeHandler();

async function textOf(s3: S3Client, bucket: string, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of bodyOf(s3, bucket, key)) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** The ResultWriter manifest lists result files; each holds the child executions, whose Output is a report. */
async function partsFromManifest(s3: S3Client, where: { Bucket: string; Key: string }): Promise<unknown[]> {
  const manifest = JSON.parse(await textOf(s3, where.Bucket, where.Key)) as { ResultFiles?: { SUCCEEDED?: Array<{ Key: string }>; FAILED?: unknown[] } };
  const failed = manifest.ResultFiles?.FAILED?.length ?? 0;
  if (failed > 0) throw new Error(`${failed} result files of failed batches: the merged report would miss their records`);
  const parts: unknown[] = [];
  for (const f of manifest.ResultFiles?.SUCCEEDED ?? []) {
    const executions = JSON.parse(await textOf(s3, where.Bucket, f.Key)) as Array<{ Output?: string }>;
    for (const e of executions) if (typeof e.Output === 'string') parts.push(JSON.parse(e.Output));
  }
  return parts;
}

function asReport(v: unknown): AuditReport {
  // A Lambda task state's output may keep the invocation's envelope ({ Payload: … }).
  const r = (v as { Payload?: unknown } | null)?.Payload ?? v;
  if ((r as Partial<AuditReport> | null)?.schema !== REPORT_SCHEMA) throw new Error('a partial result is not an audit report');
  if (!isAuditReport(r)) throw new Error('a partial result is not an audit report as the handler returns it (schemas/audit-report.schema.json)');
  return r;
}
