/**
 * Text output for people: pure functions from reports to strings. Colour only when asked (the CLI decides:
 * on for a terminal, off in pipes).
 */
import { createColors } from 'picocolors';
import type { Explanation } from '../explain.js';
import type { RecommendResult } from '../recommend.js';
import { plural } from './plural.js';
import type { CellValue, CheckReport, Finding, JreRule, Severity } from '../types.js';

export interface TextOptions {
  color: boolean;
  file?: string;
  width?: number | undefined;
}

type Colors = ReturnType<typeof createColors>;

const ICON: Record<Severity, string> = { error: '✖', warning: '⚠', info: 'ℹ' };

function severityColor(c: Colors, s: Severity): (t: string) => string {
  return s === 'error' ? c.red : s === 'warning' ? c.yellow : c.blue;
}

export function cellColor(c: Colors, v: CellValue): (t: string) => string {
  return v === 'yes' ? c.green : v === 'no' ? c.red : v === 'conditional' ? c.yellow : c.dim;
}

/** Word-wraps `text` to `width` columns with `indent` before every line. */
export function wrap(text: string, indent: string, width: number | undefined): string {
  if (!width || width < indent.length + 30) return indent + text;
  const max = Math.min(width, 120) - indent.length;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

export function formatFinding(f: Finding, c: Colors, width: number | undefined): string {
  const color = severityColor(c, f.severity);
  const head = `  ${color(`${ICON[f.severity]} ${f.severity.padEnd(7)}`)} ${c.bold(f.subject)}${f.path ? `  ${c.dim(f.path === '' ? '(whole request)' : f.path)}` : ''}  ${c.dim(f.code)}`;
  const lines = [head, wrap(f.message, '      ', width)];
  if (f.source) lines.push(c.dim(`      source: ${f.source}`));
  return lines.join('\n');
}

export function formatCheckText(r: CheckReport, o: TextOptions): string {
  const c = createColors(o.color);
  const out: string[] = [];
  if (o.file) out.push(c.underline(o.file));
  const facts = [r.endpoint, r.api ?? '(api unknown)', r.model ?? '(no model)', r.region ?? '(no region)'];
  out.push(`  ${facts.map((f, i) => (i === 0 ? c.bold(f) : f)).join(c.dim('  ·  '))}`);
  if (r.capabilities.length > 0) {
    out.push(`  ${c.dim('uses')} ${r.capabilities.map((u) => `${u.id}${u.path ? c.dim(` (${u.path})`) : ''}`).join(', ')}`);
  }
  out.push('');
  for (const f of r.findings) out.push(formatFinding(f, c, o.width), '');
  const rec = r.recommendation;
  if (rec.endpoint !== r.endpoint || !r.valid) {
    if (rec.endpoint) out.push(`  ${c.cyan('→')} recommended endpoint: ${c.bold(rec.endpoint)}`);
    else out.push(`  ${c.cyan('→')} no single endpoint meets every need; split: ${Object.entries(rec.split ?? {}).map(([n, e]) => `${n} → ${e ?? 'none'}`).join(', ')}`);
    for (const reason of rec.reasons) out.push(wrap(`• ${reason}`, '      ', o.width));
    out.push('');
  }
  const count = (s: Severity) => r.findings.filter((f) => f.severity === s).length;
  const summary = `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info`;
  out.push(r.valid ? c.green(`✔ valid for ${r.endpoint} (${summary})`) : c.red(`✖ invalid for ${r.endpoint} (${summary})`));
  return `${out.join('\n')}\n`;
}

export function formatRecommendText(r: RecommendResult, o: TextOptions): string {
  const c = createColors(o.color);
  const out: string[] = [];
  if (r.endpoint) out.push(`${c.green('✔')} recommended endpoint: ${c.bold(r.endpoint)}`);
  else out.push(`${c.red('✖')} no single endpoint meets every need: use both, split by need`);
  if (r.needs.length > 0) {
    const w = Math.max(4, ...r.needs.map((n) => n.length));
    const endpoints = Object.keys(r.endpoints) as Array<keyof RecommendResult['endpoints']>;
    out.push('', `  ${'need'.padEnd(w)}  ${endpoints.map((e) => e.padEnd(18)).join('')}${r.split ? 'use' : ''}`);
    for (const n of r.needs) {
      const cells = endpoints.map((e) => {
        const v = r.endpoints[e].cells[n]!;
        return cellColor(c, v)(v.padEnd(18));
      });
      out.push(`  ${n.padEnd(w)}  ${cells.join('')}${r.split ? c.bold(r.split[n] ?? 'none') : ''}`);
    }
  }
  out.push('', '  reasons:');
  for (const reason of r.reasons) out.push(wrap(`• ${reason}`, '    ', o.width));
  return `${out.join('\n')}\n`;
}

export function formatExplainText(e: Explanation, o: TextOptions): string {
  const c = createColors(o.color);
  const out: string[] = [`${c.bold(e.id)}  ${c.dim(`(${e.kind})`)}  ${e.label}`];
  if (e.summary) out.push(wrap(e.summary, '  ', o.width));
  if (e.model) {
    const m = e.model;
    out.push('', c.bold('  Model'), `    form: ${m.form}; base id: ${m.base ?? '(none)'}; family: ${m.family ?? 'unknown'}`);
    for (const [endpoint, s] of Object.entries(m.served)) {
      if (s === undefined) continue;
      if (s === 'unknown') out.push(`    ${endpoint.padEnd(16)} ${c.dim('unknown')}`);
      else {
        out.push(`    ${endpoint.padEnd(16)} ${s.apis.length ? s.apis.join(', ') : c.red('not served')}${s.route ? ` (route ${s.route})` : ''}${s.profileOnly ? ' (inference profile only)' : ''} ${c.dim(`[${s.confidence}]`)}`);
        out.push(c.dim(`      source: ${s.source}, as of ${s.asOf}`));
        if (s.note) out.push(c.dim(wrap(s.note, '      ', o.width)));
      }
    }
    for (const f of m.features) {
      const cells = (['bedrock-runtime', 'bedrock-mantle'] as const).filter((x) => f[x] !== undefined).map((x) => `${x} ${f[x]}`).join(', ');
      out.push(`    ${f.feature}: ${cells} ${c.dim(`[${f.confidence}]`)}`, c.dim(`      source: ${f.source}, as of ${f.asOf}`));
    }
  }
  if (e.region) {
    const r = e.region;
    out.push('', c.bold('  Region'), c.dim(`    source: ${r.source}, as of ${r.asOf}${r.confidence ? ` [${r.confidence}]` : ''}`));
    for (const [endpoint, list] of Object.entries(r.nearest)) if (list && list.length) out.push(`    nearest Regions with ${endpoint}: ${list.join(', ')}`);
  }
  if (e.requestRule) {
    const r = e.requestRule;
    out.push('', c.bold('  Applies to'), `    apis: ${r.apis.join(', ')}; endpoints: ${(r.endpoints ?? ['bedrock-runtime', 'bedrock-mantle']).join(', ')}${r.operations ? `; operations: ${r.operations.join(', ')}` : ''}${r.models ? `; models: ${JSON.stringify(r.models)}` : ''}`);
    out.push(c.dim(`    source: ${r.source}, as of ${r.asOf}`));
  }
  if (e.hosts) {
    out.push('', c.bold('  Hosts'));
    for (const h of e.hosts) out.push(`    ${h.template.padEnd(44)} ${c.dim(`${h.variant}; ${h.source}, as of ${h.asOf}`)}`);
  }
  if (e.operations) {
    out.push('', c.bold('  URL paths'));
    for (const op of e.operations) out.push(`    ${op.path.padEnd(48)} ${c.dim(op.id)}`);
  }
  if (e.cells.length > 0) {
    out.push('', c.bold('  Matrix cells'));
    for (const cell of e.cells) {
      const v = cellColor(c, cell.value)(cell.value.padEnd(11));
      out.push(`    ${cell.endpoint.padEnd(16)} ${v} ${cell.row}${cell.api ? c.dim(` [${cell.api}]`) : ''} ${c.dim(`(${cell.tableTitle})`)}`);
      if (cell.condition) out.push(wrap(`condition: ${cell.condition}`, '      ', o.width));
      if (cell.detail) out.push(wrap(`detail: ${cell.detail}`, '      ', o.width));
      if (cell.fix && cell.value !== 'yes') out.push(wrap(`fix: ${cell.fix}`, '      ', o.width));
      out.push(c.dim(`      source: ${cell.source}, as of ${cell.asOf}`));
    }
  }
  if (e.guidance) {
    out.push('', c.bold('  Guidance'));
    for (const g of e.guidance) out.push(wrap(g.text, '    ', o.width), c.dim(`      source: ${g.source}, as of ${g.asOf}`));
  }
  if (e.signals) {
    out.push('', c.bold('  Request signals'));
    if (e.signals.length === 0) out.push('    none: this is a need for recommend, not something a request shows');
    for (const s of e.signals) {
      const where = s.body !== undefined ? `body ${s.body}` : s.header !== undefined ? `header ${s.header}` : 'model id';
      const test =
        s.equals !== undefined ? ` = ${JSON.stringify(s.equals)}` :
        s.oneOf ? ` one of ${s.oneOf.join(', ')}` :
        s.noneOf ? ` not ${s.noneOf.join(', ')}` :
        s.startsWith !== undefined ? ` starts with ${[s.startsWith].flat().join(', ')}` :
        s.matches !== undefined ? ` matches /${s.matches}/` : ' present';
      out.push(`    ${where}${test}${s.apis ? c.dim(` (${s.apis.join(', ')})`) : ''}`, c.dim(`      source: ${s.source}, as of ${s.asOf}`));
      if (s.note) out.push(c.dim(wrap(s.note, '      ', o.width)));
    }
  }
  if (e.notes.length > 0) {
    out.push('', c.bold(e.kind === 'model' ? '  Notes from other sources' : '  Notes from other sources (the seed value stays)'));
    for (const n of e.notes) out.push(wrap(`${n.about}: ${n.says}`, '    ', o.width), c.dim(`      source: ${n.source}, as of ${n.asOf}`));
  }
  if (e.rules.length > 0) out.push('', `  ${c.bold('Rules')} ${e.rules.join(', ')}`);
  return `${out.join('\n')}\n`;
}

export function formatRulesText(rules: readonly JreRule[], o: TextOptions): string {
  const c = createColors(o.color);
  const w = Math.max(...rules.map((r) => r.name.length));
  const lines = rules.map((r) => {
    const p = r.event.params;
    return `${r.name.padEnd(w)}  ${severityColor(c, p.severity)(p.severity.padEnd(7))}  ${p.code}`;
  });
  return `${lines.join('\n')}\n${c.dim(`${rules.length} rules; "bedrock-preflight rules --format json" prints them for json-rules-engine`)}\n`;
}
