/**
 * Reads an architecture file (YAML or JSON, schemas/arch.schema.json) with positions, and checks its ids against
 * the knowledge: an unknown need is exit 2 with file:line:column, like any id outside the fixed lists. Unknown
 * models and Regions are not errors here: the check reports them.
 */
import { resolve } from 'node:path';
import { builtInKnowledge } from '../preflight.js';
import type { Knowledge } from '../types.js';
import { loadDocument } from '../config/document.js';
import { ProblemList } from '../config/errors.js';
import { displayPath } from '../config/load.js';
import type { Architecture } from './check.js';

export interface LoadedArchitecture {
  /** The file as named in messages. */
  file: string;
  architecture: Architecture;
}

export function loadArchitecture(file: string, options: { cwd?: string; knowledge?: Knowledge } = {}): LoadedArchitecture {
  const cwd = resolve(options.cwd ?? process.cwd());
  const k = options.knowledge ?? builtInKnowledge;
  const abs = file === '-' ? '-' : resolve(cwd, file);
  const doc = loadDocument(abs, file === '-' ? '<stdin>' : displayPath(abs, cwd), 'arch');
  const arch = doc.value as Architecture;
  const ids = new Set<string>([...k.apis.map((a) => a.id), ...k.capabilities.map((c) => c.id)]);
  const p = new ProblemList(doc.file, doc.locate);
  const names = new Set<string>();
  arch.workloads.forEach((w, i) => {
    if (names.has(w.name)) p.add(`/workloads/${i}/name`, `duplicate workload name "${w.name}"`);
    names.add(w.name);
    w.needs.forEach((n, j) => {
      if (!ids.has(n)) p.add(`/workloads/${i}/needs/${j}`, `unknown need "${n}": expected an api (${k.apis.map((a) => a.id).join(', ')}) or a capability (${k.capabilities.map((c) => c.id).join(', ')})`);
    });
  });
  p.throwIfAny('E_UNKNOWN_ID');
  return { file: doc.file, architecture: arch };
}
