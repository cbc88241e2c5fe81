/**
 * The command line: parses flags, calls the library, formats, sets the exit code. Nothing else.
 * Exit codes: 0 nothing at error severity; 1 an error finding (recommend: no single endpoint); 2 the tool could
 * not do its job (bad flag, unreadable or malformed input, unknown id, undeterminable endpoint).
 */
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { isPreflightInputError, PreflightInputError } from '../errors.js';
import { COMMON, commandHelp, REQUEST, REQUEST_FLAGS, json, limitsFrom, readRequest, requestOptions, usage, withFile, type CliIo, type Command, type Context, type Format } from './command.js';
import { EXTRA_COMMANDS } from './commands/index.js';
import { SUMMARIES } from './commands/summaries.js';
import { mainHelp } from './help.js';
import { formatCheckText, formatRecommendText, formatExplainText, formatRulesText } from '../format/text.js';
import { formatMatrixHtml, formatMatrixMarkdown, formatMatrixText } from '../format/matrix.js';
import { checkDocumentFile } from '../lint/drift.js';
import { notARequest, requestFieldsOf } from '../lint/kinds.js';
import type { Preflight } from '../preflight.js';
import { CONFIG_FLAGS_HELP, CONFIG_OPTIONS, configWanted } from '../config/find.js';
import type { PolicyCheckReport } from '../config/index.js';
import type { CheckReport } from '../types.js';
import { exitCodeOfCheck, exitCodeOfRecommend } from '../format/exit.js';
import { VERSION } from '../version.js';
import { editDistance } from '../edit-distance.js';
import { redact, sanitize, sanitizeStrings } from '../redact.js';

const BUILT_IN: Record<string, Command> = {
  check: {
    summary: SUMMARIES.check,
    usage: `bedrock-preflight check <file|-> [options]\n\n${REQUEST_FLAGS}\n${CONFIG_FLAGS_HELP}\n  --format text|json`,
    examples: ['bedrock-preflight check examples/mantle-messages-structured-output.json', 'bedrock-preflight check body.json --endpoint mantle --api messages --format json'],
    options: { ...REQUEST, ...CONFIG_OPTIONS },
    formats: ['text', 'json'],
    run({ positionals, values, format, io, color, preflight }) {
      const [file, ...rest] = positionals;
      if (file === undefined) throw usage('check needs a file (or - for stdin)');
      if (rest.length > 0) throw usage(`check takes one file; got also ${rest.join(' ')}`);
      const limits = limitsFrom(values);
      const input = withFile(file, () => readRequest(file, limits));
      const print = (report: CheckReport, suppressed: string): number => {
        io.stdout(format === 'json' ? json(report) : formatCheckText(sanitizeStrings(report), { color, file: sanitize(file), width: io.columns }) + suppressed);
        return exitCodeOfCheck(report);
      };
      const checked = <T>(f: () => T): T => withFile(file, () => unlessNotARequest(f, input, values, preflight));
      if (!configWanted(values, process.cwd())) return print(checked(() => preflight.check(input, requestOptions(values))), '');
      // A configuration is read (and its code loaded) only when there is one.
      return import('../config/index.js').then((cfg) => {
        const config = cfg.resolveConfigForCli(values, process.cwd());
        const report = checked(() => (config ? cfg.checkWithConfig(config, input, requestOptions(values), file) : preflight.check(input, requestOptions(values))));
        return print(report, 'suppressed' in report ? cfg.formatSuppressedText(sanitizeStrings((report as PolicyCheckReport).suppressed), { color }) : '');
      });
    },
  },
  recommend: {
    summary: SUMMARIES.recommend,
    usage: `bedrock-preflight recommend --needs id,id,…  |  bedrock-preflight recommend <file|-> [options]\n\n  --needs LIST     apis and capabilities, comma-separated\n${REQUEST_FLAGS}\n  --format text|json`,
    examples: ['bedrock-preflight recommend --needs responses,guardrails', 'bedrock-preflight recommend examples/runtime-converse-guardrails.json --format json'],
    options: { ...REQUEST, needs: { type: 'string' } },
    formats: ['text', 'json'],
    run({ positionals, values, format, io, color, preflight }) {
      const needsFlag = values['needs'];
      const [file, ...rest] = positionals;
      if (rest.length > 0) throw usage(`recommend takes at most one file; got also ${rest.join(' ')}`);
      if (typeof needsFlag === 'string' && file !== undefined) throw usage('give either --needs or a file, not both');
      if (typeof needsFlag !== 'string' && file === undefined) throw usage('recommend needs --needs id,id,… or a request file');
      const limits = limitsFrom(values);
      const result =
        typeof needsFlag === 'string'
          ? preflight.recommend({ needs: needsFlag.split(',').map((s) => s.trim()).filter((s) => s !== '') })
          : withFile(file!, () => preflight.recommend({ request: readRequest(file!, limits), options: requestOptions(values) }));
      io.stdout(format === 'json' ? json(result) : formatRecommendText(sanitizeStrings(result), { color, width: io.columns }));
      return exitCodeOfRecommend(result);
    },
  },
  matrix: {
    summary: SUMMARIES.matrix,
    usage: 'bedrock-preflight matrix [--format text|md|html|json] [--check FILE]\n\n  --check FILE     exit 1 (with a one-line summary) when FILE differs from what "matrix --format md" (html for a\n                   .html file) prints now, 0 when it is the same, 2 when it cannot be read; never writes',
    examples: ['bedrock-preflight matrix', 'bedrock-preflight matrix --format md > ENDPOINTS.md', 'bedrock-preflight matrix --check ENDPOINTS.md'],
    options: { check: { type: 'string' } },
    formats: ['text', 'md', 'html', 'json'],
    run({ values, format, io, color, preflight }) {
      const checked = values['check'];
      if (typeof checked === 'string') {
        const asHtml = /\.html?$/i.test(checked);
        const expected = asHtml ? formatMatrixHtml(preflight.knowledge) : formatMatrixMarkdown(preflight.knowledge);
        const drift = checkDocumentFile(checked, expected, `bedrock-preflight matrix --format ${asHtml ? 'html' : 'md'} > ${checked}`);
        io.stdout(format === 'json' ? json({ file: drift.file, upToDate: drift.upToDate, summary: drift.summary }) : `${drift.summary}\n`);
        return drift.upToDate ? 0 : 1;
      }
      if (format === 'json') io.stdout(json(preflight.matrix()));
      else if (format === 'md') io.stdout(formatMatrixMarkdown(preflight.knowledge));
      else if (format === 'html') io.stdout(formatMatrixHtml(preflight.knowledge));
      else io.stdout(formatMatrixText(preflight.knowledge, { color }));
      return 0;
    },
  },
  rules: {
    summary: SUMMARIES.rules,
    usage: 'bedrock-preflight rules [--format text|json]',
    examples: ['bedrock-preflight rules --format json > rules.json'],
    options: {},
    formats: ['text', 'json'],
    run({ format, io, color, preflight }) {
      io.stdout(format === 'json' ? json(preflight.rules()) : formatRulesText(preflight.rules(), { color }));
      return 0;
    },
  },
  explain: {
    summary: SUMMARIES.explain,
    usage: 'bedrock-preflight explain <id> [--format text|json]',
    examples: ['bedrock-preflight explain guardrails', 'bedrock-preflight explain bedrock-mantle --format json'],
    options: {},
    formats: ['text', 'json'],
    run({ positionals, format, io, color, preflight }) {
      const [id, ...rest] = positionals;
      if (id === undefined) throw usage('explain needs an id, e.g. guardrails, bedrock-mantle or responses');
      if (rest.length > 0) throw usage(`explain takes one id; got also ${rest.join(' ')}`);
      const e = preflight.explain(id);
      io.stdout(format === 'json' ? json(e) : formatExplainText(sanitizeStrings(e), { color, width: io.columns }));
      return 0;
    },
  },
};


/**
 * `check` of a file that is not a request (package.json, a rule pack): said so, as lint says it, instead of asking
 * for an endpoint the file has no use for. Only where the endpoint was missing anyway, and the user named no api:
 * with --endpoint or --api the file is checked as asked.
 */
function unlessNotARequest<T>(f: () => T, input: unknown, values: Context['values'], preflight: Preflight): T {
  try {
    return f();
  } catch (e) {
    if (!isPreflightInputError(e) || e.code !== 'E_UNKNOWN_ENDPOINT' || values['api'] !== undefined) throw e;
    const why = notARequest(input, '', true, requestFieldsOf(preflight.knowledge));
    if (why === undefined) throw e;
    const what = why.startsWith('not a request') ? why : `not a request: ${why}`;
    throw new PreflightInputError('E_INPUT_SHAPE', `${what}; check reads an HTTP envelope (with a url) or a request body (to check this file as one anyway, pass --endpoint)`, {
      position: { line: 1, column: 1 },
    });
  }
}

const COMMAND_NAMES = [...Object.keys(BUILT_IN), ...Object.keys(EXTRA_COMMANDS)];

export type { CliIo };

/** Runs the CLI and returns the exit code (a promise for long-running commands); never throws or rejects. */
export function runCli(argv: readonly string[], io: CliIo): number | Promise<number> {
  const debug = argv.includes('--debug');
  const fail = (e: unknown): number => failWith(e, io, debug, wantsJson(argv));
  try {
    const [name, ...args] = argv;
    if (name === 'help' && args.length > 0) return commandHelpFor(args, io, fail);
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(mainHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    const builtIn = BUILT_IN[name];
    if (builtIn) return runCommand(builtIn, name, args, io, fail);
    const lazy = EXTRA_COMMANDS[name];
    if (!lazy) throw unknownCommand(name);
    return lazy.load().then((command) => runCommand(command, name, args, io, fail), fail);
  } catch (e) {
    return fail(e);
  }
}

/** `help <command>`: that command's help, as `<command> --help` prints it. */
function commandHelpFor(args: readonly string[], io: CliIo, fail: (e: unknown) => number): number | Promise<number> {
  const [name, ...rest] = args as [string, ...string[]];
  if (rest.length > 0) throw usage(`help takes one command; got also ${rest.join(' ')}`);
  const builtIn = BUILT_IN[name];
  if (builtIn) return runCommand(builtIn, name, ['--help'], io, fail);
  const lazy = EXTRA_COMMANDS[name];
  if (!lazy) throw unknownCommand(name);
  return lazy.load().then((command) => runCommand(command, name, ['--help'], io, fail), fail);
}

const unknownCommand = (name: string): PreflightInputError =>
  usage(`unknown command "${name}"${didYouMean(name, COMMAND_NAMES)} (expected one of: ${COMMAND_NAMES.join(', ')})`);

/** `; did you mean "x"?` for the one candidate within two edits of `word`, else nothing. */
export function didYouMean(word: string, candidates: readonly string[], before = '"', after = '"'): string {
  if (word.length > 64) return '';
  const near = candidates.filter((c) => editDistance(word, c) <= 2);
  return near.length === 1 ? `; did you mean ${before}${near[0]}${after}?` : '';
}


function runCommand(command: Command, name: string, args: readonly string[], io: CliIo, fail: (e: unknown) => number): number | Promise<number> {
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...args], options: { ...COMMON, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw usage(`${optionProblem(e as Error, Object.keys({ ...COMMON, ...command.options }))} (see "bedrock-preflight ${name} --help")`);
    }
    const values = parsed.values as Context['values'];
    if (values['help'] === true) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const formatRaw = (values['format'] as string | undefined) ?? command.formats[0]!;
    const format = z.enum(command.formats as [Format, ...Format[]]).safeParse(formatRaw);
    if (!format.success) {
      throw new PreflightInputError('E_UNKNOWN_ID', `unknown --format "${formatRaw}" for ${name} (expected ${command.formats.join(', ')})`);
    }
    const color = values['no-color'] === true ? false : values['color'] === true ? true : colorFromEnv(io);
    // The knowledge (most of the start-up) is loaded only now: --help and bad flags never pay for it.
    return import('../preflight.js').then(({ createPreflight }) => {
      const result = command.run({ positionals: parsed.positionals, values, format: format.data, io, color, preflight: createPreflight() });
      return typeof result === 'number' ? result : result.catch(fail);
    }, fail).catch(fail);
  } catch (e) {
    return fail(e);
  }
}

/** parseArgs's message in this tool's words: lower-case, without its positional-argument hint, with a suggestion. */
function optionProblem(e: Error, options: readonly string[]): string {
  const message = e.message.replace(/\. To specify a positional argument.*$/s, '');
  const unknown = /^Unknown option '--([^']+)'$/.exec(message);
  if (unknown === null) return message.charAt(0).toLowerCase() + message.slice(1);
  return `unknown option --${unknown[1]}${didYouMean(unknown[1]!, options.filter((o) => o.length > 1), '--', '')}`;
}

/** `--format json` among the arguments: then an exit 2 also prints one JSON document, `{ "error": … }`, on stdout. */
const wantsJson = (argv: readonly string[]): boolean => argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));

/** Stack traces: credentials redacted, control characters escaped, line breaks kept. */
const cleanStack = (stack: string): string => stack.split('\n').map(sanitize).join('\n');

/** Prints why the command could not do its job (one line; the stack only with --debug) and returns 2. */
function failWith(e: unknown, io: CliIo, debug: boolean, asJson: boolean): number {
  const known = isPreflightInputError(e);
  const err = e as Error | undefined;
  // PreflightInputError messages are sanitised when made; anything else is sanitised here.
  const line = known ? redact(e.oneLine) : `internal error: ${sanitize(err?.message ?? String(e))}${debug ? '' : ' (run with --debug for the stack trace)'}`;
  io.stderr(`bedrock-preflight: ${line}\n`);
  if (debug && err?.stack) io.stderr(`${cleanStack(err.stack)}\n`);
  if (asJson) {
    const where = known && e.file !== undefined ? { file: e.file, ...(e.position ? { line: e.position.line, column: e.position.column } : {}) } : {};
    io.stdout(json({ error: { code: known ? e.code : 'E_INTERNAL', message: known ? e.message : sanitize(err?.message ?? String(e)), ...where } }));
  }
  return 2;
}

function colorFromEnv(io: CliIo): boolean {
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return io.isTTY && io.env['TERM'] !== 'dumb';
}

