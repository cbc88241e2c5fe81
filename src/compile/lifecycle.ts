/**
 * Model lifecycle (rules/models.yaml `lifecycle`) as dated request rules: from `legacyFrom` until `endOfLife` a
 * `model-legacy` warning, from `endOfLife` on a `model-end-of-life` finding (an error only when confirmed). The
 * dates are compared with the current date by the `today` test, through the same injectable clock as any dated
 * rule, so a warning turns into an error on the day without a change to the knowledge.
 */
import type { ApiId, ModelFamily, ModelLifecycle, RequestRuleDef } from '../types.js';

/** The request rules of every family's lifecycle entries, in knowledge order. */
export function lifecycleRules(models: readonly ModelFamily[], apis: readonly ApiId[]): RequestRuleDef[] {
  return models.flatMap((f) => (f.lifecycle ?? []).flatMap((entry, i) => entryRules(f, entry, `${f.id}-${i + 1}`, apis)));
}

function entryRules(f: ModelFamily, e: ModelLifecycle, key: string, apis: readonly ApiId[]): RequestRuleDef[] {
  const label = e.label ?? f.label;
  const common = {
    subject: 'model-lifecycle',
    apis: [...apis],
    models: { families: [f.id] },
    ...(e.regions ? { regions: e.regions } : {}),
    ...(e.exceptRegions ? { exceptRegions: e.exceptRegions } : {}),
    confidence: e.confidence,
    fix: `Move to ${e.replacement} and update the model id.`,
    source: e.source,
    asOf: e.asOf,
    ...(e.note ? { note: e.note } : {}),
  };
  const rules: RequestRuleDef[] = [];
  if (e.legacyFrom !== undefined) {
    rules.push({
      ...common,
      id: `lifecycle-legacy-${key}`,
      code: 'model-legacy',
      when: { all: [{ today: { from: e.legacyFrom, before: e.endOfLife } }, { modelIds: e.ids }] },
      severity: 'warning',
      message: `{model}{where} is ${label}, a Legacy model on Amazon Bedrock since ${e.legacyFrom}; requests to it fail from its end-of-life date, ${e.endOfLife}.`,
    });
  }
  rules.push({
    ...common,
    id: `lifecycle-end-of-life-${key}`,
    code: 'model-end-of-life',
    when: { all: [{ today: { from: e.endOfLife } }, { modelIds: e.ids }] },
    severity: 'error',
    message: `{model}{where} is ${label}, which reached end of life on Amazon Bedrock on ${e.endOfLife}; requests to it fail.`,
    ...(e.serviceError ? { serviceError: e.serviceError } : {}),
  });
  return rules;
}
