/**
 * The general help (`bedrock-preflight --help`): printed by bin.ts from the command summaries alone, without
 * loading the CLI, any command or the knowledge.
 */
import { VERSION } from '../version.js';
import { SUMMARIES } from './commands/summaries.js';

export const HELP_FLAGS = `  --format F       output format (see each command)
  --color, --no-color   force colours on or off (default: on for a terminal, off in pipes)
  --debug          print stack traces of internal errors
  -h, --help       this help
  -v, --version    the version`;

/** The arguments that ask for the general help (none at all prints it too, as a usage error). */
export const isMainHelp = (argv: readonly string[]): boolean =>
  argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'));

export function mainHelp(): string {
  const names = Object.keys(SUMMARIES) as Array<keyof typeof SUMMARIES>;
  const width = Math.max(...names.map((c) => c.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${SUMMARIES[name]}`);
  return `bedrock-preflight ${VERSION}: pre-flight checks of Amazon Bedrock requests for bedrock-runtime and bedrock-mantle

Usage: bedrock-preflight <command> [options]

Commands:
${lines.join('\n')}

Options for every command:
${HELP_FLAGS}

Exit codes: 0 no error finding; 1 an error finding (recommend: no single endpoint meets every need);
2 the tool could not do its job (bad flag, unreadable or malformed input, unknown id).
Run "bedrock-preflight help <command>" (or "<command> --help") for a command's options and examples.
`;
}
