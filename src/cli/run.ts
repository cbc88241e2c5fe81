/**
 * Runs the command line with the process's arguments and streams (loaded by bin.ts). Run from the source tree
 * (`npx tsx src/cli/run.ts …`), it first refuses knowledge built before a rules file was last edited.
 */
import { dirname, join } from 'node:path';
import { staleKnowledgeSource } from '../knowledge/fresh.js';
import { runCli } from './main.js';

const script = process.argv[1] ?? '';
if (script.endsWith('.ts')) {
  const newer = staleKnowledgeSource(join(dirname(script), '..', '..'));
  if (newer !== undefined) {
    process.stderr.write(`bedrock-preflight: ${newer} is newer than the built knowledge (src/generated/knowledge.json); run npm run build:knowledge\n`);
    process.exit(2);
  }
}

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
