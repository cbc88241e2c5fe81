/**
 * A JSON Schema (2020-12) of a request body as the knowledge knows it, for one endpoint and API (and optionally a
 * model): the fields the knowledge reads, each described (the capability or rule, the cell on the endpoint, the
 * source), and the fields the endpoint or model rejects marked so that editors show them as errors (`"not": {}`;
 * a rejected value: `"not": { "enum": [...] }`; keys that must not be sent together; required keys).
 *
 * The fields come from the knowledge (capability signals, request-shape rules, matrix cells); whether one is
 * rejected on this endpoint, API and model is asked of `check` itself, with a request that holds only that field
 * (so model-scoped rules and cells settled by a model are judged as check judges them). Only errors mark a field;
 * warnings and what is not known are descriptions. The schema says nothing about fields the knowledge does not
 * read: every other key is allowed.
 */
import { LAST_SEGMENT } from '../detect/signals.js';
import { elementTestFromRoot } from '../detect/request-tests.js';
import type { Preflight } from '../preflight.js';
import { modelClassifierFor } from '../detect/models.js';
import type { ApiId, CapabilityDef, EndpointId, Finding, RequestRuleDef, RequestTest, SignalDef } from '../types.js';

export interface SchemaTarget {
  endpoint: EndpointId;
  api: ApiId;
  model?: string;
}

export type JsonSchema = Record<string, unknown>;

export const SCHEMA_BASE = 'https://bedrock-preflight.dev/schemas/requests';

/** Stable across versions: endpoint, API and (with a model) its family, never the tool's version. */
export function schemaId(target: SchemaTarget, family: string | null): string {
  const model = target.model === undefined ? '' : `/${family ?? 'unknown-model'}`;
  return `${SCHEMA_BASE}/${target.endpoint}/${target.api}${model}.schema.json`;
}

/** A field of the schema being built. */
interface Field {
  lines: string[];
  /** true: the key is rejected; else the values matching any of these schemas are. */
  rejected: true | JsonSchema[] | undefined;
  members: Map<string, Field>;
  items: Field | undefined;
  required: Set<string>;
  /** Sets of member keys that must not all be present. */
  notTogether: string[][];
}

const field = (): Field => ({ lines: [], rejected: undefined, members: new Map(), items: undefined, required: new Set(), notTogether: [] });

/** The field at a pointer pattern (`*`: any element), made on the way. */
function fieldAt(root: Field, segs: readonly string[]): Field {
  let f = root;
  for (const seg of segs) {
    if (seg === '*' || seg === LAST_SEGMENT) f = f.items ??= field();
    else {
      let m = f.members.get(seg);
      if (m === undefined) f.members.set(seg, (m = field()));
      f = m;
    }
  }
  return f;
}

const segmentsOf = (pattern: string): string[] => pattern.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
const isIndex = (seg: string): boolean => /^\d+$/.test(seg);
const addLine = (f: Field, line: string): void => {
  if (!f.lines.includes(line)) f.lines.push(line);
};

/** Asks check about bodies for one endpoint, API and model. */
class Probe {
  readonly url: string;
  private readonly bodyModel: boolean;

  constructor(
    private readonly preflight: Preflight,
    private readonly target: SchemaTarget,
  ) {
    const k = preflight.knowledge;
    const endpoint = k.endpoints.find((e) => e.id === target.endpoint)!;
    const region = k.regions.find((r) => r.endpoints[target.endpoint] === 'yes')?.id ?? 'us-east-1';
    const host = endpoint.host.replace('{region}', region);
    const api = k.apis.find((a) => a.id === target.api)!;
    const model = encodeURIComponent(target.model ?? 'model');
    // The first of the API's paths that check reads on this endpoint without a route or path finding.
    const paths = api.operations.map((o) => o.path.replace('{model}', model));
    this.url = `https://${host}${paths.find((p) => !this.findingsAt(`https://${host}${p}`, {}).some((f) => /^(route|path)-/.test(f.code))) ?? paths[0]}`;
    this.bodyModel = api.model[0] !== 'path';
  }

  /** The model is in the URL path or in the body, as the API has it: a body's own model is read as sent. */
  private findingsAt(url: string, body: Record<string, unknown>): Finding[] {
    return this.preflight.check({ url, body }).findings;
  }

  /** The error findings of a body (with the model, for APIs that name it in the body). */
  errors(body: Record<string, unknown>): Finding[] {
    const b = this.bodyModel && this.target.model !== undefined && !('model' in body) ? { model: this.target.model, ...body } : body;
    return this.findingsAt(this.url, b).filter((f) => f.severity === 'error');
  }
}

/** A body holding a value at a pointer pattern (`*` and indices: the first element). */
function bodyWith(segs: readonly string[], value: unknown): Record<string, unknown> {
  let v = value;
  for (let i = segs.length - 1; i >= 0; i--) v = segs[i] === '*' || segs[i] === LAST_SEGMENT || isIndex(segs[i]!) ? [v] : { [segs[i]!]: v };
  return (Array.isArray(v) ? {} : v) as Record<string, unknown>;
}

const concrete = (segs: readonly string[]): string => `/body/${segs.map((s) => (s === '*' || s === LAST_SEGMENT ? '0' : s)).join('/')}`;
/** A finding's message without its ` at /body/...` or ` at /url` (the schema is at the field). */
const atField = (f: Finding): string => f.message.replace(/ at \/(body|url)(\/[^\s,;.]*)?/g, '');

/** The bounds a request-rule body test can add to a value test (rules/requests.yaml: above, below, empty). */
type BoundTest = Partial<Pick<RequestTest, 'above' | 'below' | 'empty' | 'notType'>>;

/** The value a signal or test reads as present: its tested value, or an object. */
function probeValue(t: Pick<SignalDef, 'equals' | 'oneOf' | 'noneOf' | 'startsWith'> & BoundTest): unknown {
  if (t.empty === true) return [];
  if (t.notType !== undefined) return t.notType === 'object' ? [] : {};
  if (t.above !== undefined) return t.above + 1;
  if (t.below !== undefined) return t.below - 1;
  if (t.equals !== undefined) return t.equals;
  if (t.oneOf !== undefined) return t.oneOf[0];
  if (t.startsWith !== undefined) return `${Array.isArray(t.startsWith) ? t.startsWith[0] : t.startsWith}x`;
  if (t.noneOf !== undefined) return `not-${t.noneOf.join('-')}`;
  return {};
}

type ValueTest = Pick<SignalDef, 'equals' | 'oneOf' | 'noneOf' | 'startsWith' | 'matches' | 'ignoreCase'>;

/** What a test rejects: the key (true), the values a schema matches, or nothing a schema can say (undefined). */
function rejectedValues(t: ValueTest & BoundTest): true | JsonSchema | undefined {
  if (t.empty === true) return { anyOf: [{ type: 'string', maxLength: 0 }, { type: 'array', maxItems: 0 }, { type: 'object', maxProperties: 0 }] };
  if (t.notType !== undefined) return { not: { type: [t.notType, 'null'] } };
  if (t.above !== undefined || t.below !== undefined) {
    return { type: 'number', ...(t.above !== undefined ? { exclusiveMinimum: t.above } : {}), ...(t.below !== undefined ? { exclusiveMaximum: t.below } : {}) };
  }
  if (t.equals !== undefined) return { enum: [t.equals] };
  if (t.oneOf !== undefined) return { enum: t.oneOf };
  if (t.noneOf !== undefined || t.ignoreCase) return undefined;
  if (t.startsWith !== undefined) return { type: 'string', pattern: `^(?:${[t.startsWith].flat().map(escapeRegExp).join('|')})` };
  if (t.matches !== undefined) return { type: 'string', pattern: t.matches };
  return true;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function describeSignal(root: Field, cap: CapabilityDef, signal: SignalDef, pointer: string, target: SchemaTarget, preflight: Preflight, probe: Probe): void {
  const segs = segmentsOf(pointer);
  const f = fieldAt(root, segs);
  const k = preflight.knowledge;
  const row = k.matrix.find((r) => r.id === cap.id && r.api === target.api) ?? k.matrix.find((r) => r.id === cap.id && r.api === undefined);
  const cell = row?.cells[target.endpoint];
  const value = signal.equals !== undefined ? ` = ${JSON.stringify(signal.equals)}` : signal.oneOf !== undefined ? ` in ${JSON.stringify(signal.oneOf)}` : signal.startsWith !== undefined ? ` starting with ${JSON.stringify(signal.startsWith)}` : signal.matches !== undefined ? ` matching ${signal.matches}` : '';
  const cellText = cell ? `; on ${target.endpoint}: ${cell.value}${cell.condition ? ` (${cell.condition})` : ''} (${cell.source}, as of ${cell.asOf})` : '';
  addLine(f, `${cap.label} (${cap.id})${value}${cellText}.`);
  const rejected = rejectedValues(signal);
  if (isIndexed(segs) || rejected === undefined) return;
  // A pattern gives no value to ask check about: the cell alone says whether the endpoint rejects it.
  const reasons = signal.matches !== undefined
    ? cell?.value === 'no' ? [`${cap.label} is not supported on ${target.endpoint}.`] : []
    : probe.errors(bodyWith(segs, signal.model ? modelProbe(signal, target, preflight) : probeValue(signal))).filter((e) => e.path === concrete(segs)).map(atField);
  if (reasons.length === 0) return;
  reject(f, rejected);
  for (const r of reasons) addLine(f, `Rejected: ${r}`);
}

/** A model id a model signal holds for: its first prefix before the target's model (or a known model). */
function modelProbe(signal: SignalDef, target: SchemaTarget, preflight: Preflight): string {
  const model = target.model ?? preflight.knowledge.models[0]?.examples[0] ?? '';
  return `${[signal.startsWith ?? ''].flat()[0]}${model}`;
}

const isIndexed = (segs: readonly string[]): boolean => segs.some((s) => isIndex(s) || s === LAST_SEGMENT);

function reject(f: Field, values: true | JsonSchema): void {
  if (f.rejected === true) return;
  f.rejected = values === true ? true : [...(f.rejected ?? []), values];
}

const ruleText = (r: RequestRuleDef): string =>
  `${r.severity === 'error' ? 'Error' : 'Warning'} (${r.code} ${r.subject}): ${r.message.replace(/\{\w+\}/g, '')} ${r.fix} (${r.source}, as of ${r.asOf})`;

const matches = (errors: Finding[], r: RequestRuleDef, path?: string): boolean =>
  errors.some((e) => e.code === r.code && e.subject === r.subject && (path === undefined || e.path === path));

/** A request-shape rule: its fields described, and marked where check reports the rule's error for them. */
function describeRule(root: Field, r: RequestRuleDef, probe: Probe): void {
  const t: RequestTest = r.when ?? {};
  const text = ruleText(r);
  const presence = (x: RequestTest): boolean => x.body !== undefined && rejectedValues(x) === true;
  if (t.body !== undefined) {
    const segs = segmentsOf(t.body);
    addLine(fieldAt(root, segs), text);
    const values = rejectedValues(t);
    if (values !== undefined && !isIndexed(segs) && matches(probe.errors(bodyWith(segs, probeValue(t))), r, concrete(segs))) reject(fieldAt(root, segs), values);
  } else if (t.absent !== undefined) {
    const segs = segmentsOf(t.absent);
    addLine(fieldAt(root, segs), text);
    if (segs.length === 1 && matches(probe.errors({}), r, '/body')) root.required.add(segs[0]!);
  } else if (t.all !== undefined && t.all.every(presence)) {
    const all = t.all.map((x) => segmentsOf(x.body!));
    for (const segs of all) addLine(fieldAt(root, segs), text);
    const parent = all[0]!.slice(0, -1);
    const sameParent = all.every((s) => s.length === parent.length + 1 && s.slice(0, -1).join('/') === parent.join('/'));
    let body: Record<string, unknown> = {};
    for (const segs of all) body = merge(body, bodyWith(segs, 1));
    if (sameParent && !isIndexed(parent) && !parent.includes('*') && matches(probe.errors(body), r)) fieldAt(root, parent).notTogether.push(all.map((s) => s.at(-1)!));
  } else {
    for (const p of new Set(pointersOf(t))) addLine(fieldAt(root, segmentsOf(p)), text);
  }
}

/** Every body pointer a test reads, in nested all and any too. */
function pointersOf(t: RequestTest): string[] {
  const pairs = t.pairs && [`${t.pairs.array}/*${t.pairs.ask}`, `${t.pairs.array}/*${t.pairs.answer}`];
  const own = [t.body, t.absent, t.compare?.value, t.compare?.atLeast, t.repeats && `${t.repeats.array}/*/${t.repeats.field}`, ...(pairs ?? []), ...(t.count ?? []), ...(t.sequence ?? [])];
  const nested = [...(t.all ?? []), ...(t.any ?? []), ...(t.some ? [elementTestFromRoot(t.some)] : [])];
  return [...own.filter((p): p is string => p !== undefined), ...nested.flatMap(pointersOf)];
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev !== null && typeof prev === 'object' && !Array.isArray(prev) && v !== null && typeof v === 'object' && !Array.isArray(v) ? merge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The JSON Schema of a field. Types are asserted only in `anyOf` branches: a field may also be of another type. */
function toSchema(f: Field, root: boolean): JsonSchema {
  const s: JsonSchema = {};
  if (f.lines.length > 0) s['description'] = f.lines.join('\n');
  if (f.rejected === true) return { ...s, not: {} };
  if (f.rejected !== undefined) s['not'] = f.rejected.length === 1 ? f.rejected[0] : { anyOf: f.rejected };
  const object = objectSchema(f);
  const array = f.items === undefined ? undefined : { type: 'array', items: toSchema(f.items, false) };
  if (root) return { ...s, ...(object ?? { type: 'object' }) };
  const branches = [object, array].filter((b): b is JsonSchema => b !== undefined);
  if (branches.length === 0) return s;
  const types = branches.map((b) => ({ type: b['type'] }));
  s['anyOf'] = [...branches, { not: types.length === 1 ? types[0] : { anyOf: types } }];
  return s;
}

function objectSchema(f: Field): JsonSchema | undefined {
  if (f.members.size === 0 && f.required.size === 0 && f.notTogether.length === 0) return undefined;
  const o: JsonSchema = { type: 'object', properties: Object.fromEntries([...f.members].map(([k, m]) => [k, toSchema(m, false)])) };
  if (f.required.size > 0) o['required'] = [...f.required];
  if (f.notTogether.length > 0) {
    o['allOf'] = f.notTogether.map((keys) => ({ not: { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, true])), required: keys } }));
  }
  return o;
}

/** The schema of request bodies for an endpoint and API (and model). */
export function requestSchema(preflight: Preflight, target: SchemaTarget): JsonSchema {
  const k = preflight.knowledge;
  const family = target.model === undefined ? null : modelClassifierFor(k.models)(target.model).family;
  const api = k.apis.find((a) => a.id === target.api)!;
  const probe = new Probe(preflight, target);
  const root = field();
  const head: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(target, family),
    title: `${api.label} request body on ${target.endpoint}${target.model === undefined ? '' : ` for ${target.model}`}`,
  };
  const apiErrors = probe.errors({}).filter((f) => f.code.startsWith('api-'));
  if (apiErrors.length > 0) {
    root.lines.push(...apiErrors.map((e) => `Rejected: ${atField(e)}`));
    root.rejected = true;
    return { ...head, ...toSchema(root, true) };
  }
  root.lines.push(`The fields bedrock-preflight's knowledge reads in a ${api.label} request body sent to ${target.endpoint} (${api.source}, as of ${api.asOf}). Fields marked as not allowed are rejected there; other keys are not checked.`);
  // Signals on the model id read the body's model field, for APIs that name the model there.
  const modelPointer = api.model.find((m) => m !== 'path');
  for (const cap of k.capabilities) {
    for (const signal of cap.signals) {
      if (signal.apis !== undefined && !signal.apis.includes(target.api)) continue;
      const pointer = signal.body ?? (signal.model && api.model[0] !== 'path' ? modelPointer : undefined);
      if (pointer !== undefined) describeSignal(root, cap, signal, pointer, target, preflight, probe);
    }
  }
  for (const r of k.requestRules) {
    if (r.apis.includes(target.api) && (r.endpoints === undefined || r.endpoints.includes(target.endpoint))) describeRule(root, r, probe);
  }
  return { ...head, ...toSchema(root, true) };
}
