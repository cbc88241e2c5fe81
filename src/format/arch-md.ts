/**
 * `arch --format md`: the workloads against the capability matrix as Markdown (a grid of workloads × needs, then
 * each workload's reasons and recommendation, then the sources). Pure: the same report gives the same bytes.
 */
import type { ArchReport } from '../arch/check.js';
import type { CellValue, Severity } from '../types.js';

const CELL: Record<CellValue, string> = { yes: '✅ yes', no: '❌ no', conditional: '⚠️ conditional', unknown: '❔ unknown' };
const SEVERITY: Record<Severity, string> = { error: '❌ error', warning: '⚠️ warning', info: 'ℹ️ info' };
const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatArchMarkdown(r: ArchReport): string {
  const out: string[] = [`# ${esc(r.title ?? 'Architecture check')}`, ''];
  if (r.description) out.push(r.description, '');
  const meta = [r.file ? `File: \`${r.file}\`` : undefined, `Configuration: ${r.config ? `\`${r.config}\`` : 'none'}`].filter((x) => x !== undefined);
  out.push(meta.join(' · '), '');
  const s = r.summary;
  out.push(`**${s.ok} of ${s.workloads} workloads ok${s.failing > 0 ? `; ${s.failing} failing` : ''}.**`, '');

  out.push('## Workloads against the capability matrix', '', 'Each cell is the matrix value of the need on the workload\'s endpoint.', '');
  const head = ['Workload', 'Endpoint', ...r.needs.map((n) => `\`${n.id}\``), 'Models', 'Regions', 'Status'];
  out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
  for (const w of r.workloads) {
    const cells = r.needs.map((n) => {
      const c = w.needs.find((x) => x.id === n.id);
      return c ? CELL[c.cell] : '–';
    });
    const chips = (xs: Array<{ id: string; cell: CellValue }>) => (xs.length === 0 ? '–' : xs.map((x) => `${CELL[x.cell].split(' ')[0]} ${esc(x.id)}`).join('<br>'));
    out.push(`| ${[esc(w.name), `\`${w.endpoint}\``, ...cells, chips(w.models), chips(w.regions), w.ok ? '✅ ok' : '❌ **failing**'].join(' | ')} |`);
  }
  out.push('', 'Legend: ✅ yes · ❌ no · ⚠️ conditional (supported under a condition) · ❔ unknown (no source says) · – not needed', '');

  for (const w of r.workloads) {
    out.push(`## ${w.ok ? '✅' : '❌'} ${esc(w.name)} — \`${w.endpoint}\`${w.ok ? '' : ' (failing)'}`, '');
    if (w.path) out.push(`Path: \`${w.path}\``, '');
    if (w.notes) out.push(w.notes, '');
    if (w.reasons.length === 0) out.push('No problems found.', '');
    for (const f of w.reasons) out.push(`- ${SEVERITY[f.severity]} \`${f.code}\` **${esc(f.subject)}**: ${esc(f.message)}${f.source ? ` ([source](${f.source}))` : ''}`);
    if (w.reasons.length > 0) out.push('');
    if (w.suppressed.length > 0) {
      out.push('Suppressed:', '');
      for (const f of w.suppressed) out.push(`- ${f.severity} \`${f.code}\` **${esc(f.subject)}**: ${esc(f.suppressed.reason)} (${esc(f.suppressed.by)})`);
      out.push('');
    }
    const rec = w.recommendation;
    if (rec.endpoint === w.endpoint) out.push(`Recommendation: \`${rec.endpoint}\`, the chosen endpoint.`, '');
    else if (rec.endpoint) out.push(`Recommendation: **\`${rec.endpoint}\`** instead of \`${w.endpoint}\`.`, '');
    else out.push(`Recommendation: no single endpoint meets every need; split: ${Object.entries(rec.split ?? {}).map(([n, e]) => `\`${n}\` → ${e ? `\`${e}\`` : 'none'}`).join(', ')}.`, '');
    if (rec.endpoint !== w.endpoint) {
      for (const reason of rec.reasons) out.push(`- ${esc(reason)}`);
      out.push('');
    }
  }
  out.push('## Sources', '');
  for (const src of r.sources) out.push(`- ${src.source} (as of ${src.asOf})`);
  out.push('');
  return out.join('\n');
}
