/**
 * Model ids come in several forms: a base id (`anthropic.claude-haiku-4-5`), a geographic or global inference
 * profile id (`us.anthropic.…`, `global.anthropic.…`) and ARNs. The families in rules/models.yaml match the base
 * id; this module finds it. It knows id syntax only (which part is the base id), no facts about models.
 */
import type { ModelFamily } from '../types.js';

export type ModelForm = 'base' | 'profile' | 'arn' | 'arn-opaque';

export interface ModelClass {
  /** The family of rules/models.yaml the base id belongs to (first match wins); null when none matches. */
  family: string | null;
  form: ModelForm;
  base: string | null;
}

const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:([a-z-]+)\/(.+)$/;
/** ARN resource types whose id is (or ends in) a model id. */
const MODEL_ARNS = new Set(['foundation-model', 'inference-profile']);
/** A leading profile label: a lower-case label followed by `provider.model` (a provider label, then a letter). */
const PROFILE = /^[a-z][a-z-]*\.(?=[a-z0-9-]+\.[a-z])/;

/** A context-window suffix such as `:1m` or `:200k` after the version. */
const CONTEXT_SUFFIX = /:[0-9]+[km]$/;

export function baseModelId(modelIn: string): { base: string | null; form: ModelForm } {
  const model = modelIn.replace(CONTEXT_SUFFIX, '');
  const arn = ARN.exec(model);
  if (arn) {
    if (!MODEL_ARNS.has(arn[1]!)) return { base: null, form: 'arn-opaque' };
    const id = arn[2]!;
    const p = PROFILE.exec(id);
    return { base: p ? id.slice(p[0].length) : id, form: 'arn' };
  }
  const p = PROFILE.exec(model);
  return p ? { base: model.slice(p[0].length), form: 'profile' } : { base: model, form: 'base' };
}

/** The classifier of one knowledge's model families: base id → first matching family. */
export function compileModelClassifier(models: readonly ModelFamily[]): (model: string) => ModelClass {
  const families = models.map((f) => ({ id: f.id, re: new RegExp(f.match) }));
  return (model) => {
    const { base, form } = baseModelId(model);
    const hit = base === null ? undefined : families.find((f) => f.re.test(base));
    return { family: hit?.id ?? null, form, base };
  };
}

const classifiers = new WeakMap<readonly ModelFamily[], (model: string) => ModelClass>();

/** The classifier of a knowledge's families, compiled once per families list. */
export function modelClassifierFor(models: readonly ModelFamily[]): (model: string) => ModelClass {
  let c = classifiers.get(models);
  if (c === undefined) classifiers.set(models, (c = compileModelClassifier(models)));
  return c;
}
