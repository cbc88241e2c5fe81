/**
 * The audit report as text (a terminal summary that fits a screen), Markdown and SARIF. Pure functions of the report.
 */
import pc from 'picocolors';
import { VERSION } from '../version.js';
import { noun } from '../format/plural.js';
import type { AuditReport, Counted, Example, Readiness } from './report.js';

export const READINESS_LABELS: Record<Readiness, string> = {
  asIs: 'as is',
  change: 'needs a change',
  cannot: 'cannot move',
  unknown: 'unknown',
};
export const READINESS_ORDER: readonly Readiness[] = ['asIs', 'change', 'cannot', 'unknown'];

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const num = (n: number): string => n.toLocaleString('en-US');
/** `1 record`, `1,024 records`. */
const count = (n: number, word: string): string => `${num(n)} ${noun(n, word)}`;
export const where = (e: Example): string => `${e.file}:${e.line}${e.requestId ? ` (${e.requestId})` : ''}`;

/** The entries of a count map, largest first (ties by key), at most n. */
export function top(map: Record<string, number>, n: number): Array<[string, number]> {
  return Object.entries(map)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

/** ", and 4 more" when a tally counts more than the examples shown of it (a report keeps three at most). */
export const andMore = (t: Counted, shown: number): string => (t.count > shown ? `, and ${num(t.count - shown)} more` : '');

/** The records under keys a map of counts did not keep, by the map's JSON Pointer; none when every key was kept. */
export const otherKeys = (r: AuditReport): Array<[string, number]> => Object.entries(r.otherKeys?.records ?? {}).filter(([, n]) => n > 0);

export const otherKeysIntro = (r: AuditReport): string =>
  `Each map of counts keeps its ${num(r.otherKeys?.keep ?? 0)} smallest keys (in code-unit order); the records under the other keys:`;

const byCount = <T extends { count: number }>(map: Record<string, T>): Array<[string, T]> =>
  Object.entries(map).sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));

/**
 * `width`: the terminal's, when the text goes to one; long lines are then cut with "…" to fit. Without it (a pipe,
 * a file), lines are whole.
 */
export function formatAuditText(r: AuditReport, options: { color?: boolean; width?: number | undefined } = {}): string {
  const c = pc.createColors(options.color ?? false);
  const width = options.width === undefined ? Infinity : Math.max(60, Math.min(options.width, 140));
  const clip = (s: string, tail = ''): string => (s.length + tail.length > width ? `${s.slice(0, Math.max(0, width - tail.length - 1))}…${tail}` : `${s}${tail}`);
  const out: string[] = [];
  const notAudited = sum(r.records.notAudited);
  const problems = sum(r.records.problems);
  out.push(c.bold(`Audit of ${count(r.records.total, 'record')} in ${count(r.records.files, 'file')}: ${num(r.records.audited)} audited, ${num(notAudited)} not audited, ${count(problems, 'problem')}`));
  for (const [label, map] of [['operations', r.traffic.byOperation], ['models', r.traffic.byModel], ['Regions', r.traffic.byRegion], ['identities', r.traffic.byIdentity]] as const) {
    const entries = top(map, 3).map(([k, n]) => `${k} ${num(n)}`);
    const more = Object.keys(map).length - entries.length;
    out.push(clip(`  ${label.padEnd(10)} ${entries.join(', ')}${more > 0 ? `, +${more} more` : ''}`));
  }
  if (otherKeys(r).length > 0) out.push(clip(`  ${otherKeysIntro(r)}`), ...otherKeys(r).map(([pointer, n]) => clip(`    ${pointer}: ${num(n)} records`)));
  out.push('', c.bold(`Today on bedrock-runtime: ${num(r.today.invalid)} failing (${pct(r.shares.failingToday)})`));
  for (const [, f] of byCount(r.today.findings).slice(0, 5)) {
    const sev = f.severity === 'error' ? c.red(f.severity) : f.severity === 'warning' ? c.yellow(f.severity) : f.severity;
    const shown = f.examples.slice(0, 2);
    out.push(clip(`  ${sev} ${f.code} ${f.subject} ×${num(f.count)}  e.g. ${shown.map(where).join(', ')}`, andMore(f, shown.length)));
  }
  out.push('', c.bold('Moving to bedrock-mantle:'));
  for (const k of READINESS_ORDER) {
    const bar = '█'.repeat(Math.round(r.shares[k] * 30));
    out.push(`  ${READINESS_LABELS[k].padEnd(15)} ${pct(r.shares[k]).padStart(6)} ${num(r.mantle.readiness[k].count).padStart(9)}  ${bar}`);
  }
  for (const [kind, t] of byCount(r.mantle.changes).slice(0, 3)) {
    out.push(clip(`  change ${kind} ×${num(t.count)}: ${top(t.details, 2).map(([d, n]) => `${d} (${num(n)})`).join('; ')}`));
  }
  for (const [subject, b] of byCount(r.mantle.blockers).slice(0, 4)) out.push(clip(`  blocked by ${subject} ×${num(b.count)}: ${b.reason}`));
  const lifecycle = Object.values(r.lifecycle.models);
  if (lifecycle.length > 0) {
    out.push('', c.bold('Model lifecycle:'));
    for (const m of lifecycle.slice(0, 4)) out.push(clip(`  ${m.label} ×${num(m.count)}: ${Object.entries(m.lifecycle).map(([k, v]) => `${k} ${v}`).join(', ')}`));
  }
  if (notAudited + problems > 0) out.push('');
  for (const [reason, t] of byCount(r.records.notAudited)) out.push(clip(`  not audited: ${reason} ×${num(t.count)}, e.g. ${t.examples.slice(0, 1).map(where).join('')}`, andMore(t, Math.min(1, t.examples.length))));
  for (const [code, t] of byCount(r.records.problems)) {
    const e = t.examples[0];
    out.push(clip(`  ${c.red('problem')} ${code} ×${num(t.count)}: ${e ? `${e.file}:${e.line}: ${e.detail ?? ''}` : ''}`, andMore(t, e ? 1 : 0)));
  }
  return `${out.join('\n')}\n`;
}

const sum = (m: Record<string, Counted>): number => Object.values(m).reduce((a, t) => a + t.count, 0);

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatAuditMarkdown(r: AuditReport): string {
  const out: string[] = ['# Bedrock invocation-log audit', ''];
  out.push(`${count(r.records.total, 'record')} in ${count(r.records.files, 'file')}; ${num(r.records.audited)} audited. Record format: ${r.recordFormat.source} (as of ${r.recordFormat.asOf}).`, '');
  out.push('## Moving to bedrock-mantle', '', '| readiness | records | share |', '| --- | ---: | ---: |');
  for (const k of READINESS_ORDER) out.push(`| ${READINESS_LABELS[k]} | ${num(r.mantle.readiness[k].count)} | ${pct(r.shares[k])} |`);
  out.push('', '### Blocking capabilities', '', '| blocker | records | reason | source |', '| --- | ---: | --- | --- |');
  for (const [s, b] of byCount(r.mantle.blockers)) out.push(`| ${s} | ${num(b.count)} | ${mdCell(b.reason)} | ${b.source ?? ''} |`);
  out.push('', '### Changes needed', '', '| change | records | most frequent |', '| --- | ---: | --- |');
  for (const [k, t] of byCount(r.mantle.changes)) out.push(`| ${k} | ${num(t.count)} | ${mdCell(top(t.details, 3).map(([d, n]) => `${d} (${num(n)})`).join('; '))} |`);
  out.push('', `## Failing today on bedrock-runtime: ${num(r.today.invalid)} (${pct(r.shares.failingToday)})`, '', '| severity | finding | records | examples |', '| --- | --- | ---: | --- |');
  for (const [, f] of byCount(r.today.findings)) out.push(`| ${f.severity} | ${f.code} ${f.subject} | ${num(f.count)} | ${mdCell(`${f.examples.map(where).join(', ')}${andMore(f, f.examples.length)}`)} |`);
  out.push('', '## Traffic', '');
  for (const [label, map] of [['Operation', r.traffic.byOperation], ['Model', r.traffic.byModel], ['Region', r.traffic.byRegion], ['Identity', r.traffic.byIdentity]] as const) {
    out.push(`| ${label} | records |`, '| --- | ---: |', ...top(map, 20).map(([k, n]) => `| ${mdCell(k)} | ${num(n)} |`), '');
  }
  if (otherKeys(r).length > 0) out.push('## Keys not kept', '', otherKeysIntro(r), '', '| map | records |', '| --- | ---: |', ...otherKeys(r).map(([p, n]) => `| ${mdCell(p)} | ${num(n)} |`), '');
  if (Object.keys(r.lifecycle.models).length > 0) {
    out.push('## Model lifecycle', '', '| model | records | lifecycle |', '| --- | ---: | --- |');
    for (const m of Object.values(r.lifecycle.models)) out.push(`| ${m.label} | ${num(m.count)} | ${mdCell(Object.entries(m.lifecycle).map(([k, v]) => `${k}: ${v}`).join(', '))} |`);
    out.push('');
  }
  out.push('## Not audited and problems', '', '| kind | records | example |', '| --- | ---: | --- |');
  for (const [k, t] of [...byCount(r.records.notAudited), ...byCount(r.records.problems)]) {
    const e = t.examples[0];
    out.push(`| ${k} | ${num(t.count)} | ${mdCell(`${e ? `${where(e)} ${e.detail ?? ''}` : ''}${andMore(t, e ? 1 : 0)}`)} |`);
  }
  return `${out.join('\n')}\n`;
}

/** Findings as SARIF 2.1.0: one result per finding kind (today's findings and unreadable records), at its examples. */
export function formatAuditSarif(r: AuditReport): string {
  const rules: Array<{ id: string; shortDescription: { text: string }; helpUri?: string }> = [];
  const results: unknown[] = [];
  const notListed = (t: Counted): string => (t.count > t.examples.length ? ` (at ${t.examples.length} locations listed, and ${t.count - t.examples.length} more)` : '');
  const level = (s: string): string => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const locations = (examples: Example[]): unknown[] =>
    examples.map((e) => ({ physicalLocation: { artifactLocation: { uri: e.file.split('\\').join('/') }, region: { startLine: e.line } } }));
  for (const [key, f] of byCount(r.today.findings)) {
    rules.push({ id: key, shortDescription: { text: f.summary }, ...(f.source ? { helpUri: f.source } : {}) });
    results.push({ ruleId: key, level: level(f.severity), message: { text: `${f.summary} (${f.subject}): ${f.count} logged requests${notListed(f)}` }, locations: locations(f.examples) });
  }
  for (const [code, t] of byCount(r.records.problems)) {
    rules.push({ id: `audit/${code}`, shortDescription: { text: `log input problem: ${code}` } });
    results.push({ ruleId: `audit/${code}`, level: 'error', message: { text: `${t.count} × ${t.examples[0]?.detail ?? code}${notListed(t)}` }, locations: locations(t.examples) });
  }
  const run = { tool: { driver: { name: 'bedrock-preflight', version: VERSION, informationUri: 'https://www.npmjs.com/package/bedrock-preflight', rules } }, results };
  return `${JSON.stringify({ $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json', version: '2.1.0', runs: [run] }, null, 2)}\n`;
}
