/** Runs the command line with the process's arguments and streams (loaded by bin.ts). */
import { runCli } from './main.js';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const code = runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
});
if (typeof code === 'number') process.exitCode = code;
else void code.then((c) => (process.exitCode = c));
