/**
 * Model lifecycle (rules/models.yaml `lifecycle`): the dated rules compiled from it, run with a fixed clock the
 * day before and on each date, for every entry of the knowledge; and the same facts through check and explain.
 */
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { lifecycleRules } from '../src/compile/lifecycle.js';
import { compileRules } from '../src/compile/rules.js';
import { compileRequestTests, NO_HITS, startOfDay, type TestContext } from '../src/detect/request-tests.js';
import { explain } from '../src/explain.js';
import { loadKnowledge } from '../src/knowledge/assemble.js';
import { createPreflight } from '../src/index.js';
import { loadErrorAfterEdit } from './helpers/rules-copy.js';
import type { ModelFamily, ModelLifecycle } from '../src/types.js';

const root = join(import.meta.dirname, '..');
const k = loadKnowledge(join(root, 'rules'), join(root, 'schemas'), root);
/** Each entry with the key of its rules (lifecycle-legacy-<key>, lifecycle-end-of-life-<key>): an id can have several entries (one per Region group and date). */
const entries: Array<{ family: ModelFamily; entry: ModelLifecycle; key: string }> = k.models.flatMap((family) => (family.lifecycle ?? []).map((entry, i) => ({ family, entry, key: `${family.id}-${i + 1}` })));

/** The day before or after an ISO date. */
const shift = (day: string, by: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);

/** The codes of the lifecycle rules (of one entry, when `key` is given) that hold for `model` on `day` (one API: lifecycle rules apply to all five; Regions are not part of this test). */
function codesOn(day: string, model: string | null, key?: string): string[] {
  const all = lifecycleRules(k.models, ['converse']);
  const rules = key === undefined ? all : all.filter((r) => r.id === `lifecycle-legacy-${key}` || r.id === `lifecycle-end-of-life-${key}`);
  const compiled = compileRequestTests(rules, 'converse', 0, new Map(), () => startOfDay(day));
  const ctx: TestContext = { body: {}, base: '', hits: NO_HITS, headers: undefined, found: [], model };
  return compiled.rules.filter((r) => r.evaluate(ctx) !== undefined).map((r) => rules.find((x) => x.id === r.id)!.code);
}

describe('lifecycle entries of rules/models.yaml', () => {
  it('there are entries, each id belongs to the family it is listed under, and dates are in order', () => {
    expect(entries.length).toBeGreaterThan(5);
    for (const { family, entry } of entries) {
      for (const id of entry.ids) expect(new RegExp(family.match).test(id), `${family.id}: ${id}`).toBe(true);
      if (entry.legacyFrom !== undefined) expect(entry.legacyFrom < entry.endOfLife, family.id).toBe(true);
    }
  });

  it('nothing before the Legacy date, a warning from it, end of life from its date (fixed clock, each date)', () => {
    for (const { family, entry, key } of entries) {
      for (const id of entry.ids) {
        const first = entry.legacyFrom ?? entry.endOfLife;
        expect(codesOn(shift(first, -1), id, key), `${id} before`).toEqual([]);
        if (entry.legacyFrom !== undefined) {
          expect(codesOn(entry.legacyFrom, id, key), `${id} legacy`).toEqual(['model-legacy']);
          expect(codesOn(shift(entry.endOfLife, -1), id, key), `${id} last legacy day`).toEqual(['model-legacy']);
        }
        expect(codesOn(entry.endOfLife, id, key), `${id} end of life (${key})`).toEqual(['model-end-of-life']);
        expect(codesOn(shift(entry.endOfLife, 400), id, key), `${id} long after`).toEqual(['model-end-of-life']);
      }
    }
  });

  it('another id of the same family, and no model, get nothing', () => {
    const last = entries.map((e) => e.entry.endOfLife).sort().at(-1)!;
    expect(codesOn(last, 'anthropic.claude-3-7-sonnet-20250219-v2:0')).toEqual([]);
    expect(codesOn(last, null)).toEqual([]);
  });

  it('an end-of-life error only when confirmed; a warning otherwise', () => {
    const eol = compileRules(k).filter((r) => r.event.params.code === 'model-end-of-life');
    expect(eol.length).toBe(entries.length);
    for (const r of eol) expect(r.event.params.severity).toBe(r.event.params.confidence === 'confirmed' ? 'error' : 'warning');
  });

  it('messages name the model, the date and the replacement', () => {
    const rules = lifecycleRules(k.models, ['converse']);
    for (const { family, entry, key } of entries) {
      const mine = rules.filter((r) => r.id.endsWith(`-${key}`) && r.models?.families?.includes(family.id) && r.source === entry.source && r.message.includes(entry.endOfLife));
      expect(mine.length, family.id).toBe(entry.legacyFrom === undefined ? 1 : 2);
      for (const r of mine) {
        expect(r.message).toContain(entry.label ?? family.label);
        expect(r.fix).toContain(entry.replacement);
      }
    }
  });
});

describe('lifecycle through check and explain', () => {
  const preflight = createPreflight();
  const eol = entries.find((e) => e.entry.confidence === 'confirmed' && e.entry.regions?.includes('us-east-1') && !e.entry.regions.includes('us-gov-west-1'))!;
  const converse = (model: string, region: string) => ({
    url: `https://bedrock-runtime.${region}.amazonaws.com/model/${model}/converse`,
    body: { messages: [{ role: 'user', content: [{ text: 'Hello' }] }] },
  });

  it('a confirmed end-of-life id gets the error today (its date is past), in a profile id too; a Region its entry leaves out gets none', () => {
    const id = eol.entry.ids[0]!;
    expect(eol.entry.endOfLife < new Date().toISOString().slice(0, 10)).toBe(true);
    for (const model of [id, `us.${id}`]) {
      const r = preflight.check(converse(model, 'us-east-1'));
      const f = r.findings.find((x) => x.code === 'model-end-of-life');
      expect(f?.severity, model).toBe('error');
      expect(f?.path, 'the finding points at the model id, in the URL').toBe('/url');
    }
    const inBody = preflight.check({ model: id, messages: [{ role: 'user', content: 'Hello' }] }, { endpoint: 'bedrock-runtime', api: 'messages', region: 'us-east-1' });
    expect(inBody.findings.find((x) => x.code === 'model-end-of-life')?.path).toBe('/model');
    const gov = preflight.check(converse(`us-gov.${id}`, 'us-gov-west-1'));
    expect(gov.findings.some((f) => f.code === 'model-end-of-life' || f.code === 'model-legacy')).toBe(false);
  });

  it('an entry limited to some Regions gives its finding there, and none in another Region or where the Region is not known', () => {
    const limited = entries.find((e) => e.entry.regions !== undefined && e.entry.endOfLife < new Date().toISOString().slice(0, 10))!;
    const id = limited.entry.ids[0]!;
    const inside = limited.entry.regions![0]!;
    const outside = k.regions.find((r) => r.endpoints['bedrock-runtime'] === 'yes' && !limited.entry.regions!.includes(r.id) && !r.id.startsWith('us-gov-'))!.id;
    const lifecycleOf = (r: { findings: Array<{ code: string }> }) => r.findings.filter((f) => f.code === 'model-end-of-life' || f.code === 'model-legacy');
    expect(lifecycleOf(preflight.check(converse(id, inside))).map((f) => f.code)).toEqual(['model-end-of-life']);
    expect(lifecycleOf(preflight.check(converse(id, outside)))).toEqual([]);
    const bare = preflight.check({ messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }, { endpoint: 'bedrock-runtime', api: 'converse', model: id });
    expect(lifecycleOf(bare)).toEqual([]);
  });

  it('explain <model id> shows the lifecycle with its source and dates', () => {
    const e = explain(k, eol.entry.ids[0]!);
    const text = JSON.stringify(e);
    expect(text).toContain(eol.entry.endOfLife);
    expect(text).toContain(eol.entry.source);
  });
});

describe('the loader refuses a malformed lifecycle entry', () => {
  /** The loader's problems after `edit` is applied to rules/models.yaml in a copy of rules/. */
  const problemsAfter = (edit: (text: string) => string): string[] =>
    (loadErrorAfterEdit('models.yaml', edit)?.problems ?? []).map((p) => `${p.file}: ${p.message}`);
  const first = entries[0]!.entry;

  it('a date that is not YYYY-MM-DD, and an entry without a source, each name models.yaml', () => {
    const badDate = problemsAfter((t) => t.replace(`endOfLife: '${first.endOfLife}'`, "endOfLife: '2026-13-01'"));
    expect(badDate.length).toBeGreaterThan(0);
    expect(badDate.join('\n')).toMatch(/models\.yaml/);
    const noSource = problemsAfter((t) => t.replace(`        source: ${first.source}\n`, ''));
    expect(noSource.join('\n')).toMatch(/models\.yaml.*source|source.*models\.yaml/s);
  });

  it('a Region an entry is limited to must be in rules/regions.yaml; an excluded one need only be a Region code', () => {
    const limited = entries.find((e) => e.entry.regions !== undefined)!.entry;
    const line = `regions: [${limited.regions!.join(', ')}]`;
    const misspelt = problemsAfter((t) => t.replace(line, line.replace(limited.regions![0]!, 'us-east-7')));
    expect(misspelt.join('\n')).toMatch(/models\.yaml: unknown Region "us-east-7"/);
    const notACode = problemsAfter((t) => t.replace('exceptRegions: [us-gov-west-1', 'exceptRegions: [us-gov-west1'));
    expect(notACode.join('\n')).toMatch(/models\.yaml/);
    expect(problemsAfter((t) => t.replace('exceptRegions: [us-gov-west-1', 'exceptRegions: [us-gov-east-9, us-gov-west-1'))).toEqual([]);
  });
});

describe('route evidence of rules/models.yaml', () => {
  it('every id a routeRequired names belongs to the family it is listed under', () => {
    const named = k.models.flatMap((family) =>
      Object.values(family.endpoints).flatMap((served) => (served === 'unknown' || served.routeRequired === undefined ? [] : served.routeRequired.ids.map((id) => ({ family, id })))),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const { family, id } of named) expect(new RegExp(family.match).test(id), `${id} in ${family.id}`).toBe(true);
  });

  it('explain shows a named id its route evidence, and the family\'s other ids none', () => {
    const preflight = createPreflight({ knowledge: k });
    for (const family of k.models) {
      for (const [endpoint, served] of Object.entries(family.endpoints)) {
        if (served === 'unknown' || served.routeRequired === undefined) continue;
        for (const id of served.routeRequired.ids) {
          const notes = preflight.explain(id).notes.filter((n) => n.about === 'route');
          expect(notes.map((n) => n.source)).toEqual([served.routeRequired.source]);
          expect(notes[0]!.says).toContain(`${endpoint} serves ${id} only under ${served.route} [${served.routeRequired.confidence}]`);
        }
        const other = family.examples.find((e) => !served.routeRequired!.ids.includes(e));
        if (other !== undefined) expect(preflight.explain(other).notes.filter((n) => n.about === 'route')).toEqual([]);
      }
    }
  });
});
