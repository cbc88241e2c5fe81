/**
 * `lint --format json`: the contract's array, compact (like ESLint's json format), written in parts of about `PART`
 * characters (few writes for many small files). Joined, the parts are exactly `JSON.stringify(files)` and a newline.
 *
 * The writer is a lint sink: a JSON Lines file's findings are written a line at a time as lint finds them, and
 * each entry when its file is done, so printing a file with millions of findings never holds them all.
 */
import type { LintEntry, LintFinding, LintSink } from '../lint/types.js';

const PART = 64 * 1024;

/** A copy of a value with its strings sanitised (the CLI's redaction), or the value itself. */
export type Clean = <T>(value: T) => T;

const asIs: Clean = (value) => value;

/** JSON text of the findings, without the array's brackets. */
const findingsText = (findings: readonly LintFinding[], clean: Clean): string => JSON.stringify(clean(findings)).slice(1, -1);

export interface JsonLintWriter extends LintSink {
  /** Closes the array; the last part is written. */
  end(): void;
}

/** Writes the array to `out`, in parts; every value is cleaned as it is serialized (no copy of the whole result). */
export function jsonLintWriter(out: (part: string) => void, clean: Clean = asIs): JsonLintWriter {
  let part = '[';
  let entries = 0;
  /** The file whose entry is open: its findings are being written, the rest of it is not yet. */
  let open: string | undefined;
  let openFindings = 0;
  const write = (text: string): void => {
    part += text;
    if (part.length >= PART) {
      out(part);
      part = '';
    }
  };
  return {
    findings(file, findings) {
      if (findings.length === 0) return;
      if (open !== file) {
        write(`${entries++ > 0 ? ',' : ''}{"file":${JSON.stringify(clean(file))},"findings":[`);
        open = file;
        openFindings = 0;
      }
      write((openFindings > 0 ? ',' : '') + findingsText(findings, clean));
      openFindings += findings.length;
    },
    entry(e) {
      if (open !== e.file) {
        write((entries++ > 0 ? ',' : '') + JSON.stringify(clean(e)));
        return;
      }
      // The open entry: its own findings (none in JSON Lines), then its other fields ("file" and "findings" come first).
      if (e.findings.length > 0) write((openFindings > 0 ? ',' : '') + findingsText(e.findings, clean));
      const rest = JSON.stringify(clean({ ...e, file: undefined, findings: undefined })).slice(1, -1);
      write(`]${rest === '' ? '' : `,${rest}`}}`);
      open = undefined;
    },
    end() {
      out(`${part}]\n`);
      part = '';
    },
  };
}

const BATCH = 1000;

/** The array for entries already gathered, in parts (an entry's findings a thousand at a time). */
export function formatLintJsonParts(files: readonly LintEntry[], clean: Clean = asIs): string[] {
  const parts: string[] = [];
  const writer = jsonLintWriter((p) => parts.push(p), clean);
  for (const e of files) {
    if (e.findings.length <= BATCH) writer.entry(e);
    else {
      for (let k = 0; k < e.findings.length; k += BATCH) writer.findings(e.file, e.findings.slice(k, k + BATCH));
      writer.entry({ ...e, findings: [] });
    }
  }
  writer.end();
  return parts;
}
