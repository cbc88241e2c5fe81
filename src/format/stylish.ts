/**
 * `lint --format stylish` (the default), like ESLint's: each file with problems as a header, then one line per
 * finding `line:column  severity  message  subject`, columns aligned per file, then a summary line. Colour only
 * when asked.
 */
import { createColors } from 'picocolors';
import { fileErrorsOf, type LintCounts, type LintEntry, type LintResult } from '../lint/types.js';
import type { Severity } from '../types.js';
import { plural } from './plural.js';

export interface StylishOptions {
  color: boolean;
  /** `--max-warnings`: adds a line when there are more warnings than this. */
  maxWarnings?: number | undefined;
}

type Colors = ReturnType<typeof createColors>;

function labelColor(c: Colors, label: Severity | 'suppressed'): (t: string) => string {
  return label === 'error' ? c.red : label === 'warning' ? c.yellow : label === 'info' ? c.blue : c.dim;
}

interface Row {
  line: number;
  column: number;
  label: Severity | 'suppressed';
  message: string;
  subject: string;
}

/** The file's errors first (in JSON Lines, one per bad line); then findings and suppressed findings, together by position. */
function rowsOf(e: LintEntry): Row[] {
  const rows: Row[] = e.findings.map((f) => ({ line: f.line, column: f.column, label: f.severity, message: f.message, subject: f.subject }));
  if (e.suppressed !== undefined) {
    for (const f of e.suppressed) {
      rows.push({ line: f.line, column: f.column, label: 'suppressed', message: `${f.message} (suppressed: ${f.suppressed.reason})`, subject: f.subject });
    }
    rows.sort((a, b) => a.line - b.line || a.column - b.column);
  }
  const errors = fileErrorsOf(e).map((p): Row => ({ line: p.line ?? 0, column: p.column ?? 0, label: 'error', message: p.message, subject: p.code }));
  return errors.length > 0 ? [...errors, ...rows] : rows;
}

/** Files that were not linted because they are not requests, each with why, after the files with problems. */
function skippedLines(result: LintResult, c: Colors): string[] {
  const skipped = result.files.filter((e) => e.skipped !== undefined);
  if (skipped.length === 0) return [];
  const w = Math.max(...skipped.map((e) => e.file.length));
  const rows = skipped.map((e) => `  ${e.file.padEnd(w)}  ${c.dim(e.skipped!)}`);
  return [c.dim(`Skipped (not requests; --strict makes these errors):`), ...rows, ''];
}

export function formatLintStylish(result: LintResult, o: StylishOptions): string {
  const c = createColors(o.color);
  const out: string[] = [];
  for (const e of result.files) {
    const rows = rowsOf(e);
    if (rows.length === 0) continue;
    const where = rows.map((r) => `${r.line}:${r.column}`);
    const w = Math.max(...where.map((x) => x.length));
    const s = Math.max(...rows.map((r) => r.label.length));
    out.push(c.underline(e.file));
    rows.forEach((r, i) => {
      out.push(`  ${c.dim(where[i]!.padEnd(w))}  ${labelColor(c, r.label)(r.label.padEnd(s))}  ${r.message}${r.subject ? `  ${c.dim(r.subject)}` : ''}`);
    });
    out.push('');
  }
  out.push(...skippedLines(result, c));
  const n = result.counts;
  const summary = summaryOf(n);
  if (n.errors > 0 || n.fileErrors > 0) out.push(c.bold(c.red(`✖ ${summary}`)));
  else if (n.warnings > 0) out.push(c.bold(c.yellow(`⚠ ${summary}`)));
  else out.push(c.green(`✔ ${summary}`));
  if (o.maxWarnings !== undefined && n.warnings > o.maxWarnings) {
    out.push(c.red(`✖ too many warnings: ${n.warnings}, more than --max-warnings ${o.maxWarnings}`));
  }
  return `${out.join('\n')}\n`;
}

/** `some of N files`: `1 file` or `all 3 files` when that is every file, else `2 of 3 files`. */
function ofFiles(some: number, files: number): string {
  if (some < files) return `${some} of ${plural(files, 'file')}`;
  return files === 1 ? '1 file' : `all ${plural(files, 'file')}`;
}

/**
 * The summary line's words: `2 problems (…) in 3 files` when every file was linted; else what could not be linted
 * and what was skipped first (`1 of 3 files could not be linted; no problems`), and no "no problems" when no file
 * was linted at all.
 */
function summaryOf(n: LintCounts): string {
  const problems = n.errors + n.warnings + n.infos;
  let found = problems === 0 ? 'no problems' : `${plural(problems, 'problem')} (${plural(n.errors, 'error')}, ${plural(n.warnings, 'warning')}, ${n.infos} info)`;
  if (n.suppressed > 0) found += `; ${n.suppressed} suppressed`;
  if (n.fileErrors === 0 && n.skipped === 0) return `${found} in ${plural(n.files, 'file')}`;
  const parts: string[] = [];
  if (n.fileErrors > 0) parts.push(`${ofFiles(n.fileErrors, n.files)} could not be linted`);
  if (n.skipped > 0) parts.push(`${parts.length > 0 ? n.skipped : ofFiles(n.skipped, n.files)} skipped (not requests)`);
  const linted = n.files - n.fileErrors - n.skipped;
  if (problems > 0 || n.suppressed > 0 || linted > 0) parts.push(found);
  return parts.join('; ');
}
