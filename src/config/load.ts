/**
 * Loads `.bedrock-preflight.yaml` and the overlays it extends into a ResolvedConfig: each file parsed with
 * positions, checked against schemas/config.schema.json and against the knowledge (row, capability, model family
 * and Region ids, regular expressions), then merged (the most derived file wins) and applied to the knowledge.
 * Every problem is reported as file:line:column; an invalid file never half-loads.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PreflightInputError } from '../errors.js';
import { existsSync, realpathSync } from 'node:fs';
import { CONFIG_FILE_NAMES, CONFIG_FLAGS_HELP, CONFIG_OPTIONS, configWanted, findConfigFile, isFile } from './find.js';

export { CONFIG_FILE_NAMES, CONFIG_FLAGS_HELP, CONFIG_OPTIONS, configWanted, findConfigFile };
import { builtInKnowledge } from '../preflight.js';
import { ELEMENT_TEST_KINDS, type Knowledge, type RequestTest } from '../types.js';
import { loadDocument, type Document } from './document.js';
import { ConfigError, ProblemList } from './errors.js';
import { applyOverlay, compileOrgRule, rowFor } from './overlay.js';
import { userRegexProblem } from '../linear-regex.js';
import { globProblem } from './glob.js';
import type { CellOverride, EndpointMapping, Ignore, OrgRule, ResolvedConfig, SeverityOverride } from './types.js';

/** The names a configuration file is found under, in order of preference. */

export interface LoadConfigOptions {
  /** The working directory: paths in messages are relative to it (default process.cwd()). */
  cwd?: string;
  /** The knowledge the overlays apply to (default the built-in knowledge). */
  knowledge?: Knowledge;
  /**
   * Let `extends` name files outside the configuration's own folder tree (default false: such an entry is an
   * error, and the file is never read, so none of its content can be echoed).
   */
  allowOutsideExtends?: boolean;
}

/** The real path (symbolic links resolved) when there is one, else the path itself. */
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether `path` is `tree` or inside it. */
function isInside(path: string, tree: string): boolean {
  const rel = relative(tree, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}


/** How a path is named in messages: relative to the working directory, or absolute when that is shorter. */

/** The kinds of test a configuration's request test may be (rules/requests.yaml has a few more). */
const CONFIG_TEST_KINDS = ['body', 'absent', 'header', 'headerAbsent', 'count', 'sequence', 'capability', 'compare', 'repeats', 'pairs', 'some', 'all'] as const;
/** What a test inside `some` may be in a configuration (any is not a configuration test). */
const ELEMENT_KINDS: readonly string[] = ELEMENT_TEST_KINDS.filter((k) => (CONFIG_TEST_KINDS as readonly string[]).includes(k));
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  if (rel === '' || isAbsolute(rel)) return abs;
  if (rel.startsWith('..') && abs.length <= rel.length) return abs;
  return rel;
}

interface RawRule extends Omit<OrgRule, 'by' | 'compiled'> {}
interface RawConfig {
  extends?: string | string[];
  endpoints?: EndpointMapping[];
  maxWarnings?: number;
  cells?: Array<Omit<CellOverride, 'by'>>;
  rules?: RawRule[];
  severity?: SeverityOverride[];
  ignores?: Ignore[];
}

interface Layer {
  abs: string;
  doc: Document;
  raw: RawConfig;
}

/** Loads a configuration file (absolute, or relative to `cwd`) and the overlays it extends. */
export function loadConfig(file: string, options: LoadConfigOptions = {}): ResolvedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const base = options.knowledge ?? builtInKnowledge;
  const abs = resolve(cwd, file);
  if (!isFile(abs)) {
    throw new PreflightInputError('E_INPUT_READ', existsSync(abs) ? 'the configuration is not a file' : 'configuration file not found', { file: displayPath(abs, cwd) });
  }
  const layers: Layer[] = [];
  const tree = options.allowOutsideExtends === true ? undefined : realOrSelf(dirname(abs));
  collectLayers(abs, cwd, [], new Set(), layers, base, tree);

  // Merge: layers run from the most basic overlay to the configuration file itself; the later wins.
  const cells = new Map<string, CellOverride>();
  const rules = new Map<string, OrgRule>();
  let maxWarnings: number | undefined;
  const endpoints: EndpointMapping[] = [];
  const severity: SeverityOverride[] = [];
  const ignores: Ignore[] = [];
  for (const layer of layers) {
    const { raw, doc } = layer;
    const by = (pointer: string): string => `${doc.file}:${doc.locate(pointer).line}`;
    raw.cells?.forEach((c, i) => cells.set(`${c.id}|${c.api ?? ''}|${c.endpoint}`, { ...c, by: by(`/cells/${i}`) }));
    raw.rules?.forEach((r, i) => {
      const rule = { ...r, by: by(`/rules/${i}`) };
      rules.set(r.id, { ...rule, compiled: compileOrgRule(rule, base).rules });
    });
    if (raw.maxWarnings !== undefined) maxWarnings = raw.maxWarnings;
  }
  // Lists where the first match wins: the most derived file's entries first.
  for (const layer of [...layers].reverse()) {
    const { raw, doc } = layer;
    const by = (pointer: string): string => `${doc.file}:${doc.locate(pointer).line}`;
    raw.endpoints?.forEach((e) => endpoints.push({ ...e }));
    raw.severity?.forEach((s, i) => severity.push({ ...s, by: by(`/severity/${i}`) }));
    raw.ignores?.forEach((g, i) => ignores.push({ ...g, by: by(`/ignores/${i}`) }));
  }
  const ruleList = [...rules.values()];
  const everywhere = ruleList.filter((r) => r.files === undefined);
  const knowledge = cells.size === 0 && ruleList.length === 0 ? base : applyOverlay(base, [...cells.values()], everywhere, ruleList);
  return {
    file: displayPath(abs, cwd),
    root: dirname(abs),
    endpoints,
    severity,
    ignores,
    maxWarnings,
    knowledge,
    cwd,
    files: layers.map((l) => l.doc.file),
    cells: [...cells.values()],
    rules: ruleList,
  };
}

function collectLayers(abs: string, cwd: string, chain: Array<{ abs: string; file: string; line: number }>, done: Set<string>, out: Layer[], k: Knowledge, tree: string | undefined): void {
  const doc = loadDocument(abs, displayPath(abs, cwd), 'config');
  const raw = doc.value as RawConfig;
  checkAgainstKnowledge(doc, raw, k);
  done.add(abs);
  const list = raw.extends === undefined ? [] : Array.isArray(raw.extends) ? raw.extends : [raw.extends];
  list.forEach((entry, i) => {
    const pointer = Array.isArray(raw.extends) ? `/extends/${i}` : '/extends';
    const target = resolve(dirname(abs), entry);
    const pos = doc.locate(pointer);
    const here = { abs, file: doc.file, line: pos.line };
    if (tree !== undefined && !isInside(realOrSelf(target), tree)) {
      throw new ConfigError(
        [{ file: doc.file, line: pos.line, column: pos.column, key: pointer, message: `extends "${entry}" is outside the configuration's folder (${displayPath(tree, cwd)}); it was not read. Pass --allow-outside-extends to allow it` }],
        'E_INPUT_READ',
      );
    }
    const cycle = [...chain, here].findIndex((c) => c.abs === target);
    if (cycle >= 0) {
      const names = [...chain, here].slice(cycle).map((c) => `${c.file}:${c.line}`);
      throw new ConfigError([{ file: doc.file, line: pos.line, column: pos.column, key: pointer, message: `extends "${entry}" makes a cycle: ${names.join(' → ')} → ${displayPath(target, cwd)}` }]);
    }
    if (done.has(target)) return;
    if (!isFile(target)) {
      throw new ConfigError(
        [{ file: doc.file, line: pos.line, column: pos.column, key: pointer, message: `extends "${entry}": ${existsSync(target) ? 'not a file' : 'no such file'} (${displayPath(target, cwd)})` }],
        'E_INPUT_READ',
      );
    }
    collectLayers(target, cwd, [...chain, here], done, out, k, tree);
  });
  out.push({ abs, doc, raw });
}

/** What the schema cannot check: that ids exist in the knowledge, regular expressions are safe, one of two keys. */
function checkAgainstKnowledge(doc: Document, raw: RawConfig, k: Knowledge): void {
  const p = new ProblemList(doc.file, doc.locate);
  const capIds = new Set(k.capabilities.map((c) => c.id));
  const apiIds = new Set<string>(k.apis.map((a) => a.id));
  const familyIds = new Set(k.models.map((m) => m.id));
  const regionIds = new Set(k.regions.map((r) => r.id));
  const regex = (pointer: string, source: string | undefined): void => {
    if (source === undefined) return;
    const why = userRegexProblem(source);
    if (why !== undefined) p.add(pointer, why);
  };
  const capabilities = (pointer: string, ids: string[] | undefined): void =>
    ids?.forEach((c, i) => {
      if (!capIds.has(c)) p.add(`${pointer}/${i}`, `unknown capability "${c}" (expected one of: ${[...capIds].join(', ')})`);
    });
  const unknownApi = (a: string): string => `unknown api "${a}" (expected one of: ${[...apiIds].join(', ')})`;
  const apis = (pointer: string, ids: string[] | undefined): void =>
    ids?.forEach((a, i) => {
      if (!apiIds.has(a)) p.add(`${pointer}/${i}`, unknownApi(a));
    });
  const models = (pointer: string, sel: { families?: string[]; familyMatches?: string } | undefined): void => {
    sel?.families?.forEach((f, i) => {
      if (!familyIds.has(f)) p.add(`${pointer}/families/${i}`, `unknown model family "${f}" (see rules/models.yaml)`);
    });
    regex(`${pointer}/familyMatches`, sel?.familyMatches);
  };
  const regions = (pointer: string, ids: string[] | undefined): void =>
    ids?.forEach((r, i) => {
      if (!regionIds.has(r)) p.add(`${pointer}/${i}`, `unknown Region "${r}" (see rules/regions.yaml)`);
    });
  const requestTest = (pointer: string, t: RequestTest | undefined, inElement = false): void => {
    if (t === undefined) return;
    const kinds = CONFIG_TEST_KINDS.filter((x) => t[x] !== undefined);
    if (kinds.length !== 1) p.add(pointer, `a test needs exactly one of ${CONFIG_TEST_KINDS.join(', ')} (found ${kinds.join(', ') || 'none'})`);
    const outside = inElement ? kinds.filter((x) => !ELEMENT_KINDS.includes(x)) : [];
    if (outside.length > 0) p.add(pointer, `inside some, a test is one of ${ELEMENT_KINDS.join(', ')} (found ${outside.join(', ')})`);
    if (t.count !== undefined && t.over === undefined) p.add(pointer, 'count needs over');
    if (t.sequence !== undefined && (t.field === undefined || t.order === undefined)) p.add(pointer, 'sequence needs field and order');
    if (t.capability !== undefined && !capIds.has(t.capability)) p.add(`${pointer}/capability`, `unknown capability "${t.capability}"`);
    regex(`${pointer}/matches`, t.matches);
    t.all?.forEach((sub, j) => requestTest(`${pointer}/all/${j}`, sub, inElement));
    if (t.some !== undefined) requestTest(`${pointer}/some/test`, t.some.test, true);
  };

  checkCells(p, raw, k, unknownApi);
  const ids = new Set<string>();
  raw.rules?.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (ids.has(r.id)) p.add(`${at}/id`, `duplicate rule "${r.id}"`);
    ids.add(r.id);
    if ((r.require === undefined) === (r.forbid === undefined)) p.add(at, 'a rule needs exactly one of require and forbid');
    for (const [key, sel] of [['when', r.when], ['require', r.require], ['forbid', r.forbid]] as const) {
      if (sel === undefined) continue;
      capabilities(`${at}/${key}/capabilities`, sel.capabilities);
      apis(`${at}/${key}/apis`, sel.apis);
      models(`${at}/${key}/models`, sel.models);
      regions(`${at}/${key}/regions`, sel.regions);
      if ('request' in sel) requestTest(`${at}/${key}/request`, sel.request);
    }
  });
  checkGlobs(p, raw);
  raw.severity?.forEach((s, i) => {
    if (s.code === undefined && s.subject === undefined) p.add(`/severity/${i}`, 'a severity override needs code, subject or both');
  });
  p.throwIfAny();
}

/** Each cell override names a matrix row (and, for a row limited to one api, that api). */
function checkCells(p: ProblemList, raw: RawConfig, k: Knowledge, unknownApi: (a: string) => string): void {
  const apiIds = new Set<string>(k.apis.map((a) => a.id));
  raw.cells?.forEach((c, i) => {
    if (c.api !== undefined && !apiIds.has(c.api)) p.add(`/cells/${i}/api`, unknownApi(c.api));
    else if (!rowFor(k, c.id, c.api)) {
      const rows = k.matrix.filter((r) => r.id === c.id);
      p.add(
        `/cells/${i}/${c.api !== undefined && rows.length > 0 ? 'api' : 'id'}`,
        rows.length === 0
          ? `no matrix row "${c.id}" (see bedrock-preflight matrix)`
          : `no row "${c.id}" for ${c.api === undefined ? 'every api' : `api "${c.api}"`}; rows: ${rows.map((r) => (r.api ? `${r.id} with api ${r.api}` : `${r.id} without api`)).join(', ')}`,
      );
    }
  });
}

/** Globs run on every file's path: each must be matchable in linear time (src/config/glob.ts). */
function checkGlobs(p: ProblemList, raw: RawConfig): void {
  const glob = (pointer: string, g: string | undefined): void => {
    const why = g === undefined ? undefined : globProblem(g);
    if (why !== undefined) p.add(pointer, why);
  };
  raw.endpoints?.forEach((e, i) => glob(`/endpoints/${i}/glob`, e.glob));
  raw.rules?.forEach((r, i) => r.files?.forEach((g, j) => glob(`/rules/${i}/files/${j}`, g)));
  raw.ignores?.forEach((g, i) => glob(`/ignores/${i}/path`, g.path));
}

/** The flags every command that reads the configuration takes. */


/**
 * The configuration a command runs under: `--config FILE`, none with `--no-config`, else the one found upward
 * from `cwd` (undefined when there is none). Throws PreflightInputError (exit 2) for a missing or invalid file.
 */
export function resolveConfigForCli(flags: Readonly<Record<string, string | boolean | undefined>>, cwd: string): ResolvedConfig | undefined {
  const given = flags['config'];
  const none = flags['no-config'] === true;
  if (given !== undefined && none) throw new PreflightInputError('E_USAGE', 'give either --config or --no-config, not both');
  if (typeof given === 'string') {
    if (given === '') throw new PreflightInputError('E_USAGE', '--config needs a file name');
    return loadConfig(given, { cwd, allowOutsideExtends: flags['allow-outside-extends'] === true });
  }
  if (none) return undefined;
  const found = findConfigFile(cwd);
  return found === undefined ? undefined : loadConfig(found, { cwd, allowOutsideExtends: flags['allow-outside-extends'] === true });
}

