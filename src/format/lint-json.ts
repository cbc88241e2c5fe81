/**
 * `lint --format json`: the contract's array, compact (like ESLint's json format), in parts. Joined, the parts are
 * exactly `JSON.stringify(files)` and a newline; each holds at most one entry's other fields or `BATCH` findings, so
 * printing a JSON Lines file with tens of thousands of findings never builds tens of megabytes of text at once.
 */
import type { LintEntry } from '../lint/types.js';

const BATCH = 1000;
const FINDINGS = '"findings":[';

export function* formatLintJsonParts(files: readonly LintEntry[]): Generator<string> {
  yield '[';
  for (let i = 0; i < files.length; i++) {
    const e = files[i]!;
    const comma = i > 0 ? ',' : '';
    if (e.findings.length <= BATCH) {
      yield comma + JSON.stringify(e);
      continue;
    }
    // The entry without its findings; "file" comes first and a JSON string cannot hold an unescaped quote, so the
    // first `"findings":[` is the key's.
    const shell = JSON.stringify({ ...e, findings: [] });
    const at = shell.indexOf(FINDINGS) + FINDINGS.length;
    yield comma + shell.slice(0, at);
    for (let k = 0; k < e.findings.length; k += BATCH) {
      yield (k > 0 ? ',' : '') + JSON.stringify(e.findings.slice(k, k + BATCH)).slice(1, -1);
    }
    yield shell.slice(at);
  }
  yield ']\n';
}
