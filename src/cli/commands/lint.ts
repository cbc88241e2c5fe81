/**
 * `lint <paths…>`: the library's lint() over files, directories and globs, printed in one of five formats.
 * Files that could not be linted are in the output (and, for the machine formats, one line each on stderr).
 */
import { escapeJsonText, redact, remembered, sanitize, sanitizeStrings } from '../../redact.js';
import * as z from 'zod/mini';
import { SUMMARIES } from './summaries.js';
import { exitCodeOfLint, fileErrorsOf, lint, tooManyWarnings, type LintEntry, type LintResult } from '../../lint/index.js';
import type { Knowledge } from '../../types.js';
import { formatLintStylish } from '../../format/stylish.js';
import { formatLintSarif } from '../../format/sarif.js';
import { formatLintJunit } from '../../format/junit.js';
import { formatLintGithub } from '../../format/github.js';
import { jsonLintWriter } from '../../format/lint-json.js';
import { REQUEST, limitsFrom, requestOptions, usage, type Command, type Context } from '../command.js';
import { CONFIG_FLAGS_HELP, CONFIG_OPTIONS, configWanted } from '../../config/find.js';
import type { ResolvedConfig, ApplyPolicy } from '../../config/types.js';
import type { Preflight } from '../../preflight.js';

const MaxWarnings = z.pipe(z.string().check(z.regex(/^(0|[1-9][0-9]{0,12})$/)), z.transform(Number));

export const lintCommand: Command = {
  summary: SUMMARIES.lint,
  usage: `bedrock-preflight lint <file|dir|glob…> [options]

  Directories are searched for *.json, *.yaml, *.yml, *.jsonl and *.ndjson (not in node_modules, dot-folders or dot-files);
  quote globs so that the shell leaves them alone. *.jsonl / *.ndjson files hold one request per line.
  The endpoint of each request: --endpoint, else the envelope's URL, else the config's endpoints mapping.
  Files that are not requests are skipped and listed with the reason: this tool's configurations, rule packs and
  architecture files (by the schema they declare or their top-level keys), and, in a folder or glob, files with
  no url and no field of any API's request body (package.json, workflows).

  --endpoint E     bedrock-runtime | bedrock-mantle (or runtime | mantle), for every request
  --api A          invoke-model | converse | chat-completions | responses | messages, for every request
  --model M        model id, for every request
  --region R       Region, for every request
  --max-warnings N exit 1 when there are more than N warnings
  --strict         a file that is not a request is an error (exit 2) instead of being skipped
  --max-bytes N    largest file accepted, in bytes (default 10485760)
  --max-depth N    deepest nesting of objects and arrays accepted (default 200)
  --format stylish|json|sarif|junit|github
${CONFIG_FLAGS_HELP}

Exit codes: 2 if a file could not be read, parsed or given an endpoint (every file is still reported);
else 1 for an error finding or more warnings than --max-warnings; else 0.`,
  examples: ['bedrock-preflight lint examples/', "bedrock-preflight lint 'requests/**/*.json' --endpoint mantle --format github", 'bedrock-preflight lint traffic.jsonl --format sarif > lint.sarif'],
  options: { ...REQUEST, ...CONFIG_OPTIONS, 'max-warnings': { type: 'string' }, strict: { type: 'boolean' } },
  formats: ['stylish', 'json', 'sarif', 'junit', 'github'],
  run(ctx) {
    if (ctx.positionals.length === 0) throw usage('lint needs at least one file, directory or glob');
    if (!configWanted(ctx.values, process.cwd())) return runLint(ctx, undefined, undefined);
    // A configuration is read (and its code loaded) only when there is one.
    return import('../../config/index.js').then((cfg) => {
      const config = cfg.resolveConfigForCli(ctx.values, process.cwd());
      return runLint(ctx, config, config ? cfg.policyOf(config) : undefined, config ? (file) => cfg.preflightFor(config, file) : undefined);
    });
  },
};

/** The formats other than json, laid out from the whole (sanitised) result. */
function formatGathered(result: LintResult, format: string, o: { cwd: string; color: boolean; maxWarnings: number | undefined; knowledge: Knowledge }): string {
  switch (format) {
    case 'sarif':
      return formatLintSarif(result, { cwd: o.cwd, knowledge: o.knowledge });
    case 'junit':
      return formatLintJunit(result);
    case 'github':
      return formatLintGithub(result);
    default:
      return formatLintStylish(result, { color: o.color, maxWarnings: o.maxWarnings });
  }
}

function runLint(
  { positionals, values, format, io, color, preflight }: Context,
  config: ResolvedConfig | undefined,
  applyPolicy: ApplyPolicy | undefined,
  preflightFor?: (file: string) => Preflight,
): number {
  {
    let maxWarnings: number | undefined;
    const mw = values['max-warnings'];
    if (mw !== undefined) {
      const r = MaxWarnings.safeParse(mw);
      if (!r.success) throw usage(`--max-warnings takes a whole number (0 or more), not "${String(mw)}"`);
      maxWarnings = r.data;
    }
    const cwd = process.cwd();
    maxWarnings ??= config?.maxWarnings;
    const options = { ...requestOptions(values), limits: limitsFrom(values), strict: values['strict'] === true, cwd, ...(config ? { config, applyPolicy, ...(preflightFor ? { preflightFor } : {}) } : { preflight }) };
    // Every string the formats print is sanitised (JSON escapes control characters itself), remembered: across
    // many files the same messages and sources repeat (see remembered()).
    const clean = remembered(format === 'json' ? redact : sanitize);
    const reportErrors = (e: LintEntry): void => {
      for (const p of fileErrorsOf(e)) {
        const where = p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : '';
        io.stderr(`bedrock-preflight: ${sanitize(`${e.file}${where}: ${p.message}`)}\n`);
      }
    };
    let result: LintResult;
    if (format === 'json') {
      // Streamed: each entry (and a JSON Lines file's findings, a line at a time) written as lint gives it.
      const writer = jsonLintWriter((part) => io.stdout(escapeJsonText(part)), (v) => sanitizeStrings(v, { clean }));
      result = lint(positionals, { ...options, sink: { findings: writer.findings, entry: (e) => (writer.entry(e), reportErrors(e)) } });
      writer.end();
    } else {
      result = sanitizeStrings(lint(positionals, options), { clean });
      io.stdout(formatGathered(result, format, { cwd, color, maxWarnings, knowledge: preflight.knowledge }));
      if (format !== 'stylish') result.files.forEach(reportErrors);
    }
    if (format !== 'stylish' && tooManyWarnings(result.counts, maxWarnings)) {
      io.stderr(`bedrock-preflight: too many warnings: ${result.counts.warnings}, more than --max-warnings ${maxWarnings}\n`);
    }
    return exitCodeOfLint(result, maxWarnings);
  }
}
