/**
 * Loads rules/*.yaml: parse with positions, validate against schemas/*.json with ajv, and report every problem
 * as `file:line:column: message (key)`. An invalid rules file never half-loads: any problem throws.
 *
 * This runs at build time for the built-in knowledge (scripts/build-knowledge.ts) and in tests; the CLI and the
 * library load the prebuilt JSON instead, so neither YAML nor JSON Schema is compiled at run time.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { PreflightInputError } from '../errors.js';
import { editDistance } from '../edit-distance.js';

export interface KnowledgeProblem {
  file: string;
  line: number;
  column: number;
  /** The key the problem is about, as a JSON Pointer into the file. */
  key: string;
  message: string;
}

export class KnowledgeError extends PreflightInputError {
  readonly problems: KnowledgeProblem[];
  constructor(problems: KnowledgeProblem[]) {
    const first = problems[0];
    super('E_KNOWLEDGE', problems.map(formatProblem).join('\n'), {
      ...(first ? { file: first.file, position: { line: first.line, column: first.column } } : {}),
    });
    this.problems = problems;
  }
  override get oneLine(): string {
    return this.message;
  }
}

export const formatProblem = (p: KnowledgeProblem): string =>
  `${p.file}:${p.line}:${p.column}: ${p.message}${p.key ? ` (at ${p.key})` : ''}`;

/** The kinds of rules files, each with its schema in schemas/<kind>.schema.json. */
export const RULE_FILE_KINDS = ['endpoints', 'apis', 'capabilities', 'matrix', 'guidance', 'findings', 'models', 'regions', 'requests'] as const;
export type RuleFileKind = (typeof RULE_FILE_KINDS)[number] | 'cases';

/** A parsed YAML file that can map a JSON Pointer back to a position. */
export interface LoadedYaml {
  file: string;
  value: unknown;
  positionOf(pointer: string, offendingKey?: string): { line: number; column: number };
}

export function parseYamlWithPositions(text: string, file: string): LoadedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, key: '', message: e.message.split('\n')[0] ?? e.message };
    });
    throw new KnowledgeError(problems);
  }
  const value = doc.toJS({ maxAliasCount: 100 });
  return {
    file,
    value,
    positionOf(pointer, offendingKey) {
      const offset = offsetOf(doc, pointerSegments(pointer), offendingKey);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    },
  };
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Offset of the node a path names (of its key when it is a map member), or of its deepest existing ancestor. */
function offsetOf(doc: Document, segments: string[], offendingKey?: string): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  const keyed = offendingKey === undefined ? segments : [...segments, offendingKey];
  for (const seg of keyed) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

let ajvInstance: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/** The ajv validator for a kind of rules file, compiled once from schemas/. */
export function validatorFor(kind: RuleFileKind, schemasDir: string): ValidateFunction {
  const cached = validators.get(kind);
  if (cached) return cached;
  if (!ajvInstance) {
    ajvInstance = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    ajvInstance.addFormat('regex', (s: string) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    });
    ajvInstance.addSchema(readJson(join(schemasDir, 'common.schema.json')));
  }
  const schema = readJson(join(schemasDir, `${kind}.schema.json`)) as { $id: string };
  const validate = ajvInstance.getSchema(schema.$id) ?? ajvInstance.compile(schema);
  validators.set(kind, validate);
  return validate;
}

function readJson(path: string): object {
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

/** Turns ajv errors into positioned problems, dropping the noise of oneOf branches when a clearer error exists. */
export function schemaProblems(loaded: LoadedYaml, errors: ErrorObject[]): KnowledgeProblem[] {
  const seen = new Set<string>();
  const problems: KnowledgeProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const extraKey = e.keyword === 'additionalProperties' ? String(e.params['additionalProperty']) : undefined;
    const missing = e.keyword === 'required' ? String(e.params['missingProperty']) : undefined;
    const pos = loaded.positionOf(e.instancePath, extraKey);
    let message: string;
    if (extraKey !== undefined) message = `unknown key "${extraKey}"`;
    else if (missing !== undefined) message = `missing required key "${missing}"`;
    else if (e.keyword === 'enum') message = `${e.message ?? 'invalid value'}: ${(e.params['allowedValues'] as unknown[]).join(', ')}`;
    else message = e.message ?? 'invalid';
    const key = extraKey !== undefined ? `${e.instancePath}/${extraKey}` : e.instancePath;
    const id = `${pos.line}:${pos.column}:${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push({ file: loaded.file, line: pos.line, column: pos.column, key, message });
  }
  return problems;
}

/** Reads, parses and schema-validates one rules file; throws KnowledgeError listing every problem. */
export function loadRulesFile(path: string, kind: RuleFileKind, schemasDir: string, displayRoot?: string): LoadedYaml {
  const file = displayRoot ? relative(displayRoot, path) : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PreflightInputError('E_INPUT_READ', `cannot read rules file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  const loaded = parseYamlWithPositions(text, file);
  const validate = validatorFor(kind, schemasDir);
  if (!validate(loaded.value)) throw new KnowledgeError(schemaProblems(loaded, validate.errors ?? []));
  return loaded;
}

/**
 * The problem of a matrix row whose id is neither an api nor a capability id and that has no label: most likely a
 * misspelt id, named as such, with the nearest known id when one is close.
 */
export function unknownRowId(id: string, known: readonly string[]): string {
  const near = closest(id, known);
  const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
  return `unknown row id "${id}": not an api or capability id${hint}; a row of its own needs a label`;
}

/** The known id within a third of its length in edits of `id`, if any. */
function closest(id: string, known: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(id, k);
    if (d <= Math.max(1, Math.floor(k.length / 3)) && (best === undefined || d < best.d)) best = { id: k, d };
  }
  return best?.id;
}

