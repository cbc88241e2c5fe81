/**
 * `lint --format github`: GitHub Actions workflow commands, one annotation per finding
 * (`::error file=…,line=…,col=…,title=…::message`; warnings as ::warning, infos as ::notice) and one per file
 * that could not be linted. Escaped as the runner expects: `%`, CR and LF everywhere, plus `:` and `,` in
 * properties.
 */
import { fileErrorsOf, type LintResult } from '../lint/types.js';
import type { Severity } from '../types.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escapes the message of a workflow command. */
export const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** Escapes a property value of a workflow command. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(command: string, props: Record<string, string | number | undefined>, message: string): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command} ${p}::${escapeData(message)}`;
}

export function formatLintGithub(result: LintResult): string {
  const out: string[] = [];
  for (const e of result.files) {
    const file = e.file.replace(/\\/g, '/');
    for (const p of fileErrorsOf(e)) {
      out.push(annotation('error', { file, line: p.line, col: p.column, title: `could not be linted (${p.code})` }, p.message));
    }
    if (e.skipped !== undefined) out.push(annotation('notice', { file, title: 'not linted (not a request)' }, e.skipped));
    for (const f of e.findings) {
      out.push(annotation(COMMAND[f.severity], { file, line: f.line, col: f.column, title: `${f.code} (${f.subject})` }, f.message));
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
