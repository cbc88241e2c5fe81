/**
 * `lint --format junit`: one <testsuite> per file, one <testcase> per finding (a <failure> for errors and
 * warnings; infos pass; suppressed findings are <skipped>), one passing <testcase> for a clean file, and an
 * <error> for a file that could not be linted. Text is XML-escaped and characters XML 1.0 does not allow are replaced.
 */
import { fileErrorsOf, type LintEntry, type LintResult } from '../lint/types.js';

// Characters XML 1.0 does not allow, and lone surrogates.
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML element content. */
export function xmlText(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes text for an XML attribute value (quotes, and line breaks and tabs kept as character references). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

function suite(e: LintEntry): { xml: string; tests: number; failures: number; errors: number; skipped: number } {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  for (const p of fileErrorsOf(e)) {
    errors++;
    const where = p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : '';
    cases.push(
      `    <testcase${attrs({ classname: e.file, name: `${e.file}${where}: could not be linted`, file: e.file, ...(p.line !== undefined ? { line: p.line } : {}) })}>\n` +
        `      <error${attrs({ message: p.message, type: p.code })}>${xmlText(`${e.file}${where}: ${p.message}`)}</error>\n` +
        '    </testcase>',
    );
  }
  for (const f of e.findings) {
    const head = `    <testcase${attrs({ classname: e.file, name: `${f.line}:${f.column} ${f.severity} ${f.code} (${f.subject})`, file: e.file, line: f.line })}`;
    if (f.severity === 'info') {
      cases.push(`${head}/>`);
      continue;
    }
    failures++;
    const body = [`${e.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}`, ...(f.path !== undefined ? [`path: ${f.path}`] : []), ...(f.source ? [`source: ${f.source}`] : [])].join('\n');
    cases.push(`${head}>\n      <failure${attrs({ message: f.message, type: f.severity })}>${xmlText(body)}</failure>\n    </testcase>`);
  }
  for (const f of e.suppressed ?? []) {
    const name = `${f.line}:${f.column} ${f.severity} ${f.code} (${f.subject})`;
    cases.push(`    <testcase${attrs({ classname: e.file, name, file: e.file, line: f.line })}>\n      <skipped${attrs({ message: `suppressed: ${f.suppressed.reason}` })}/>\n    </testcase>`);
  }
  if (e.skipped !== undefined) cases.push(`    <testcase${attrs({ classname: e.file, name: 'not linted', file: e.file })}>\n      <skipped${attrs({ message: e.skipped })}/>\n    </testcase>`);
  if (cases.length === 0) cases.push(`    <testcase${attrs({ classname: e.file, name: 'no problems', file: e.file })}/>`);
  const tests = cases.length;
  const skipped = (e.suppressed?.length ?? 0) + (e.skipped !== undefined ? 1 : 0);
  const xml = `  <testsuite${attrs({ name: e.file, tests, failures, errors, skipped })}>\n${cases.join('\n')}\n  </testsuite>`;
  return { xml, tests, failures, errors, skipped };
}

export function formatLintJunit(result: LintResult): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const suites = result.files.map((e) => {
    const s = suite(e);
    tests += s.tests;
    failures += s.failures;
    errors += s.errors;
    skipped += s.skipped;
    return s.xml;
  });
  const head = `<testsuites${attrs({ name: 'bedrock-preflight lint', tests, failures, errors, skipped })}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.join('\n')}${suites.length > 0 ? '\n' : ''}</testsuites>\n`;
}
