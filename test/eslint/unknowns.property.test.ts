/**
 * Property: no finding of the plugin depends on what the source does not say. The requests of rules/cases are
 * written as SDK calls, with random values replaced by identifiers the file does not define and random unknown
 * spreads added. Every finding the plugin then reports must be a finding of check (same code, subject and severity)
 * on each request the source could stand for: the original values (and empty spreads), the replaced values left
 * out (undefined), and another model.
 */
import { Linter } from 'eslint';
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import { loadRulesFile } from '../../src/knowledge/load.js';
import plugin from '../../src/eslint/index.js';

const root = join(import.meta.dirname, '..', '..');
const preflight = createPreflight();
const OTHER_MODEL = preflight.knowledge.models.at(-1)!.examples[0]!;

interface Request {
  url: string;
  body: Record<string, unknown>;
}

/** How a case's URL is written with an SDK: the call, and the body's place. */
interface Shape {
  prelude: string;
  call: (body: string) => string;
  /** The model, for APIs whose model is in the URL path. */
  pathModel?: string;
  url: (model: string | undefined) => string;
}

function shapeOf(url: string): Shape | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(u.pathname);
  if (m) {
    const command = { converse: 'ConverseCommand', 'converse-stream': 'ConverseStreamCommand', invoke: 'InvokeModelCommand', 'invoke-with-response-stream': 'InvokeModelWithResponseStreamCommand' }[m[2]!]!;
    const modelId = decodeURIComponent(m[1]!);
    const invoke = m[2]!.startsWith('invoke');
    return {
      prelude: `import { BedrockRuntimeClient, ${command} } from '@aws-sdk/client-bedrock-runtime';\nconst client = new BedrockRuntimeClient({ endpoint: ${JSON.stringify(u.origin)} });\n`,
      call: (body) => (invoke ? `client.send(new ${command}({ modelId: MODEL, body: JSON.stringify(${body}) }));` : `client.send(new ${command}({ modelId: MODEL, ...${body} }));`),
      pathModel: modelId,
      url: (model) => `${u.origin}/model/${encodeURIComponent(model ?? modelId)}/${m[2]}`,
    };
  }
  const sdk = /^(.*)\/(chat\/completions|responses)$/.exec(u.pathname) ?? /^(\/anthropic)\/v1\/messages$/.exec(u.pathname);
  if (!sdk) return undefined;
  const anthropic = sdk[2] === undefined;
  const method = anthropic ? 'messages.create' : sdk[2] === 'responses' ? 'responses.create' : 'chat.completions.create';
  const [name, pkg] = anthropic ? ['Anthropic', '@anthropic-ai/sdk'] : ['OpenAI', 'openai'];
  return {
    prelude: `import ${name} from '${pkg}';\nconst client = new ${name}({ baseURL: ${JSON.stringify(u.origin + sdk[1])} });\n`,
    call: (body) => `client.${method}(${body});`,
    url: () => url,
  };
}

/** Requests check can judge without options (their host names an endpoint). */
function checks(r: Request): boolean {
  try {
    preflight.check(r);
    return true;
  } catch {
    return false;
  }
}

const cases: Request[] = ['apis', 'capabilities', 'models', 'regions', 'requests'].flatMap((n) =>
  (JSON.parse(JSON.stringify(loadRulesFile(join(root, 'rules', 'cases', `${n}.yaml`), 'cases', join(root, 'schemas'), root).value)) as { cases: Array<{ input: Record<string, unknown> }> }).cases
    .map((c) => c.input)
    .filter((i): i is { url: string; body: Record<string, unknown> } => typeof i['url'] === 'string' && i['body'] !== null && typeof i['body'] === 'object' && !Array.isArray(i['body']))
    .filter((i) => shapeOf(i.url) !== undefined)
    .map((i) => ({ url: i.url, body: i.body }))
    .filter(checks),
);

/** Every place of a value (object members and array elements), as paths. */
function places(v: unknown, path: string[] = []): string[][] {
  if (Array.isArray(v)) return v.flatMap((e, i) => [[...path, String(i)], ...places(e, [...path, String(i)])]);
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, e]) => [[...path, k], ...places(e, [...path, k])]);
  return [];
}

/** The value as source, with the masked places as identifiers and unknown spreads in the chosen objects. */
function render(v: unknown, masked: Set<string>, spreads: Set<string>, path: string[] = []): string {
  const key = path.join('/');
  if (path.length > 0 && masked.has(key)) return `u${[...masked].indexOf(key)}`;
  if (Array.isArray(v)) return `[${v.map((e, i) => render(e, masked, spreads, [...path, String(i)])).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const members = Object.entries(v).map(([k, e]) => `${JSON.stringify(k)}: ${render(e, masked, spreads, [...path, k])}`);
    if (spreads.has(key)) members.splice(members.length % 2, 0, `...s${[...spreads].indexOf(key)}`);
    return `{ ${members.join(', ')} }`;
  }
  return JSON.stringify(v);
}

/** The value with the masked places left out (undefined members; null elements, as JSON.stringify writes them). */
function without(v: unknown, masked: Set<string>, path: string[] = []): unknown {
  if (Array.isArray(v)) return v.map((e, i) => (masked.has([...path, String(i)].join('/')) ? null : without(e, masked, [...path, String(i)])));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !masked.has([...path, k].join('/'))).map(([k, e]) => [k, without(e, masked, [...path, k])]));
  }
  return v;
}

const linter = new Linter({ configType: 'flat' });
const config: Linter.Config[] = [
  { plugins: { 'bedrock-preflight': plugin }, settings: { 'bedrock-preflight': { config: false } } },
  { rules: { 'bedrock-preflight/request-errors': 'error', 'bedrock-preflight/request-warnings': 'warn', 'bedrock-preflight/request-info': 'warn' } },
];

/**
 * The verdicts of check on a request: code, subject and severity. (A message names where: with an unknown first
 * element, the plugin names the first known one that uses the capability, and check the first of all.)
 */
const verdicts = (r: Request): Set<string> => new Set(preflight.check(r).findings.map((f) => `${f.code} ${f.subject} ${f.severity}`));
const SEVERITY = ['', 'warning', 'error'];

describe('findings never depend on unknowns', () => {
  it('has cases to write as calls', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it('every finding holds on each request the source can stand for', () => {
    const arb = fc.nat({ max: cases.length - 1 }).chain((i) => {
      const c = cases[i]!;
      const all = places(c.body).map((p) => p.join('/'));
      const objects = ['', ...places(c.body).filter((p) => { const v = p.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c.body); return v !== null && typeof v === 'object' && !Array.isArray(v); }).map((p) => p.join('/'))];
      return fc.record({
        c: fc.constant(c),
        masked: fc.subarray(all, { maxLength: Math.min(3, all.length) }),
        spreads: fc.subarray(objects, { maxLength: Math.min(2, objects.length) }),
        maskModel: fc.boolean(),
      });
    });
    fc.assert(
      fc.property(arb, ({ c, masked, spreads, maskModel }) => {
        const shape = shapeOf(c.url)!;
        const m = new Set(masked);
        const mask = shape.pathModel === undefined && maskModel ? new Set([...m, 'model']) : m;
        const code = `${shape.prelude}const MODEL = ${maskModel && shape.pathModel !== undefined ? 'model' : JSON.stringify(shape.pathModel ?? '')};\n${shape.call(render(c.body, mask, new Set(spreads)))}`;
        const reported = linter.verify(code, config, 'file.js');
        expect(reported.filter((r) => r.fatal)).toEqual([]);
        // The original request; the masked parts left out; another model where the model is unknown.
        const worlds: Request[] = [
          { url: shape.url(undefined), body: c.body },
          { url: shape.url(undefined), body: without(c.body, mask) as Record<string, unknown> },
        ];
        // (A body that names no model stands for no other: nothing was masked.)
        if (maskModel && (shape.pathModel !== undefined || 'model' in c.body)) worlds.push({ url: shape.url(OTHER_MODEL), body: shape.pathModel === undefined ? { ...c.body, model: OTHER_MODEL } : c.body });
        for (const world of worlds) {
          const holds = verdicts(world);
          for (const r of reported) {
            const verdict = `${r.message.split(':')[0]} ${r.ruleId === 'bedrock-preflight/request-info' ? 'info' : SEVERITY[r.severity]}`;
            expect(holds, `${r.message}\n--- in ---\n${code}\n--- not reported on ---\n${JSON.stringify(world)}`).toContain(verdict);
          }
        }
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
