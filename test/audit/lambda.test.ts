/**
 * The Distributed Map handlers with the real AWS SDK S3 client against a local S3-compatible server (s3rver,
 * in this process, on loopback): a batch event of the S3 item reader + item batcher gives the same partial report
 * as auditing the same files locally, and the reducer merges the partials (from the Map output or from a
 * ResultWriter manifest) into the report of one run. The example state machine passes an ASL validator.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import aslValidator from 'asl-validator';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditHandler, createMergeHandler } from '../../src/audit/lambda.js';
import { mergeReports, type AuditReport } from '../../src/audit/report.js';
import { auditFile } from '../../src/audit/run.js';
import { createPreflight } from '../../src/index.js';
import { writeCorpus } from '../../scripts/gen-invocation-logs.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'bp-audit-s3-'));
const BUCKET = 'invocation-logs';
let server: S3rver;
let s3: S3Client;
let files: string[] = [];
const keyOf = (file: string): string => file.slice(join(tmp, 'corpus').length + 1);

beforeAll(async () => {
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(tmp, 's3') });
  const { port } = await server.run();
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  files = (await writeCorpus({ dir: join(tmp, 'corpus'), bytes: 400_000, files: 4, seed: 11 })).files;
  for (const f of files) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(f), Body: readFileSync(f) }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

/** The event the item batcher gives a child execution: items as the S3 item reader lists them. */
const batchOf = (batch: string[]) => ({
  Items: batch.map((f) => ({ Etag: '"0"', Key: keyOf(f), LastModified: 1764547200, Size: statSync(f).size, StorageClass: 'STANDARD' })),
  BatchInput: { bucket: BUCKET },
});

describe('Distributed Map handlers', () => {
  it('audit a batch of S3 objects as the local audit of the same files does, and merge the partials', async () => {
    const audit = createAuditHandler({ s3 });
    const partA = await audit(batchOf(files.slice(0, 2)));
    const partB = await audit(batchOf(files.slice(2)));
    expect(partA.records.files).toBe(2);
    expect(partA.records.total).toBeGreaterThan(0);
    // Locally, the same objects (named by their S3 location instead of a path) give the same counts.
    const preflight = createPreflight();
    const local = mergeReports(await Promise.all(files.map((f) => auditFile(f, preflight))));
    const merged = await createMergeHandler({ s3 })([partA, { Payload: partB }]);
    const counts = (r: AuditReport) => ({ records: { ...r.records, notAudited: undefined, problems: undefined }, today: Object.fromEntries(Object.entries(r.today.findings).map(([k, f]) => [k, f.count])), readiness: Object.fromEntries(Object.entries(r.mantle.readiness).map(([k, c]) => [k, c.count])), traffic: r.traffic, shares: r.shares });
    expect(counts(merged)).toEqual(counts(local));
    expect(merged.records.notAudited['body-in-s3']?.examples[0]?.file).toMatch(new RegExp(`^s3://${BUCKET}/AWSLogs/`));
  });

  it('the reducer reads the ResultWriter manifest and the result files it lists', async () => {
    const audit = createAuditHandler({ s3 });
    const parts = [await audit(batchOf(files.slice(0, 1))), await audit(batchOf(files.slice(1)))];
    const results = parts.map((p, i) => ({ ExecutionArn: `arn:aws:states:us-east-1:111122223333:execution:m/${i}`, Input: '{}', Output: JSON.stringify(p), Status: 'SUCCEEDED' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'results/SUCCEEDED_0.json', Body: JSON.stringify(results) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'results/manifest.json', Body: JSON.stringify({ DestinationBucket: BUCKET, ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: 'results/SUCCEEDED_0.json', Size: 1 }] } }) }));
    const merged = await createMergeHandler({ s3 })({ ResultWriterDetails: { Bucket: BUCKET, Key: 'results/manifest.json' } });
    expect(merged).toEqual(mergeReports(parts));
  });

  it('a missing object is a problem of the report at its S3 location, and the batch goes on', async () => {
    const r = await createAuditHandler({ s3 })({ Items: [{ Key: 'AWSLogs/nothing-here.json.gz' }, ...batchOf(files.slice(0, 1)).Items], BatchInput: { bucket: BUCKET } });
    expect(r.records.problems['read-failed']?.examples[0]?.file).toBe(`s3://${BUCKET}/AWSLogs/nothing-here.json.gz`);
    expect(r.records.total).toBeGreaterThan(0);
  });
});

describe('examples/audit/state-machine.asl.json', () => {
  const definition = JSON.parse(readFileSync(join(root, 'examples', 'audit', 'state-machine.asl.json'), 'utf8'));

  it('is valid Amazon States Language', () => {
    const { isValid, errors } = aslValidator(definition);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('batches S3 objects into the audit function, passes the bucket, and merges in the reducer', () => {
    const map = definition.States[definition.StartAt];
    expect(map).toMatchObject({ Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2' }, ItemBatcher: { BatchInput: { 'bucket.$': '$.bucket' } } });
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(definition.States[map.Next]).toMatchObject({ Type: 'Task', Parameters: { 'Payload.$': map.ResultPath } });
  });
});
