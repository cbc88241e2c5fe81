/**
 * Build step: rules/*.yaml → (schemas/*.json, ajv) → src/generated/knowledge.json, which the library and CLI
 * import, so that neither YAML nor JSON Schema is parsed or compiled at run time.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKnowledge } from '../src/knowledge/assemble.js';
import { isPreflightInputError } from '../src/errors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  const knowledge = loadKnowledge(join(root, 'rules'), join(root, 'schemas'), root);
  const out = join(root, 'src', 'generated', 'knowledge.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, `${JSON.stringify(knowledge)}\n`);
  renameSync(`${out}.tmp`, out);
  console.log(`knowledge: ${knowledge.matrix.length} matrix rows, ${knowledge.capabilities.length} capabilities, ${knowledge.rules.length} rules`);
} catch (e) {
  if (isPreflightInputError(e)) {
    console.error(e.oneLine);
    process.exit(2);
  }
  throw e;
}
