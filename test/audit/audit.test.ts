/**
 * `audit` over a generated corpus (records made from rules/cases) agrees with checking each rebuilt request one by
 * one; reports of any split merge into the report of one run; a malformed record, a truncated gzip and a body
 * delivered to S3 separately are each reported with their location.
 */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { baseModelId } from '../../src/detect/models.js';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import { Auditor, auditRequest } from '../../src/audit/audit.js';
import { displayName, listLogFiles, readLogFile, type LogItem } from '../../src/audit/read.js';
import { rebuildRuntime } from '../../src/audit/rebuild.js';
import { MAX_TEXT, mergeReports } from '../../src/audit/report.js';
import { auditFiles } from '../../src/audit/run.js';
import { formatAuditMarkdown, formatAuditText } from '../../src/audit/format.js';
import { formatAuditHtml } from '../../src/audit/html.js';
import type { InvocationRecord } from '../../src/audit/record.js';
import { random, recordOf, templatesFromCases, writeCorpus } from '../../scripts/gen-invocation-logs.js';

const preflight = createPreflight();
const tmp = mkdtempSync(join(tmpdir(), 'bp-audit-'));

async function itemsOf(file: string): Promise<LogItem[]> {
  const out: LogItem[] = [];
  for await (const item of readLogFile(file)) out.push(item);
  return out;
}

describe('audit of a generated corpus', () => {
  it('gives the same counts as checking each rebuilt request one by one', async () => {
    const dir = join(tmp, 'corpus');
    const corpus = await writeCorpus({ dir, bytes: 1_500_000, files: 3, seed: 7 });
    const report = await auditFiles(listLogFiles([dir]));

    let valid = 0;
    let invalid = 0;
    let inS3 = 0;
    const findings: Record<string, number> = {};
    const readiness: Record<string, number> = {};
    const operations = new Set<string>();
    for (const file of corpus.files) {
      for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
        if (line === '') continue;
        const record = JSON.parse(line) as InvocationRecord;
        operations.add(record.operation);
        const runtime = rebuildRuntime(preflight.knowledge, record);
        if ('notAudited' in runtime) {
          inS3 += runtime.notAudited === 'body-in-s3' ? 1 : 0;
          continue;
        }
        const today = preflight.check(runtime.envelope);
        if (today.valid) valid++;
        else invalid++;
        for (const f of today.findings) findings[`${f.code}:${f.subject}:${f.severity}`] = (findings[`${f.code}:${f.subject}:${f.severity}`] ?? 0) + 1;
        const v = auditRequest(preflight, record, runtime);
        readiness[v.readiness] = (readiness[v.readiness] ?? 0) + 1;
      }
    }
    expect(report.records.total).toBe(corpus.records);
    expect(report.records.files).toBe(corpus.files.length);
    expect(report.today.valid).toBe(valid);
    expect(report.today.invalid).toBe(invalid);
    expect(report.records.notAudited['body-in-s3']?.count).toBe(inS3);
    expect(Object.fromEntries(Object.entries(report.today.findings).map(([k, f]) => [k, f.count]))).toEqual(findings);
    expect(Object.fromEntries(Object.entries(report.mantle.readiness).filter(([, c]) => c.count > 0).map(([k, c]) => [k, c.count]))).toEqual(readiness);
    // Both kinds of mistakes are in the corpus, and every logged operation the cases hold.
    expect(invalid).toBeGreaterThan(0);
    expect(report.mantle.readiness.cannot.count).toBeGreaterThan(0);
    expect([...operations].sort()).toEqual([...new Set(templatesFromCases().map((t) => t.operation))].sort());
    expect(report.records.problems).toEqual({});
    // Identities are counted by role, not by session: their number does not grow with the input.
    const roles = new Set(templatesFromCases().length > 0 ? Object.keys(report.traffic.byIdentity) : []);
    expect([...roles].every((arn) => /:assumed-role\/[^/]+$/.test(arn))).toBe(true);
    expect(Object.values(report.traffic.byIdentity).reduce((a, n) => a + n, 0)).toBe(corpus.records);
  });
});

describe('merge', () => {
  const templates = templatesFromCases();
  const rand = random(3);
  const items: LogItem[] = Array.from({ length: 120 }, (_, i) => ({
    kind: 'record' as const,
    file: `f${i % 4}.jsonl`,
    line: 1 + Math.floor(i / 4),
    record: recordOf(templates[(i * 7) % templates.length]!, i, rand) as unknown as InvocationRecord,
  }));
  items.push({ kind: 'problem', file: 'f9.jsonl', line: 3, code: 'json-invalid', message: 'not JSON' });

  const reportOf = (list: readonly LogItem[], keysKept?: number) => {
    const a = new Auditor(preflight, keysKept === undefined ? {} : { keysKept });
    for (const item of list) a.add(item);
    return a.result();
  };
  const whole = reportOf(items);
  /** Splits the items as `parts` says; the shards' reports come back in any order, each as a JSON document. */
  const shardReports = (list: readonly LogItem[], parts: number[], keysKept: (shard: number) => number | undefined) => {
    const shards: LogItem[][] = [[], [], [], [], []];
    list.forEach((item, i) => shards[parts[i]!]!.push(item));
    return shards.map((s, i) => JSON.parse(JSON.stringify(reportOf(s, keysKept(i))))).reverse();
  };

  it('of the reports of any split gives the report of one run over all records', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(4), { minLength: items.length, maxLength: items.length }), (parts) => {
        expect(mergeReports(shardReports(items, parts, () => undefined))).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  describe('with few keys kept', () => {
    // Every record with its own identity and Region, and a model id of its own in one record of two: more distinct
    // keys than the maps keep.
    const distinct: LogItem[] = items.map((item, i) => {
      if (item.kind !== 'record') return item;
      const r = item.record;
      const record = { ...r, identity: { arn: `arn:aws:iam::111122223333:user/u${(i * 37) % 101}` }, region: `xx-test-${i % 9}`, ...(i % 2 === 0 ? { modelId: `${r.modelId}-m${i}` } : {}) };
      return { ...item, record };
    });
    const keep = 3;
    const capped = reportOf(distinct, keep);

    it('keeps the smallest keys in code-unit order, with exact counts, and counts the records of the others', () => {
      const records = distinct.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
      const identities = records.map((r) => r.identity!.arn!);
      const smallest = [...new Set(identities)].sort().slice(0, keep);
      expect(Object.keys(capped.traffic.byIdentity)).toEqual(smallest);
      for (const arn of smallest) expect(capped.traffic.byIdentity[arn]).toBe(identities.filter((x) => x === arn).length);
      expect(capped.otherKeys).toMatchObject({ keep, records: { '/traffic/byIdentity': records.length - smallest.reduce((a, k) => a + capped.traffic.byIdentity[k]!, 0) } });
      for (const [pointer, map] of [['/traffic/byModel', capped.traffic.byModel], ['/traffic/byRegion', capped.traffic.byRegion]] as const) {
        expect(Object.keys(map)).toHaveLength(keep);
        expect(Object.values(map).reduce((a, n) => a + n, 0) + capped.otherKeys!.records[pointer]!).toBe(records.length);
      }
    });

    it('of the reports of any split gives the report of one run, whichever shard kept fewer keys', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(4), { minLength: distinct.length, maxLength: distinct.length }), fc.nat(4), (parts, fewer) => {
          expect(mergeReports(shardReports(distinct, parts, () => keep))).toEqual(capped);
          // Shards that kept more keys (the default) merge with one that kept `keep` into the report that kept `keep`.
          expect(mergeReports(shardReports(distinct, parts, (i) => (i === fewer ? keep : undefined)))).toEqual(capped);
        }),
        { numRuns: 25 },
      );
    });

    it('shows the records under keys not kept in text, md and html (and json has them in otherKeys)', () => {
      const n = capped.otherKeys!.records['/traffic/byIdentity']!;
      expect(n).toBeGreaterThan(0);
      // The pointer, then its count: after ": " (text), " | " (md) or "</td><td>" (html).
      const line = new RegExp(`/traffic/byIdentity(?:\\W|td)+${n.toLocaleString('en-US')}\\b`);
      for (const text of [formatAuditText(capped, { width: 140 }), formatAuditMarkdown(capped), formatAuditHtml(capped)]) {
        expect(text).toMatch(/keeps its 3 smallest keys/);
        expect(text).toMatch(line);
      }
      expect(formatAuditText(whole)).not.toMatch(/smallest keys/);
    });

    it('cuts texts from records to MAX_TEXT characters, and a merge cuts nothing more', () => {
      const long = (items[0] as Extract<LogItem, { kind: 'record' }>).record;
      const a = new Auditor(preflight);
      a.add({ kind: 'record', file: 'l.jsonl', line: 1, record: { ...long, modelId: `m${'x'.repeat(5000)}`, requestId: `r${'y'.repeat(5000)}` } });
      const r = a.result();
      const [model] = Object.keys(r.traffic.byModel);
      expect(model).toHaveLength(MAX_TEXT);
      expect(model!.endsWith('…')).toBe(true);
      expect(JSON.stringify(r)).not.toMatch(/x{1000}|y{1000}/);
      expect(mergeReports([JSON.parse(JSON.stringify(r))])).toEqual(r);
    });
  });
});

describe('problems are reported with their location, and the rest goes on', () => {
  const record = (id: string, body: Record<string, unknown> | undefined, s3?: string) => ({
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: '2026-12-01T00:00:00Z',
    accountId: '111122223333',
    identity: { arn: 'arn:aws:sts::111122223333:assumed-role/app/s' },
    region: 'us-east-1',
    requestId: id,
    operation: 'Converse',
    modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    input: { inputContentType: 'application/json', ...(body ? { inputBodyJson: body } : {}), ...(s3 ? { inputBodyS3Path: s3 } : {}) },
  });
  const body = { messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 50 } };

  it('a malformed record: its file and line, with what is wrong', async () => {
    const good = JSON.stringify(record('a', body));
    const bad = JSON.stringify({ ...record('b', body), modelId: 42 });
    const file = join(tmp, 'mixed.jsonl');
    writeFileSync(file, `${good}\n${bad}\n{"schemaType":\n${good}\n`);
    const r = await auditFiles([file]);
    expect(r.records.total).toBe(2);
    const name = displayName(file);
    expect(r.records.problems['record-invalid']?.examples).toEqual([{ file: name, line: 2, detail: expect.stringContaining('modelId') }]);
    // A line that opens a JSON document and never closes it is reported where it starts.
    expect(r.records.problems['json-invalid']?.examples[0]).toMatchObject({ file: name, line: 3 });
  });

  it('a truncated gzip: the file, the line where records stop, and the bytes read', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify(record(`r${i}`, body))).join('\n');
    const gz = gzipSync(lines);
    const file = join(tmp, 'cut.json.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = await auditFiles([file]);
    const cut = r.records.problems['gzip-truncated'];
    expect(cut?.count).toBe(1);
    expect(cut?.examples[0]).toMatchObject({ file: displayName(file), line: r.records.total + 1, detail: expect.stringMatching(/ends early/) });
    expect(r.records.total).toBeGreaterThan(0);
    expect(r.records.total).toBeLessThan(400);
  });

  it('a gzip with data after it: every record before is audited, and the damage is a problem at its byte offset', async () => {
    // No newline at the end: the last line is whole all the same.
    const gz = gzipSync(Array.from({ length: 300 }, (_, i) => JSON.stringify(record(`g${i}`, body))).join('\n'));
    const file = join(tmp, 'trailing.json.gz');
    const garbage = Buffer.from('not gzip\n');
    const badMember = Buffer.from([0x1f, 0x8b, 0x63, 0, 0, 0, 0, 0, 0, 3]);
    for (const [tail, says] of [[garbage, 'data that is not gzip follows'], [badMember, 'unknown compression method']] as const) {
      writeFileSync(file, Buffer.concat([gz, tail]));
      const r = await auditFiles([file]);
      expect(r.records.total).toBe(300);
      expect(r.records.problems).toEqual({ 'gzip-invalid': { count: 1, examples: [{ file: displayName(file), line: 301, detail: expect.stringContaining(says) }] } });
      expect(r.records.problems['gzip-invalid']!.examples[0]!.detail).toContain(`at byte ${gz.length}`);
    }
    // Members one after another, then zero bytes (padding, as gzip(1) allows): all read, no problem.
    writeFileSync(file, Buffer.concat([gz, gzipSync(`\n${JSON.stringify(record('h', body))}\n`), Buffer.alloc(64)]));
    const whole = await auditFiles([file]);
    expect(whole.records.total).toBe(301);
    expect(whole.records.problems).toEqual({});
    // A trailer that does not match the data (its length, here) is a damage too.
    const wrong = Buffer.from(gz);
    wrong.writeUInt32LE(wrong.readUInt32LE(wrong.length - 4) + 1, wrong.length - 4);
    writeFileSync(file, wrong);
    expect((await auditFiles([file])).records.problems['gzip-invalid']?.examples[0]?.detail).toMatch(/incorrect length check/);
  });

  it('a body delivered to S3 separately: counted as not audited, with its record and the S3 location', async () => {
    const file = join(tmp, 'large.jsonl');
    const s3 = 's3://logs/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/data/x.json.gz';
    writeFileSync(file, `${JSON.stringify(record('big', undefined, s3))}\n${JSON.stringify(record('small', body))}\n`);
    const r = await auditFiles([file]);
    expect(r.records).toMatchObject({ total: 2, audited: 1 });
    expect(r.records.notAudited['body-in-s3']).toEqual({ count: 1, examples: [{ file: displayName(file), line: 1, requestId: 'big', detail: s3 }] });
  });

  it('reads a pretty-printed JSON array, a Logs API answer and CloudWatch export lines', async () => {
    const a = join(tmp, 'array.json');
    writeFileSync(a, JSON.stringify([record('p1', body), record('p2', body)], null, 2));
    const e = join(tmp, 'events.json');
    writeFileSync(e, JSON.stringify({ events: [{ timestamp: 1, message: JSON.stringify(record('e1', body)) }] }));
    const x = join(tmp, 'export.gz');
    writeFileSync(x, gzipSync(`2026-12-01T00:00:01.000Z ${JSON.stringify(record('x1', body))}\n`));
    const ids = async (f: string) => (await itemsOf(f)).map((i) => (i.kind === 'record' ? i.record.requestId : i.message));
    expect(await ids(a)).toEqual(['p1', 'p2']);
    expect(await ids(e)).toEqual(['e1']);
    expect(await ids(x)).toEqual(['x1']);
    expect(readdirSync(tmp).length).toBeGreaterThan(0);
  });
});

describe('model lifecycle', () => {
  it('counts the records whose model id has lifecycle dates, not the rest of its family, and nothing when none has', () => {
    const templates = templatesFromCases();
    const t = templates[0]!;
    const item = (k: number): LogItem => ({ kind: 'record', file: 'l.jsonl', line: k + 1, record: recordOf(t, k * 50, random(k)) as unknown as InvocationRecord });
    const none = structuredClone(preflight.knowledge);
    for (const f of none.models) delete f.lifecycle;
    const plain = new Auditor(createPreflight({ knowledge: none }));
    plain.add(item(0));
    expect(plain.result().lifecycle).toEqual({ known: false, models: {} });

    const knowledge = structuredClone(none);
    const family = knowledge.models.find((f) => new RegExp(f.match).test(t.modelId.replace(/^[a-z-]+\.(?=[a-z0-9-]+\.[a-z])/, '')))!;
    // Dates for another id of the record's family: the record's own model has none, so it is not counted.
    const other = { ids: ['example.model-v1:0'], legacyFrom: '2026-07-15', endOfLife: '2027-01-15', replacement: 'another model', confidence: 'inferred' as const, source: 'https://example.com/lifecycle', asOf: '2026-12-03' };
    family.lifecycle = [other];
    const notIt = new Auditor(createPreflight({ knowledge }));
    notIt.add(item(0));
    expect(notIt.result().lifecycle).toEqual({ known: true, models: {} });

    // Dates for the record's own base id: counted, with the dates.
    const entry = { ...other, ids: [baseModelId(t.modelId).base!] };
    family.lifecycle = [other, entry];
    const withLifecycle = new Auditor(createPreflight({ knowledge }));
    withLifecycle.add(item(0));
    withLifecycle.add(item(1));
    const r = withLifecycle.result().lifecycle;
    expect(r.known).toBe(true);
    expect(Object.keys(r.models)).toEqual([family.id]);
    expect(r.models[family.id]!.count).toBe(2);
    const said = r.models[family.id]!.lifecycle[entry.ids[0]!]!;
    for (const part of [entry.legacyFrom, entry.endOfLife, entry.confidence, entry.source]) expect(said).toContain(part);
  });
});

describe('bounded memory', () => {
  it('skips a line longer than the document limit with a problem at its line, and reads the lines after it', async () => {
    const file = join(tmp, 'long.jsonl');
    const record = JSON.stringify(recordOf(templatesFromCases()[0]!, 1, random(1)));
    writeFileSync(file, `${record}\n[${'1,'.repeat(600_000)}1]\n${record}\n`);
    const items: LogItem[] = [];
    for await (const item of readLogFile(file, { maxDocumentBytes: 100_000 })) items.push(item);
    expect(items.map((i) => [i.kind, i.line])).toEqual([['record', 1], ['problem', 2], ['record', 3]]);
    expect(items[1]).toMatchObject({ code: 'document-too-large', file: displayName(file) });
  });
});
