/**
 * What lint must report for a generated fixture, computed from the documents' values (check) and the emitters'
 * recorded positions, never from lint's own parsing or locating.
 */
import { join } from 'node:path';
import { builtInKnowledge, createPreflight, isPreflightInputError } from '../../src/index.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import type { Finding } from '../../src/types.js';
import { expectedPosition, type Fixture, type GeneratedFile, type Pos } from './fixtures.js';

export interface ExpectedEntry {
  rel: string;
  findings: Array<Finding & Pos>;
  error?: { code: string; line?: number; column?: number };
}

export interface ExpectOptions {
  /** --endpoint */
  endpoint?: 'bedrock-runtime' | 'bedrock-mantle';
  /** The config's mapping, by the file's relative path. */
  mapped?: (rel: string) => 'bedrock-runtime' | 'bedrock-mantle' | undefined;
}

const preflight = createPreflight();

/** The endpoint lint uses for a document: --endpoint, else the URL (when its host is known), else the mapping. */
export function effectiveEndpoint(f: GeneratedFile, value: Record<string, unknown>, o: ExpectOptions): string | undefined {
  if (o.endpoint) return o.endpoint;
  if (typeof value['url'] === 'string') {
    try {
      return preflight.check(value).endpoint;
    } catch {
      return o.mapped?.(f.rel);
    }
  }
  return o.mapped?.(f.rel);
}

export function expectedEntry(f: GeneratedFile, o: ExpectOptions): ExpectedEntry {
  const out: ExpectedEntry = { rel: f.rel, findings: [] };
  let error = f.error;
  for (const d of f.docs) {
    const endpoint = effectiveEndpoint(f, d.value, o);
    try {
      const report = preflight.check(d.value, endpoint ? { endpoint } : {});
      for (const x of report.findings) out.findings.push({ ...x, ...expectedPosition(d, x.path) });
    } catch (e) {
      if (!isPreflightInputError(e)) throw e;
      const at = expectedPosition(d, typeof d.value['url'] === 'string' ? '/url' : '');
      const mine = { code: e.code, ...at };
      // The first problem in the file's order is the one reported.
      if (!error || (error.line !== undefined && at.line < error.line)) error = mine;
    }
  }
  out.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  if (error) out.error = error;
  return out;
}

export const expectedEntries = (fx: Fixture, o: ExpectOptions = {}): ExpectedEntry[] => fx.files.map((f) => expectedEntry(f, o));

/** The config mapping the tests use: bare bodies by template name in the file name (a JSON Lines file: its first line's). */
export function mappingByName(rel: string): 'bedrock-runtime' | 'bedrock-mantle' | undefined {
  if (/-bare-(responses|invoke)-/.test(rel)) return 'bedrock-runtime';
  if (/-bare-converse-/.test(rel)) return 'bedrock-mantle';
  return undefined;
}
export const MAPPING_GLOBS = [
  { glob: '**/*-bare-responses-*', endpoint: 'bedrock-runtime' as const },
  { glob: '**/*-bare-invoke-*', endpoint: 'bedrock-runtime' as const },
  { glob: '**/*-bare-converse-*', endpoint: 'bedrock-mantle' as const },
];

/** A resolved config with the test mapping (the loader is another module's; only what lint reads matters). */
export function configFor(root: string, endpoints = MAPPING_GLOBS): ResolvedConfig {
  return {
    file: join(root, '.bedrock-preflight.yaml'),
    root,
    cwd: root,
    endpoints,
    severity: [],
    ignores: [],
    maxWarnings: undefined,
    knowledge: builtInKnowledge,
    files: [],
    cells: [],
    rules: [],
  } as unknown as ResolvedConfig;
}

