/**
 * vitest globalSetup: the tests read the generated knowledge, so a rules or schema file edited since the last
 * build would be tested against the old facts. Rebuild it first, and say so.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { GENERATED_KNOWLEDGE, staleKnowledgeSource } from '../../src/knowledge/fresh.js';

export default function rebuildStaleKnowledge(): void {
  const root = join(import.meta.dirname, '..', '..');
  const newer = staleKnowledgeSource(root);
  if (newer === undefined) return;
  const why = newer === GENERATED_KNOWLEDGE ? `${GENERATED_KNOWLEDGE} is missing` : `${newer} is newer than ${GENERATED_KNOWLEDGE}`;
  console.log(`${why}: rebuilding the knowledge (npm run build:knowledge)`);
  execFileSync('npm', ['run', '--silent', 'build:knowledge'], { cwd: root, stdio: 'inherit' });
}
