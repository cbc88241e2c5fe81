/**
 * Rebuilding requests from log records: the request as it was sent to bedrock-runtime (operation → API and path,
 * model id → URL, Region → host, the logged body), and the same request as it would be sent to bedrock-mantle
 * (the API, route and model id the model's family takes there, per rules/models.yaml and rules/apis.yaml).
 */
import { baseModelId, modelClassifierFor } from '../detect/models.js';
import type { ApiId, Knowledge, ModelFamily, ServedBy } from '../types.js';
import type { InvocationRecord } from './record.js';
import { translateBody } from './translate.js';

export interface Envelope {
  method: 'POST';
  url: string;
  body: unknown;
}

export type NotAudited = { notAudited: 'body-in-s3' | 'no-body' | 'operation-unknown'; detail: string };

export interface RuntimeRequest {
  api: ApiId;
  /** The URL's path (the operation's). */
  path: string;
  envelope: Envelope;
}

export type ChangeKind = 'another-route' | 'another-model-id' | 'drop-field';
export interface Change {
  kind: ChangeKind;
  detail: string;
}

/** Where the request would go on bedrock-mantle; `served` is what the knowledge says of the model's family there. */
export type MantleTarget =
  | { served: 'no' | 'unknown'; family: ModelFamily | null; reason: string; source?: string }
  | { served: 'yes'; family: ModelFamily; api: ApiId; model: string; path: string; changes: Change[] };

const hostOf = (k: Knowledge, endpoint: 'bedrock-runtime' | 'bedrock-mantle', region: string): string =>
  k.endpoints.find((e) => e.id === endpoint)!.host.replace('{region}', region);

/** A logged operation name in kebab case: InvokeModelWithResponseStream → invoke-model-with-response-stream. */
const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * The API and runtime path of a logged operation, from rules/apis.yaml: the operation whose id is the logged name in
 * kebab case (InvokeModel → invoke-model, ConverseStream → converse-stream, ChatCompletions → chat-completions);
 * where an API has several paths, the first listed (runtime's /openai/v1 for the OpenAI-compatible APIs).
 */
function operationOf(k: Knowledge, name: string): { api: ApiId; path: string } | undefined {
  const id = kebab(name);
  for (const a of k.apis) {
    const op = a.operations.find((o) => o.id === id);
    if (op !== undefined) return { api: a.id, path: op.path };
  }
  return undefined;
}

/** The runtime request a record logs, or why it cannot be audited. */
export function rebuildRuntime(k: Knowledge, r: InvocationRecord): RuntimeRequest | NotAudited {
  const op = operationOf(k, r.operation);
  if (op === undefined) return { notAudited: 'operation-unknown', detail: `operation ${r.operation} is not one this audit knows` };
  const body = r.input.inputBodyJson;
  if (body === undefined || body === null) {
    if (r.input.inputBodyS3Path !== undefined) return { notAudited: 'body-in-s3', detail: r.input.inputBodyS3Path };
    return { notAudited: 'no-body', detail: 'the record has no request body (text data delivery off?)' };
  }
  const path = op.path.replace('{model}', encodeURIComponent(r.modelId));
  return { api: op.api, path, envelope: { method: 'POST', url: `https://${hostOf(k, 'bedrock-runtime', r.region)}${path}`, body } };
}

/** The family of a model id (the knowledge's first matching family), or null. */
export function familyOf(k: Knowledge, model: string): ModelFamily | null {
  const id = modelClassifierFor(k.models)(model).family;
  return id === null ? null : (k.models.find((f) => f.id === id) ?? null);
}

/**
 * The id the model takes on bedrock-mantle: the base id (no profile prefix, no ARN), shortened to the family's
 * plain example id when the base id extends it (anthropic.claude-haiku-4-5-20251001-v1:0 → anthropic.claude-haiku-4-5).
 */
export function mantleModelId(family: ModelFamily, model: string): string {
  const base = baseModelId(model).base ?? model;
  const plain = family.examples.filter((e) => e !== base && base.startsWith(e)).sort((a, b) => a.length - b.length)[0];
  return plain ?? base;
}

/** The path of an API on mantle for a family: the operation whose route is the family's (rules/apis.yaml). */
function mantlePath(k: Knowledge, api: ApiId, served: ServedBy): string {
  const ops = k.apis.find((a) => a.id === api)!.operations;
  return (ops.find((o) => served.route !== undefined && o.route === served.route) ?? ops[0]!).path;
}

const API_PREFERENCE: readonly ApiId[] = ['messages', 'chat-completions', 'responses'];

/**
 * mantleTarget, remembered per knowledge for each (API, path, model id): logs repeat a few models and operations
 * millions of times, and working the target out again for each record showed in the audit's profile.
 * The targets are shared: read-only.
 */
const targets = new WeakMap<Knowledge, Map<string, MantleTarget>>();
export function mantleTargetOf(k: Knowledge, modelId: string, runtime: RuntimeRequest): MantleTarget {
  let known = targets.get(k);
  if (known === undefined) targets.set(k, (known = new Map()));
  const key = `${runtime.api} ${runtime.path} ${modelId}`;
  let t = known.get(key);
  if (t === undefined) {
    if (known.size >= 4096) known.clear();
    known.set(key, (t = mantleTarget(k, { modelId }, runtime, familyOf(k, modelId))));
  }
  return t;
}

/** The API, route and model id the request would take on bedrock-mantle, and what changes on the way. */
export function mantleTarget(k: Knowledge, r: Pick<InvocationRecord, 'modelId'>, runtime: RuntimeRequest, family: ModelFamily | null): MantleTarget {
  if (family === null) return { served: 'unknown', family, reason: `model ${r.modelId} is not in the knowledge's model families` };
  const served = family.endpoints['bedrock-mantle'];
  if (served === 'unknown') return { served: 'unknown', family, reason: `no source read says whether bedrock-mantle serves ${family.label}` };
  const api = [runtime.api, ...API_PREFERENCE].find((a) => served.apis.includes(a));
  if (api === undefined) return { served: 'no', family, reason: `bedrock-mantle does not serve ${family.label}`, source: served.source };
  const model = mantleModelId(family, r.modelId);
  const path = mantlePath(k, api, served);
  const changes: Change[] = [];
  if (api !== runtime.api || path !== runtime.path) changes.push({ kind: 'another-route', detail: `${runtime.api} → ${api} at ${path}` });
  if (model !== r.modelId) changes.push({ kind: 'another-model-id', detail: `${r.modelId} → ${model}` });
  return { served: 'yes', family, api, model, path, changes };
}

/** The request as it would be sent to bedrock-mantle: the body rewritten for the target API; dropped fields are changes. */
export function mantleRequest(k: Knowledge, region: string, runtime: RuntimeRequest, target: Extract<MantleTarget, { served: 'yes' }>): { envelope: Envelope; changes: Change[] } {
  const { body, dropped } = translateBody(runtime.api, target.api, runtime.envelope.body, target.model);
  const changes = [...target.changes, ...dropped.map((field): Change => ({ kind: 'drop-field', detail: field }))];
  return { changes, envelope: { method: 'POST', url: `https://${hostOf(k, 'bedrock-mantle', region)}${target.path}`, body } };
}
