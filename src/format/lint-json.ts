/**
 * `lint --format json`: the contract's array, compact (like ESLint's json format), in parts. Joined, the parts are
 * exactly `JSON.stringify(files)` and a newline. Entries are gathered into parts of about `PART` characters (few
 * writes for many small files), and an entry's findings are serialized `BATCH` at a time, so printing a JSON Lines
 * file with tens of thousands of findings never builds tens of megabytes of text at once.
 */
import type { LintEntry } from '../lint/types.js';

const BATCH = 1000;
const PART = 64 * 1024;
const FINDINGS = '"findings":[';

/** A copy of a value with its strings sanitised (the CLI's redaction), or the value itself. */
export type Clean = <T>(value: T) => T;

const asIs: Clean = (value) => value;

/** The text of one entry, in pieces, each cleaned as it is serialized (no copy of the whole result is made). */
function* entryPieces(e: LintEntry, clean: Clean): Generator<string> {
  if (e.findings.length <= BATCH) {
    yield JSON.stringify(clean(e));
    return;
  }
  // The entry without its findings; "file" comes first and a JSON string cannot hold an unescaped quote, so the
  // first `"findings":[` is the key's.
  const shell = JSON.stringify(clean({ ...e, findings: [] }));
  const at = shell.indexOf(FINDINGS) + FINDINGS.length;
  yield shell.slice(0, at);
  for (let k = 0; k < e.findings.length; k += BATCH) {
    yield (k > 0 ? ',' : '') + JSON.stringify(clean(e.findings.slice(k, k + BATCH))).slice(1, -1);
  }
  yield shell.slice(at);
}

export function* formatLintJsonParts(files: readonly LintEntry[], clean: Clean = asIs): Generator<string> {
  let part = '[';
  for (let i = 0; i < files.length; i++) {
    if (i > 0) part += ',';
    for (const piece of entryPieces(files[i]!, clean)) {
      part += piece;
      if (part.length >= PART) {
        yield part;
        part = '';
      }
    }
  }
  yield `${part}]\n`;
}
