/** What the bench scripts share: medians and rows printed as "name  value (target)". */
export type Row = [string, string];

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A ratio next to its target, e.g. "1.23 (target <= 1.4: met)". */
export function ratioRow(name: string, ratio: number, op: '<=' | '>=', target: number): Row {
  const met = op === '<=' ? ratio <= target : ratio >= target;
  return [name, `${ratio.toFixed(2)} (target ${op} ${target}: ${met ? 'met' : 'NOT met'})`];
}

export function printRows(title: string, rows: readonly Row[]): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`${title}\n`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  console.log('');
}

/** "0.81-1.02": the lowest and highest of some ratios. */
export const range = (xs: readonly number[]): string => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
