/**
 * Drift of a committed, generated document (e.g. `matrix --format md > docs/matrix.md`) from what the rules
 * generate now. Line endings are compared as \n (a CRLF checkout is not drift); nothing is ever written.
 */
import { readInputFileSync } from '../input/read.js';

export interface DocumentDrift {
  file: string;
  upToDate: boolean;
  /** One line for people. */
  summary: string;
  /** 1-based lines of the file that differ (from, to) and of the expected document; absent when up to date. */
  lines?: { file: [number, number]; expected: [number, number] };
}

const quote = (s: string | undefined): string => (s === undefined ? 'the end of the document' : JSON.stringify(s.length > 72 ? `${s.slice(0, 72)}…` : s));

/** Compares `actual` (the file's text) with `expected`; `regenerate` is the command that rewrites the file. */
export function compareDocument(file: string, actual: string, expected: string, regenerate: string): DocumentDrift {
  const a = actual.replace(/\r\n?/g, '\n');
  if (a === expected) return { file, upToDate: true, summary: `${file} is up to date with the rules` };
  const al = a.split('\n');
  const el = expected.split('\n');
  let p = 0;
  while (p < al.length && p < el.length && al[p] === el[p]) p++;
  let s = 0;
  while (s < al.length - p && s < el.length - p && al[al.length - 1 - s] === el[el.length - 1 - s]) s++;
  const range = (n: number): [number, number] => [p + 1, Math.max(p + 1, n - s)];
  const lines = { file: range(al.length), expected: range(el.length) };
  const span = ([from, to]: [number, number]): string => (from === to ? `line ${from}` : `lines ${from}-${to}`);
  const differ = lines.file[0] === lines.file[1] ? 'differs' : 'differ';
  const summary =
    `${file} is out of date with the rules: ${span(lines.file)} ${differ} (generated: ${span(lines.expected)}); ` +
    `at line ${p + 1} expected ${quote(el[p])}, found ${quote(al[p])}; regenerate it with: ${regenerate}`;
  return { file, upToDate: false, summary, lines };
}

/** Reads `file` (UTF-8, through the input layer: a read error is a PreflightInputError) and compares it. */
export function checkDocumentFile(file: string, expected: string, regenerate: string): DocumentDrift {
  const { text } = readInputFileSync(file);
  return compareDocument(file, text, expected, regenerate);
}
