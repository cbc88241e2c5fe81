/**
 * `audit`'s text summary: counts read as English (one record, one file, one problem), and lines are cut with "…"
 * only to the width of a terminal; without a width (a pipe or a file) every line is whole.
 */
import { describe, expect, it } from 'vitest';
import { formatAuditText, formatAuditMarkdown } from '../../src/audit/format.js';
import { emptyReport, type AuditReport } from '../../src/audit/report.js';

const detail = `unexpected token ${'x'.repeat(200)} at the end of the record`;

function oneProblem(): AuditReport {
  const r = emptyReport();
  r.records.total = 1;
  r.records.files = 1;
  r.records.problems['E_INPUT_PARSE'] = { count: 1, examples: [{ file: 'logs/a.json', line: 1, detail }] };
  return r;
}

describe('audit text', () => {
  it('says "1 record in 1 file … 1 problem", and plurals for other counts', () => {
    expect(formatAuditText(oneProblem()).split('\n')[0]).toBe('Audit of 1 record in 1 file: 0 audited, 0 not audited, 1 problem');
    expect(formatAuditMarkdown(oneProblem())).toContain('1 record in 1 file; ');
    const r = oneProblem();
    r.records.total = 1200;
    r.records.files = 2;
    r.records.problems['E_INPUT_PARSE']!.count = 3;
    expect(formatAuditText(r).split('\n')[0]).toBe('Audit of 1,200 records in 2 files: 0 audited, 0 not audited, 3 problems');
  });

  it('keeps long lines whole without a width, and cuts them with … to a terminal width', () => {
    const whole = formatAuditText(oneProblem());
    expect(whole).toContain(detail);
    expect(whole).not.toContain('…');
    const cut = formatAuditText(oneProblem(), { width: 80 }).split('\n');
    expect(cut.some((l) => l.length === 80 && l.endsWith('…'))).toBe(true);
    expect(Math.max(...cut.map((l) => l.length))).toBeLessThanOrEqual(80);
  });
});
