/** Text output of suppressed findings, for commands that run under a configuration. Pure. */
import { createColors } from 'picocolors';
import type { SuppressedFinding } from './types.js';

/** One line per suppressed finding (with why and by what), or '' when there are none. */
export function formatSuppressedText(suppressed: readonly SuppressedFinding[], o: { color: boolean }): string {
  if (suppressed.length === 0) return '';
  const c = createColors(o.color);
  const lines = [c.dim(`  ${suppressed.length} suppressed:`)];
  for (const s of suppressed) {
    lines.push(`  ${c.dim('○')} ${c.dim(`${s.severity} ${s.code}`)} ${s.subject}${s.path ? c.dim(`  ${s.path}`) : ''}`);
    lines.push(c.dim(`      ${s.suppressed.reason} (${s.suppressed.by})`));
  }
  return `${lines.join('\n')}\n`;
}
