/**
 * The rules loader: an invalid rules file is reported with file:line:column and the key, for every problem, and
 * never half-loads.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../src/knowledge/assemble.js';
import { GENERATED_KNOWLEDGE, staleKnowledgeSource } from '../src/knowledge/fresh.js';
import { KnowledgeError } from '../src/knowledge/load.js';
import { loadErrorAfterEdit } from './helpers/rules-copy.js';

const root = join(import.meta.dirname, '..');
const schemas = join(root, 'schemas');

/** A copy of rules/ with one file edited; returns the problems of loading it (it must not load). */
function problemsAfter(file: string, edit: (text: string) => string): KnowledgeError {
  const e = loadErrorAfterEdit(file, edit);
  if (e === undefined) throw new Error('the edited rules loaded without a problem');
  return e;
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('loading rules/', () => {
  it('loads the built-in rules', () => {
    expect(loadKnowledge(join(root, 'rules'), schemas, root).matrix.length).toBeGreaterThan(20);
  });

  it('reports a cell value outside yes|no|conditional|unknown at its line and column', () => {
    const text = readFileSync(join(root, 'rules', 'matrix.yaml'), 'utf8');
    const target = '          bedrock-mantle: yes\n      - id: server-side-tools';
    const e = problemsAfter('matrix.yaml', (t) => t.replace(target, '          bedrock-mantle: maybe\n      - id: server-side-tools'));
    const p = e.problems[0]!;
    expect(p.file).toBe('matrix.yaml');
    expect(p.line).toBe(lineOf(text, target));
    expect(p.column).toBe(11); // the key of the offending value
    expect(p.key).toBe('/tables/1/rows/3/cells/bedrock-mantle');
    expect(e.oneLine).toMatch(/^matrix\.yaml:\d+:11: must be equal to one of the allowed values: yes, no, conditional, unknown/);
  });

  it('reports an unknown key at the key itself', () => {
    const e = problemsAfter('capabilities.yaml', (t) => t.replace('  guardrails:\n    label: Guardrails\n', '  guardrails:\n    label: Guardrails\n    colour: blue\n'));
    expect(e.problems).toContainEqual(expect.objectContaining({ message: 'unknown key "colour"', key: '/capabilities/guardrails/colour', column: 5 }));
  });

  it('reports a missing source with the object it is missing from', () => {
    const e = problemsAfter('capabilities.yaml', (t) =>
      t.replace('        body: /guardrailConfig\n        source: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_GuardrailConfiguration.html\n', '        body: /guardrailConfig\n'),
    );
    expect(e.problems.some((p) => p.message === 'missing required key "source"' && p.key.startsWith('/capabilities/guardrails/signals/0'))).toBe(true);
  });

  it('reports YAML syntax errors with their position', () => {
    const e = problemsAfter('guidance.yaml', (t) => t.replace('newApplications:\n', 'newApplications:\n  endpoint: [unclosed\n'));
    expect(e.problems[0]!.file).toBe('guidance.yaml');
    expect(e.problems[0]!.line).toBeGreaterThan(1);
  });

  it('reports every problem of every file, not only the first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-rules-'));
    cpSync(join(root, 'rules'), dir, { recursive: true });
    writeFileSync(join(dir, 'findings.yaml'), readFileSync(join(dir, 'findings.yaml'), 'utf8').replace(/summary:/g, 'sumary:'));
    writeFileSync(join(dir, 'apis.yaml'), readFileSync(join(dir, 'apis.yaml'), 'utf8').replace('    label: InvokeModel\n', ''));
    try {
      loadKnowledge(dir, schemas, dir);
      throw new Error('loaded');
    } catch (e) {
      const files = new Set((e as KnowledgeError).problems.map((p) => p.file));
      expect([...files].sort()).toEqual(['apis.yaml', 'findings.yaml']);
      expect((e as KnowledgeError).problems.length).toBeGreaterThan(5);
    }
  });

  it('checks references a schema cannot: unknown implied capability, bad regular expression, api without a row', () => {
    expect(problemsAfter('capabilities.yaml', (t) => t.replace('implies: [server-side-tools]', 'implies: [server-tools]')).problems).toContainEqual(
      expect.objectContaining({ message: 'implies unknown capability "server-tools"', file: 'capabilities.yaml' }),
    );
    expect(problemsAfter('capabilities.yaml', (t) => t.replace("matches: '^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]{12}:inference-profile/'", "matches: '^arn:(aws'")).problems[0]!.message).toMatch(/regex|regular expression/);
    expect(problemsAfter('matrix.yaml', (t) => t.replace('      - id: invoke-model\n', '      - id: invoke-modell\n        label: Typo\n')).problems).toContainEqual(
      expect.objectContaining({ message: 'api "invoke-model" has no row in matrix.yaml', file: 'apis.yaml' }),
    );
  });

  it('refuses a misspelt api id in every rules file, at its line and column, naming the id', () => {
    const apiIds = loadKnowledge(join(root, 'rules'), schemas, root).apis.map((a) => a.id);
    // A matrix row's api is located at its key; an item of a list of apis at the item.
    for (const [file, from, to, at] of [
      ['matrix.yaml', '        api: messages\n', '        api: mesages\n', 'api'],
      ['requests.yaml', '    apis: [messages]\n', '    apis: [mesages]\n', 'mesages'],
      ['capabilities.yaml', '      - apis: [responses]\n', '      - apis: [mesages]\n', 'mesages'],
      ['models.yaml', '        apis: [messages]\n', '        apis: [mesages]\n', 'mesages'],
    ] as const) {
      const text = readFileSync(join(root, 'rules', file), 'utf8');
      const e = problemsAfter(file, (t) => t.replace(from, to));
      const p = e.problems.find((x) => x.message.startsWith('unknown api "mesages"'));
      expect(p, `${file}: ${e.oneLine}`).toMatchObject({ file, line: lineOf(text, from), column: to.indexOf(at) + 1, message: `unknown api "mesages" (expected one of: ${apiIds.join(', ')})` });
    }
  });

  it('requires a condition on every conditional cell', () => {
    const e = problemsAfter('matrix.yaml', (t) => t.replace('            condition: depends on the model (see the model\'s card)\n', ''));
    expect(e.problems.some((p) => p.message.includes('"condition"'))).toBe(true);
  });

  const ROUTING_ROW = '      - id: prompt-routing\n';

  it('refuses a capability whose matrix rows are all limited to one api, at the capability', () => {
    const caps = readFileSync(join(root, 'rules', 'capabilities.yaml'), 'utf8');
    const e = problemsAfter('matrix.yaml', (t) => t.replace(ROUTING_ROW, `${ROUTING_ROW}        api: converse\n`));
    expect(e.problems).toContainEqual(
      expect.objectContaining({ file: 'capabilities.yaml', line: lineOf(caps, '  prompt-routing:\n'), column: 3, message: expect.stringMatching(/"prompt-routing" has only rows limited to one api.*row without "api"/) }),
    );
    expect(e.oneLine).toMatch(/^capabilities\.yaml:\d+:3: capability "prompt-routing"/m);
  });

  it('refuses a bare conditional cell (no condition), at the cell', () => {
    const text = readFileSync(join(root, 'rules', 'matrix.yaml'), 'utf8');
    const cell = `${ROUTING_ROW}        source: https://docs.aws.amazon.com/bedrock/latest/userguide/endpoints.html\n        asOf: 2026-11-24\n        cells:\n          bedrock-runtime: yes\n`;
    expect(text).toContain(cell);
    const e = problemsAfter('matrix.yaml', (t) => t.replace(cell, cell.replace('bedrock-runtime: yes', 'bedrock-runtime: conditional')));
    expect(e.problems).toEqual([
      expect.objectContaining({ file: 'matrix.yaml', line: lineOf(text, cell) + 4, column: 11, message: expect.stringMatching(/conditional cell needs its condition/) }),
    ]);
  });

  it('names a misspelt row id as such, with the id it is closest to', () => {
    const text = readFileSync(join(root, 'rules', 'matrix.yaml'), 'utf8');
    const e = problemsAfter('matrix.yaml', (t) => t.replace(ROUTING_ROW, '      - id: prompt-routin\n'));
    expect(e.problems).toContainEqual(
      expect.objectContaining({ file: 'matrix.yaml', line: lineOf(text, ROUTING_ROW), message: expect.stringMatching(/^unknown row id "prompt-routin": .*did you mean "prompt-routing"/) }),
    );
    expect(e.problems.map((p) => p.message).join('\n')).not.toMatch(/so the row needs a label/);
  });
});

describe('stale knowledge', () => {
  /** A tree with one rules file, one schema and (unless `built` is false) the generated knowledge, all dated `at`. */
  function tree(at: Date, built = true): string {
    const dir = mkdtempSync(join(tmpdir(), 'bp-stale-'));
    for (const sub of ['rules', 'schemas', join('src', 'generated')]) mkdirSync(join(dir, sub), { recursive: true });
    const files = [join('rules', 'matrix.yaml'), join('schemas', 'matrix.schema.json'), ...(built ? [GENERATED_KNOWLEDGE] : [])];
    for (const f of files) {
      writeFileSync(join(dir, f), '{}');
      utimesSync(join(dir, f), at, at);
    }
    return dir;
  }
  const then = new Date('2026-12-01T00:00:00Z');
  const later = new Date('2026-12-02T00:00:00Z');

  it('is none when the build is at least as new as every rules and schema file', () => {
    expect(staleKnowledgeSource(tree(then))).toBeUndefined();
  });
  it('names the rules or schema file edited since the build', () => {
    for (const f of [join('rules', 'matrix.yaml'), join('schemas', 'matrix.schema.json')]) {
      const dir = tree(then);
      utimesSync(join(dir, f), later, later);
      expect(staleKnowledgeSource(dir)).toBe(f);
    }
  });
  it('names the generated knowledge when it was never built', () => {
    expect(staleKnowledgeSource(tree(then, false))).toBe(GENERATED_KNOWLEDGE);
  });
});
