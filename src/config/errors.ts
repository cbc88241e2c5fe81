/**
 * Problems in configuration, overlay, rule-pack and architecture files: each with file:line:column and the JSON
 * Pointer of the key, printed like the rules files' problems (`file:line:column: message (at /pointer)`).
 *
 * This mirrors KnowledgeError (src/knowledge/load.ts) without importing that module: it loads the YAML parser
 * at start-up, which the CLI avoids for commands that never read YAML.
 */
import { PreflightInputError, type PreflightErrorCode } from '../errors.js';
import { sanitize } from '../redact.js';
import type { KnowledgeProblem } from '../knowledge/load.js';

export type { KnowledgeProblem };

export const formatProblem = (p: KnowledgeProblem): string => `${p.file}:${p.line}:${p.column}: ${p.message}${p.key ? ` (at ${p.key})` : ''}`;

/** One or more positioned problems; `oneLine` (what the CLI prints) lists them all, one per line. */
export class ConfigError extends PreflightInputError {
  readonly problems: KnowledgeProblem[];
  constructor(problems: KnowledgeProblem[], code: PreflightErrorCode = 'E_KNOWLEDGE') {
    const first = problems[0];
    super(code, problems.map(formatProblem).join('\n'), first ? { file: first.file, position: { line: first.line, column: first.column } } : {});
    this.problems = problems;
    // One line per problem: each sanitised on its own, the line breaks between them kept.
    this.message = problems.map((p) => sanitize(formatProblem(p))).join('\n');
  }
  override get oneLine(): string {
    return this.message;
  }
}

/** Collects problems of one file; `throwIfAny` stops at the end of a pass, so that every problem is reported. */
export class ProblemList {
  readonly items: KnowledgeProblem[] = [];
  constructor(
    readonly file: string,
    private readonly locate: (pointer: string) => { line: number; column: number },
  ) {}
  add(pointer: string, message: string): void {
    const pos = this.locate(pointer);
    this.items.push({ file: this.file, line: pos.line, column: pos.column, key: pointer, message });
  }
  throwIfAny(code: PreflightErrorCode = 'E_KNOWLEDGE'): void {
    if (this.items.length > 0) throw new ConfigError(this.items, code);
  }
}

/** A JSON Pointer segment, escaped. */
export const seg = (s: string | number): string => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
