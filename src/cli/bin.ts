/**
 * The executable: reads argv first and answers `--version` before anything else is loaded; every other command
 * loads the CLI (main.ts, in its own chunk) on demand, and main.ts loads each command's code only when it runs.
 */
import { VERSION } from '../version.js';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  void import('./main.js').then(({ runCli }) => {
    const code = runCli(argv, {
      stdout: (s) => void process.stdout.write(s),
      stderr: (s) => void process.stderr.write(s),
      isTTY: process.stdout.isTTY === true,
      env: process.env,
      ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
    });
    if (typeof code === 'number') process.exitCode = code;
    else void code.then((c) => (process.exitCode = c));
  });
}
