/**
 * A copy of rules/ with one file edited, loaded as the build would: how tests reach the loader's refusals of a
 * malformed rules file without touching the repository's own.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledge } from '../../src/knowledge/assemble.js';
import { KnowledgeError } from '../../src/knowledge/load.js';

const root = join(import.meta.dirname, '..', '..');

/** The loader's error after `edit` is applied to rules/`file` in a copy; undefined when the copy loads. */
export function loadErrorAfterEdit(file: string, edit: (text: string) => string): KnowledgeError | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bp-rules-'));
  cpSync(join(root, 'rules'), dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit changed nothing in ${file}: the test's anchor text is stale`);
  writeFileSync(path, after);
  try {
    loadKnowledge(dir, join(root, 'schemas'), dir);
    return undefined;
  } catch (e) {
    if (e instanceof KnowledgeError) return e;
    throw e;
  }
}
