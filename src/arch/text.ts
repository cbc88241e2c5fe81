/** Text output of `arch`: each workload with its cells on the chosen endpoint, its reasons and the recommendation. Pure. */
import { createColors } from 'picocolors';
import { cellColor, formatFinding, wrap } from '../format/text.js';
import type { CellValue } from '../types.js';
import type { ArchReport } from './check.js';

const MARK: Record<CellValue, string> = { yes: '✔', no: '✖', conditional: '◐', unknown: '?' };

export function formatArchText(r: ArchReport, o: { color: boolean; width?: number | undefined }): string {
  const c = createColors(o.color);
  const out: string[] = [];
  if (r.file) out.push(c.underline(r.file) + (r.title ? `  ${c.bold(r.title)}` : ''));
  else if (r.title) out.push(c.bold(r.title));
  if (r.config) out.push(c.dim(`config: ${r.config}`));
  out.push('');
  for (const w of r.workloads) {
    const head = w.ok ? c.green(`✔ ${w.name}`) : c.red(`✖ ${w.name}`);
    out.push(`${head}  ${c.bold(w.endpoint)}${w.path ? c.dim(`  ${w.path}`) : ''}${w.ok ? '' : c.red('  failing')}`);
    const cells = (items: Array<{ id: string; cell: CellValue }>) => items.map((n) => cellColor(c, n.cell)(`${MARK[n.cell]} ${n.id}`)).join('  ');
    out.push(`    ${c.dim('needs  ')} ${cells(w.needs)}`);
    if (w.models.length > 0) out.push(`    ${c.dim('models ')} ${cells(w.models)}`);
    if (w.regions.length > 0) out.push(`    ${c.dim('regions')} ${cells(w.regions)}`);
    for (const f of w.reasons) out.push(formatFinding(f, c, o.width).replace(/^/gm, '  '));
    for (const s of w.suppressed) out.push(c.dim(`    ○ suppressed ${s.severity} ${s.code} ${s.subject}: ${s.suppressed.reason} (${s.suppressed.by})`));
    const rec = w.recommendation;
    if (rec.endpoint !== w.endpoint) {
      if (rec.endpoint) out.push(`    ${c.cyan('→')} recommended endpoint: ${c.bold(rec.endpoint)}`);
      else out.push(`    ${c.cyan('→')} no single endpoint meets every need; split: ${Object.entries(rec.split ?? {}).map(([n, e]) => `${n} → ${e ?? 'none'}`).join(', ')}`);
      for (const reason of rec.reasons) out.push(wrap(`• ${reason}`, '        ', o.width));
    }
    out.push('');
  }
  const s = r.summary;
  const line = `${s.workloads} workload${s.workloads === 1 ? '' : 's'}: ${s.ok} ok, ${s.failing} failing`;
  out.push(r.ok ? c.green(`✔ ${line}`) : c.red(`✖ ${line}`));
  return `${out.join('\n')}\n`;
}
