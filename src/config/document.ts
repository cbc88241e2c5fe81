/**
 * Reading the YAML/JSON documents users write for this tool (configuration, overlays, rule-pack cases,
 * architecture files) and checking them against their JSON Schema, with every problem at file:line:column.
 * The schemas are compiled to code at build time (validators.build.ts); no schema compiler runs here.
 */
import type { ErrorObject } from 'ajv';
import { isPreflightInputError, PreflightInputError } from '../errors.js';
import { parseBoundedInput } from '../input/yaml-bounds.js';
import { readInputFileSync } from '../input/read.js';
import { ConfigError, seg, type KnowledgeProblem } from './errors.js';
import { validateArch, validateConfig, validateRulePack } from './generated/validators.js';

export interface Document {
  /** The name used in messages (relative to the working directory where possible). */
  file: string;
  value: unknown;
  /** 1-based position of the key a JSON Pointer names (or of its deepest existing ancestor). */
  locate(pointer: string): { line: number; column: number };
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export type DocumentKind = 'config' | 'arch' | 'rulePack';
const VALIDATORS: Record<DocumentKind, Validate> = {
  config: validateConfig as Validate,
  arch: validateArch as Validate,
  rulePack: validateRulePack as Validate,
};

/** Reads and parses a file (`path` absolute or relative to the process), reporting it as `file`. */
export function readDocument(path: string, file: string): Document {
  try {
    const { text } = readInputFileSync(path);
    const parsed = parseBoundedInput(text, file);
    return { file, value: parsed.value, locate: (p) => parsed.locate(p) };
  } catch (e) {
    if (isPreflightInputError(e) && e.file !== file) {
      throw new PreflightInputError(e.code, e.message, { file, ...(e.position ? { position: e.position } : {}), cause: e });
    }
    throw e;
  }
}

/** Reads, parses and schema-checks a document; throws ConfigError (E_KNOWLEDGE) listing every problem. */
export function loadDocument(path: string, file: string, kind: DocumentKind): Document {
  const doc = readDocument(path, file);
  const problems = schemaProblems(doc, kind);
  if (problems.length > 0) throw new ConfigError(problems);
  return doc;
}

export function schemaProblems(doc: Document, kind: DocumentKind): KnowledgeProblem[] {
  const validate = VALIDATORS[kind];
  if (validate(doc.value)) return [];
  return problemsOf(doc, validate.errors ?? []);
}

/**
 * ajv errors as positioned problems. The errors of a oneOf's branches are kept when they say something (a
 * missing key, an unknown key); `type` errors at one place are merged ("must be string or array"); the
 * combinator's own error is shown only when nothing more precise is.
 */
function problemsOf(doc: Document, errors: ErrorObject[]): KnowledgeProblem[] {
  const types = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword !== 'type') continue;
    const list = types.get(e.instancePath) ?? [];
    list.push(String(e.params['type']));
    types.set(e.instancePath, list);
  }
  const precise = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword));
  const chosen = precise.length > 0 ? precise : errors;
  const seen = new Set<string>();
  const problems: KnowledgeProblem[] = [];
  for (const e of chosen) {
    const extraKey = e.keyword === 'additionalProperties' ? String(e.params['additionalProperty']) : undefined;
    const missing = e.keyword === 'required' ? String(e.params['missingProperty']) : undefined;
    const key = extraKey !== undefined ? `${e.instancePath}/${seg(extraKey)}` : e.instancePath;
    let message: string;
    if (extraKey !== undefined) message = `unknown key "${extraKey}"`;
    else if (missing !== undefined) message = `missing required key "${missing}"`;
    else if (e.keyword === 'type') message = `must be ${[...new Set(types.get(e.instancePath))].join(' or ')}`;
    else if (e.keyword === 'enum') message = `must be one of: ${(e.params['allowedValues'] as unknown[]).map((v) => String(v)).join(', ')}`;
    else if (e.keyword === 'oneOf' || e.keyword === 'anyOf') message = 'does not match any of the allowed forms';
    else message = e.message ?? 'invalid';
    const pos = doc.locate(key);
    const id = `${pos.line}:${pos.column}:${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push({ file: doc.file, line: pos.line, column: pos.column, key, message });
  }
  return problems;
}
