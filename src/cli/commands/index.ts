/**
 * Commands beyond check, recommend, matrix, rules and explain, one file each. Each is loaded only when it runs,
 * so that its code (and what it imports) costs nothing at the start-up of the others.
 */
import type { Command } from '../command.js';
import { SUMMARIES } from './summaries.js';

export interface LazyCommand {
  summary: string;
  load(): Promise<Command>;
}

export const EXTRA_COMMANDS: Record<string, LazyCommand> = {
  lint: { summary: SUMMARIES.lint, load: async () => (await import('./lint.js')).lintCommand },
  test: { summary: SUMMARIES.test, load: async () => (await import('./test.js')).testCommand },
  arch: { summary: SUMMARIES.arch, load: async () => (await import('./arch.js')).archCommand },
  audit: { summary: SUMMARIES.audit, load: async () => (await import('./audit.js')).auditCommand },
  serve: { summary: SUMMARIES.serve, load: async () => (await import('./serve.js')).serve },
  schema: { summary: SUMMARIES.schema, load: async () => (await import('./schema.js')).schemaCommand },
};
