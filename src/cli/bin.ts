/**
 * The executable: reads argv first and answers `--version` before anything else is loaded, and the general help
 * (`--help`) from the command summaries alone (help.ts); every other command loads the CLI (run.ts and main.ts, in
 * chunks of their own) on demand, and main.ts loads each command's code and the knowledge only when it runs. Under --debug, source maps are turned on before that code is loaded, so that
 * stack traces name the src/ files and lines; without --debug, start-up pays nothing for them.
 */
import { VERSION } from '../version.js';
import { isMainHelp, mainHelp } from './help.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${VERSION}\n`);
} else if (isMainHelp(argv)) {
  process.stdout.write(mainHelp());
  // No arguments at all is a usage error that prints the help.
  if (argv.length === 0) process.exitCode = 2;
} else {
  if (argv.includes('--debug')) process.setSourceMapsEnabled(true);
  void import('./run.js');
}
