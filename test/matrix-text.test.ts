/**
 * `matrix` text output: at most 100 columns wide (a long label wraps onto more lines, the cells on its first); every
 * cell starts under its endpoint's heading with a space before it, so no two columns run together (the
 * usage-attribution row's text cells are the widest); every row limited to an api that an endpoint does not offer
 * reads "no (API not offered)".
 */
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { formatMatrixText } from '../src/format/matrix.js';

const p = createPreflight();
const k = p.knowledge;
const endpoints = k.endpoints.map((e) => e.id);
const lines = formatMatrixText(k, { color: false }).split('\n');

/**
 * The line each row starts on, by its whole label: a row's first line has cells (text under the first endpoint's
 * heading); the lines after it with none hold the rest of its label.
 */
function rowStarts(): Map<string, number> {
  const starts = new Map<string, number>();
  let col = -1;
  let label: { text: string; at: number } | undefined;
  lines.forEach((l, i) => {
    if (endpoints.every((e) => l.includes(e))) {
      col = l.indexOf(endpoints[0]!);
      return;
    }
    if (col < 0 || !l.startsWith('  ')) return;
    const text = l.slice(2, col).trim();
    if (l.length > col) label = { text, at: i };
    else if (label) label.text += ` ${text}`;
    if (label) starts.set(label.text, label.at);
  });
  return starts;
}

describe('matrix text', () => {
  const cellText = (v: string, detail: string | undefined): string => (v === 'yes' && detail ? detail : detail ? `${v} (${detail})` : v);
  const starts = rowStarts();

  it('fits 100 columns', () => {
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it.each(k.matrix.map((r) => [`${r.label}${r.api ? ` [${r.api}]` : ''}${r.derived ? ` (from ${r.derived})` : ''}`, r] as const))('%s: each cell under its heading', (label, row) => {
    const at = starts.get(label) ?? -1;
    expect(at).toBeGreaterThan(0);
    const heading = lines.slice(0, at).reverse().find((l) => endpoints.every((e) => l.includes(e)))!;
    for (const e of endpoints) {
      const col = heading.indexOf(e);
      const text = cellText(row.cells[e].value, row.cells[e].detail);
      expect(lines[at]!.slice(col, col + text.length), `${e} in ${JSON.stringify(lines[at])}`).toBe(text);
      expect(lines[at]![col - 1]).toBe(' ');
    }
  });

  it('a text cell row (usage attribution) keeps its two columns apart', () => {
    const textRow = k.matrix.find((r) => endpoints.every((e) => r.cells[e].value === 'yes' && r.cells[e].detail))!;
    expect(textRow).toBeDefined();
    const line = lines[starts.get(textRow.label)!]!;
    const [a, b] = endpoints.map((e) => textRow.cells[e].detail!);
    expect(line).toMatch(new RegExp(`${a!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} {2,}${b!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a capability row for an api an endpoint does not offer is no there, with "API not offered" (never unknown)', () => {
    const offered = (api: string, e: string): boolean => k.matrix.find((r) => r.kind === 'api' && r.id === api)!.cells[e as 'bedrock-runtime'].value !== 'no';
    let seen = 0;
    for (const row of p.matrix()) {
      if (!row.api) continue;
      for (const e of endpoints) {
        if (offered(row.api, e)) continue;
        seen++;
        expect(row.support[e], `${row.id} [${row.api}] on ${e}`).toBe('no');
        expect(row.detail?.[e]).toBe('API not offered');
      }
    }
    const general = k.matrix.find((r) => r.id === 'structured-outputs' && !r.api)!;
    const limitedApis = new Set(k.matrix.filter((r) => r.id === general.id && r.api).map((r) => r.api));
    const covered = k.apis.map((a) => a.id).filter((a) => !limitedApis.has(a));
    for (const e of endpoints) {
      if (covered.some((a) => offered(a, e))) continue;
      seen++;
      expect(general.cells[e]).toMatchObject({ value: 'no', detail: 'API not offered' });
    }
    expect(seen).toBeGreaterThan(0);
  });
});
