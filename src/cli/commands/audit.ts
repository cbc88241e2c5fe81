/**
 * `audit <paths…|->`: replays recorded Bedrock model invocation logs through the checker (as sent to
 * bedrock-runtime, and as they would be sent to bedrock-mantle) and prints the aggregated report.
 * `audit merge <reports…>`: merges `audit --format json` reports of shards into the report of one run.
 */
import { statSync, type Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { isPreflightInputError, PreflightInputError } from '../../errors.js';
import { json, usage, type Command, type Context } from '../command.js';
import { formatByteSize, readInputFileSync } from '../../input/read.js';
import { redact, remembered, sanitize } from '../../redact.js';
import { listLogFiles, specialFileKind, unreadableReason } from '../../audit/read.js';
import { auditFiles, type Progress } from '../../audit/run.js';
import { cleanReport, isAuditReport, mergeReports, type AuditReport } from '../../audit/report.js';
import { formatAuditMarkdown, formatAuditSarif, formatAuditText } from '../../audit/format.js';
import { formatAuditHtml } from '../../audit/html.js';

const SUMMARY = 'audit recorded model invocation logs: what fails today and what could move to bedrock-mantle';
const Workers = z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,2}$/)), z.transform(Number));
/** Each worker thread holds its own compiled knowledge (about 50 MB): four keep the peak RSS near 256 MB. */
const DEFAULT_MAX_WORKERS = 4;
/** Problems that mean part of a file could not be read at all (exit 2, as lint does for unreadable files). */
const UNREADABLE = ['read-failed', 'gzip-truncated', 'gzip-invalid', 'gzip-too-large', 'document-too-large'];
/** The largest report `audit merge` reads: a report is counts and a few examples, some KiB to a few MiB. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export const auditCommand: Command = {
  summary: SUMMARY,
  usage: `bedrock-preflight audit <file|dir|-…> [options]
       bedrock-preflight audit merge <report.json…> [--format …]

  Reads Amazon Bedrock model invocation log records: JSON Lines or JSON, gzip-compressed or not, folders (such as
  the S3 delivery prefix AWSLogs/<account>/BedrockModelInvocationLogs/…, searched for *.json, *.jsonl, *.ndjson,
  *.gz, *.log, *.txt) and CloudWatch Logs exports. Each request is rebuilt and checked on bedrock-runtime, where it
  was sent, and as it would be sent to bedrock-mantle. Records whose body was delivered to S3 separately are counted
  as not audited; a line that is not a record is a problem at its file and line, and the rest goes on.
  "audit merge" merges reports made with --format json (e.g. one per shard) into the report of one run.

  --workers N      worker threads across files (default: the number of CPUs, at most 4; each adds about 50 MB)
  --quiet          no progress bar (there is none when stderr is not a terminal)
  --format text|json|md|html|sarif   (json: schemas/audit-report.schema.json)

Exit codes: 2 a file could not be read (or a gzip stream ends early or inflates past its bound), after reporting every file; else 1 for an
error finding on a logged request or a line that is not a record; else 0.`,
  examples: [
    'bedrock-preflight audit ./logs/AWSLogs/111122223333/BedrockModelInvocationLogs/',
    'bedrock-preflight audit ./logs --format html > audit.html',
    'bedrock-preflight audit merge shard-1.json shard-2.json --format md',
  ],
  options: { workers: { type: 'string' }, quiet: { type: 'boolean' } },
  formats: ['text', 'json', 'md', 'html', 'sarif'],
  async run(ctx) {
    const [first, ...rest] = ctx.positionals;
    if (first === undefined) throw usage('audit needs at least one file, folder or - (or: audit merge <reports…>)');
    if (first === 'merge' && rest.length === 0) throw usage('audit merge needs at least one report made with audit --format json');
    const report = first === 'merge' ? mergeReports(rest.map(readReport)) : await auditPaths(ctx, ctx.positionals);
    print(ctx, report);
    if (ctx.format !== 'text') {
      for (const code of UNREADABLE) {
        const t = report.records.problems[code];
        for (const e of t?.examples ?? []) ctx.io.stderr(`bedrock-preflight: ${sanitize(`${e.file}:${e.line}: ${e.detail ?? code}`)}\n`);
        if (t && t.count > t.examples.length) ctx.io.stderr(`bedrock-preflight: and ${t.count - t.examples.length} more ${code} (counted in the report, not named)\n`);
      }
    }
    return exitCodeOfAudit(report);
  },
};

async function auditPaths(ctx: Context, paths: string[]): Promise<AuditReport> {
  for (const p of paths) checkLogPath(p);
  const files = listLogFiles(paths);
  if (files.length === 0) throw usage(`no log files under ${paths.join(' ')}`);
  let workers = Math.max(1, Math.min(availableParallelism(), DEFAULT_MAX_WORKERS));
  if (ctx.values['workers'] !== undefined) {
    const w = Workers.safeParse(ctx.values['workers']);
    if (!w.success) throw usage(`--workers takes a whole number from 1 to 999, not "${String(ctx.values['workers'])}"`);
    workers = w.data;
  }
  const showProgress = ctx.values['quiet'] !== true && process.stderr.isTTY === true;
  const bar = showProgress ? progressBar(files) : undefined;
  const workerFile = join(dirname(fileURLToPath(import.meta.url)), 'audit-worker.cjs');
  const report = await auditFiles(files, { workers, workerFile, ...(bar ? { onProgress: bar.update } : {}) });
  bar?.done();
  return report;
}

/**
 * A path named on the command line that does not exist, or is a named pipe, a socket or a device (reading a pipe
 * with no writer waits for ever): one line and exit 2, before any work.
 */
function checkLogPath(p: string): void {
  if (p === '-') return;
  let st: Stats;
  try {
    st = statSync(p);
  } catch (e) {
    throw new PreflightInputError('E_INPUT_READ', `cannot read file: ${unreadableReason(e as NodeJS.ErrnoException)}`, { file: p });
  }
  const kind = specialFileKind(st);
  if (kind !== undefined) throw new PreflightInputError('E_INPUT_READ', `cannot read file: it is ${kind}; give a regular file, a folder, or - to read stdin`, { file: p });
}

/** Every string of the report comes from log records or from reports given to merge: cleaned before it is shown. */
function print(ctx: Context, raw: AuditReport): void {
  const { format, io, color } = ctx;
  const report = cleanReport(raw, remembered(format === 'json' ? redact : sanitize));
  if (format === 'json') io.stdout(json(report));
  else if (format === 'md') io.stdout(formatAuditMarkdown(report));
  else if (format === 'html') io.stdout(formatAuditHtml(report));
  else if (format === 'sarif') io.stdout(formatAuditSarif(report));
  // Cut to the terminal's width only on a terminal: piped or redirected text keeps its whole lines.
  else io.stdout(formatAuditText(report, { color, width: io.isTTY ? io.columns : undefined }));
}

export function exitCodeOfAudit(r: AuditReport): number {
  if (UNREADABLE.some((code) => (r.records.problems[code]?.count ?? 0) > 0)) return 2;
  const errors = Object.values(r.today.findings).some((f) => f.severity === 'error' && f.count > 0);
  return errors || Object.keys(r.records.problems).length > 0 ? 1 : 0;
}

/** A report made by audit --format json: at most MAX_REPORT_BYTES, checked against its JSON Schema. */
function readReport(file: string): AuditReport {
  let value: unknown;
  try {
    value = JSON.parse(readInputFileSync(file, { maxBytes: MAX_REPORT_BYTES }).text);
  } catch (e) {
    if (isPreflightInputError(e) && e.code !== 'E_INPUT_PARSE') throw e; // cannot be read, or too large
    throw new PreflightInputError('E_INPUT_PARSE', 'cannot read an audit report (as "audit --format json" prints): it is not JSON text', { file });
  }
  if (!isAuditReport(value)) {
    const e = isAuditReport.errors?.[0];
    const at = sanitize(e?.instancePath || '/').slice(0, 200);
    throw new PreflightInputError('E_INPUT_SHAPE', `not an audit report as "audit --format json" prints (${formatByteSize(MAX_REPORT_BYTES)} at most): at ${at}: ${e?.message ?? 'invalid'}`, { file });
  }
  return value;
}

/** A one-line progress bar on stderr: records, records/s, bytes read of the total, ETA. */
function progressBar(files: readonly string[]): { update: (p: Progress) => void; done: () => void } {
  const total = files.reduce((a, f) => a + (f === '-' ? 0 : sizeOf(f)), 0);
  const start = Date.now();
  let records = 0;
  let bytes = 0;
  let last = 0;
  const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
  return {
    update(p) {
      records += p.records;
      bytes += p.bytes;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max((now - start) / 1000, 0.001);
      const eta = total > 0 && bytes > 0 ? Math.max(0, Math.round(((total - bytes) / bytes) * secs)) : undefined;
      const line = `${records.toLocaleString('en-US')} records, ${Math.round(records / secs).toLocaleString('en-US')}/s, ${mb(bytes)}${total > 0 ? ` of ${mb(total)}` : ''}${eta !== undefined ? `, ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}` : ''}`;
      process.stderr.write(`\r\x1b[2K${line}`);
    },
    done() {
      process.stderr.write('\r\x1b[2K');
    },
  };
}

function sizeOf(f: string): number {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
}
