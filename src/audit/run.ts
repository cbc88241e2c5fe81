/**
 * Auditing files: each file streamed record by record into an Auditor; with workers, files are shared out to
 * worker threads (one file at a time each) and their partial reports merged, which gives the same report.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createPreflight, type Preflight } from '../preflight.js';
import { Auditor } from './audit.js';
import { readLogFile } from './read.js';
import { mergeReports, type AuditReport } from './report.js';

export interface Progress {
  records: number;
  bytes: number;
}

export interface AuditOptions {
  preflight?: Preflight;
  /** Worker threads across files (default 1: in this thread). Needs `workerFile`. */
  workers?: number;
  /** The built worker script (dist/audit-worker.cjs); without it, everything runs in this thread. */
  workerFile?: string;
  /** Called as records are read, at most every few thousand records. */
  onProgress?: (p: Progress) => void;
}

const PROGRESS_EVERY = 2048;

/** The report of one file (or stdin). onProgress gets the records and bytes read since its last call. */
export async function auditFile(file: string, preflight: Preflight, onProgress?: (p: Progress) => void): Promise<AuditReport> {
  const auditor = new Auditor(preflight);
  auditor.addFile();
  let records = 0;
  let bytes = 0;
  for await (const item of readLogFile(file, { onBytes: (n) => (bytes += n) })) {
    auditor.add(item);
    if (++records % PROGRESS_EVERY === 0) {
      onProgress?.({ records, bytes });
      auditor.addBytes(bytes);
      records = 0;
      bytes = 0;
    }
  }
  onProgress?.({ records, bytes });
  auditor.addBytes(bytes);
  return auditor.result();
}

export async function auditFiles(files: readonly string[], options: AuditOptions = {}): Promise<AuditReport> {
  const preflight = options.preflight ?? createPreflight();
  const workers = Math.min(options.workers ?? 1, files.filter((f) => f !== '-').length);
  if (workers <= 1 || options.workerFile === undefined || !existsSync(options.workerFile) || options.preflight !== undefined) {
    // Merged as each file is done: a list of every file's report would grow with the number of files.
    let report = mergeReports([]);
    for (const f of files) report = mergeReports([report, await auditFile(f, preflight, options.onProgress)]);
    return report;
  }
  return auditInWorkers(files, workers, options.workerFile, options.onProgress);
}

const WORKER_YOUNG_GENERATION_MB = 16;

async function auditInWorkers(files: readonly string[], count: number, workerFile: string, onProgress?: (p: Progress) => void): Promise<AuditReport> {
  const queue = files.filter((f) => f !== '-');
  let report = mergeReports([]);
  if (files.includes('-')) report = mergeReports([report, await auditFile('-', createPreflight(), onProgress)]);
  const runOne = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // A smaller young generation than V8's default: each worker's records are short-lived, and the garbage it
      // held between collections was much of the process's peak memory (measured by bench/audit.ts).
      const w = new Worker(workerFile, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      const next = (): void => {
        const file = queue.shift();
        if (file === undefined) void w.terminate().then(() => resolve());
        else w.postMessage(file);
      };
      w.on('message', (m: { progress?: Progress; report?: AuditReport }) => {
        if (m.progress) onProgress?.(m.progress);
        if (m.report) {
          report = mergeReports([report, m.report]);
          next();
        }
      });
      w.on('error', reject);
      next();
    });
  await Promise.all(Array.from({ length: count }, runOne));
  return report;
}
