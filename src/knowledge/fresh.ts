/**
 * Whether the generated knowledge (src/generated/knowledge.json) is older than the rules and schemas it is built
 * from. Only for runs from the source tree (tests, the CLI through tsx): a package's knowledge is built with it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_KNOWLEDGE = join('src', 'generated', 'knowledge.json');

/** The first rules or schema file newer than the generated knowledge, or the generated file when it is missing. */
export function staleKnowledgeSource(root: string): string | undefined {
  const built = mtimeOf(join(root, GENERATED_KNOWLEDGE));
  if (built === undefined) return GENERATED_KNOWLEDGE;
  for (const [dir, ext] of [['rules', '.yaml'], ['schemas', '.json']] as const) {
    for (const name of readdirSync(join(root, dir))) {
      if (!name.endsWith(ext)) continue;
      const m = mtimeOf(join(root, dir, name));
      if (m !== undefined && m > built) return join(dir, name);
    }
  }
  return undefined;
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
