/** Text output of `test`: one line per case, a diff of expected (-) and actual (+) for failures, a summary. Pure. */
import { createColors } from 'picocolors';
import { summarizePattern, type CaseFailure, type RulePackResult } from './runner.js';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function diff(f: CaseFailure, c: ReturnType<typeof createColors>): string[] {
  const out = [`    ${c.bold(f.key)}: ${c.dim(f.message)}`];
  if (f.missing !== undefined || f.unexpected !== undefined) {
    for (const m of f.missing ?? []) out.push(c.red(`    - ${summarizePattern(m)}`) + c.dim('   (expected, not found)'));
    for (const u of f.unexpected ?? []) out.push(c.green(`    + ${u}`) + c.dim(f.key === 'findingsExclude' ? '   (excluded, but present)' : '   (not expected)'));
    return out;
  }
  if (Array.isArray(f.expected) && Array.isArray(f.actual)) {
    const [want, got] = [f.expected as unknown[], f.actual as unknown[]];
    for (const x of want) if (!got.includes(x)) out.push(c.red(`    - ${show(x)}`));
    for (const x of got) if (!want.includes(x)) out.push(c.green(`    + ${show(x)}`));
    // Same items in another order: show both lists.
    if (want.every((x) => got.includes(x)) && got.every((x) => want.includes(x))) {
      out.push(c.red(`    - ${want.map(show).join(', ')}`), c.green(`    + ${got.map(show).join(', ')}`));
    }
    return out;
  }
  if ('expected' in f) out.push(c.red(`    - ${show(f.expected)}`));
  if ('actual' in f) out.push(c.green(`    + ${show(f.actual)}`));
  return out;
}

function givenFindings(findings: readonly string[], c: ReturnType<typeof createColors>): string[] {
  if (findings.length === 0) return [c.dim('    the check gave no findings')];
  return [c.dim('    the check gave:'), ...findings.map((f) => `      ${f}`)];
}

export function formatRulePackText(r: RulePackResult, o: { color: boolean }): string {
  const c = createColors(o.color);
  const out: string[] = [];
  let file: string | undefined;
  let config: string | null = null;
  for (const x of r.results) {
    if (x.file !== file) {
      file = x.file;
      config = x.config;
      out.push(c.underline(file) + c.dim(`  (config: ${config ?? 'none'})`));
    }
    // A case that runs under another configuration than the file's first case says so.
    const own = x.config !== config ? c.dim(`  (config: ${x.config ?? 'none'})`) : '';
    if (x.ok) {
      out.push(`  ${c.green('✔')} ${x.name}${own}`);
      continue;
    }
    out.push(`  ${c.red('✖')} ${x.name}${own}  ${c.dim(`${x.file}:${x.line}:${x.column}`)}`);
    if (x.failures.some((f) => f.missing !== undefined || f.expected !== undefined)) out.push(c.dim(`    ${c.red('- expected')}  ${c.green('+ actual')}`));
    for (const f of x.failures) out.push(...diff(f, c));
    // A case whose findings were not compared one by one still shows which findings the check gave.
    if (x.findings !== undefined && !x.failures.some((f) => f.key === 'findings')) out.push(...givenFindings(x.findings, c));
  }
  out.push('');
  const summary = `${r.passed} passed, ${r.failed} failed`;
  out.push(r.failed > 0 ? c.red(`✖ ${summary}`) : c.green(`✔ ${summary}`));
  return `${out.join('\n')}\n`;
}
