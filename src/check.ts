/**
 * check: read → detect → evaluate → findings → recommendation → report. Everything here is compiled once per
 * knowledge (compileChecker) and then runs synchronously per request.
 */
import type { Detection, Detector } from './detect/detect.js';
import { splitUrl } from './detect/detect.js';
import type { Evaluator, RuleEvent } from './compile/evaluator.js';
import { PreflightInputError } from './errors.js';
import { readRequest } from './input/body.js';
import { recommendForErrors, type Recommender } from './recommend.js';
import { redact } from './redact.js';
import { ENDPOINT_IDS } from './types.js';
import type { CheckOptions, CheckReport, EndpointId, Facts, Finding, FindingCode, Knowledge, Recommendation, Severity } from './types.js';
import { fillTemplate, renderMessage, type Slot } from './compile/template.js';

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export interface Checker {
  check(input: unknown, options?: CheckOptions): CheckReport;
}

const otherEndpoint = (e: EndpointId): EndpointId => ENDPOINT_IDS.find((x) => x !== e)!;

/** Options must be an object (or absent): `check(x, null)` is a usage error, not a TypeError. */
function checkOptionsShape(options: unknown): CheckOptions | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new PreflightInputError('E_USAGE', `check options must be an object (endpoint, api, model, region), found ${options === null ? 'null' : Array.isArray(options) ? 'an array' : `a ${typeof options}`}`);
  }
  return options as CheckOptions;
}

/** The value of an envelope's Host header, without a port; undefined when it has none. */
function hostHeader(doc: Record<string, unknown>): string | undefined {
  const headers = doc['headers'];
  if (headers === null || typeof headers !== 'object') return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'host') continue;
    const v = Array.isArray(value) ? value[0] : value;
    return typeof v === 'string' && v !== '' ? v.trim().toLowerCase().replace(/:\d+$/, '') : undefined;
  }
  return undefined;
}

/**
 * An envelope sent through a proxy or a loopback address names the endpoint in its Host header: when the URL's
 * host is not a Bedrock endpoint and the Host header is, the URL is read with the Host header's host.
 */
function withHostHeader(input: unknown, isEndpointHost: (host: string) => boolean): unknown {
  if (input === null || typeof input !== 'object') return input;
  const doc = input as Record<string, unknown>;
  const url = doc['url'];
  if (typeof url !== 'string') return input;
  const host = hostHeader(doc);
  if (host === undefined) return input;
  const parts = splitUrl(url);
  if (parts === undefined || parts.host === host) return input;
  if (isEndpointHost(parts.host) || !isEndpointHost(host)) return input;
  return { ...doc, url: `https://${host}${parts.path}` };
}

/** What the check functions need from the compiled knowledge; built once per knowledge. */
interface CheckContext {
  readonly detector: Detector;
  readonly evaluator: Evaluator;
  readonly recommender: Recommender;
  readonly templates: ReadonlyMap<FindingCode, string>;
  readonly apis: ReadonlyMap<string, Knowledge['apis'][number]>;
  /** Per endpoint, the inference paths of the APIs it offers (matrix cell not `no`), for the message of a path that names none. */
  readonly inferencePaths: ReadonlyMap<string, string>;
  readonly unknownPath: Knowledge['findings'][number] | undefined;
}

const templateOf = (ctx: CheckContext, code: FindingCode): string => ctx.templates.get(code) ?? code;

/** An envelope whose URL path names no operation, and whose body names no API: nothing can route it. */
function unknownPathFinding(ctx: CheckContext, path: string, endpoint: string): Finding {
  const { unknownPath } = ctx;
  return {
    code: 'path-unknown',
    subject: 'api',
    severity: 'error',
    message: fillTemplate(templateOf(ctx, 'path-unknown'), { value: redact(path), endpoint, paths: ctx.inferencePaths.get(endpoint) ?? '', where: ' (at /body)', fix: unknownPath?.fix ?? '' }),
    path: '/url',
    ...(unknownPath?.fix !== undefined ? { fix: unknownPath.fix } : {}),
    ...(unknownPath?.source !== undefined ? { source: unknownPath.source } : {}),
    ...(unknownPath?.confidence !== undefined ? { confidence: unknownPath.confidence } : {}),
  };
}

function isEndpointHost(detector: Detector, host: string): boolean {
  try {
    detector.detect({ url: `https://${host}/`, body: {} });
    return true;
  } catch {
    return false;
  }
}

function pathOf(base: RuleEvent['finding'], d: Detection, options: CheckOptions | undefined): string | undefined {
  switch (base.pathFrom) {
    case 'api':
      return d.apiPath;
    case 'capability': {
      let path: string | undefined;
      for (const e of d.evidence) if (e.id === base.subject) path = e.path;
      return path;
    }
    case 'model':
      return d.modelPath;
    case 'region':
      return d.isEnvelope && options?.region === undefined ? '/url' : undefined;
    case 'signal': {
      const ev = d.signalEvidence?.get(base.signal);
      return ev === undefined ? d.apiPath : ev;
    }
  }
  return undefined;
}

/** The findings of the compiled rules for `facts` (the request's, or the same request on the other endpoint). */
function ruleFindings(evaluator: Evaluator, facts: Facts, d: Detection, options: CheckOptions | undefined): Finding[] {
  const findings: Finding[] = [];
  const events = evaluator.run(facts);
  let slots: Record<Slot, string> | undefined;
  for (let i = 0; i < events.length; i++) {
    const { finding: base, message } = events[i]!;
    const path = pathOf(base, d, options);
    slots ??= {
      where: '',
      model: facts.model === null ? '' : redact(facts.model),
      region: facts.region === null ? '' : redact(facts.region),
      api: facts.api ?? '',
    };
    slots.where = path !== undefined && path !== '' ? ` at ${path}` : '';
    const finding: Finding = { code: base.code, subject: base.subject, severity: base.severity, message: renderMessage(message, slots) };
    if (path !== undefined) finding.path = path;
    finding.source = base.source;
    if (base.fix !== undefined) finding.fix = base.fix;
    if (base.confidence !== undefined) finding.confidence = base.confidence;
    findings.push(finding);
  }
  return findings;
}

/** An operation outside the five APIs, sent to an endpoint that does not offer it. */
function operationFinding(ctx: CheckContext, d: Detection, endpoint: EndpointId): Finding | undefined {
  const other = d.otherOperation;
  if (other === undefined || other.endpoints.includes(endpoint)) return undefined;
  return {
    code: 'operation-unsupported',
    subject: other.id,
    severity: 'error',
    message: fillTemplate(templateOf(ctx, 'operation-unsupported'), { label: other.label, endpoints: other.endpoints.join(', '), endpoint, where: ' at /url' }),
    path: '/url',
    source: other.source,
  };
}

/** Findings about an operation outside the matrix: unsupported on this endpoint, and no API to judge it by. */
function otherOperationFindings(ctx: CheckContext, d: Detection, other: NonNullable<Detection['otherOperation']>): Finding[] {
  const findings: Finding[] = [];
  const unsupported = operationFinding(ctx, d, d.facts.endpoint);
  if (unsupported) findings.push(unsupported);
  if (d.facts.api === null) {
    findings.push({
      code: 'operation-outside-matrix',
      subject: other.id,
      severity: 'info',
      message: fillTemplate(templateOf(ctx, 'operation-outside-matrix'), { label: other.label, where: ' at /url' }),
      path: '/url',
      source: other.source,
    });
  }
  return findings;
}

/** The finding that says which API the request was read as, when that is less than certain. */
function apiFinding(ctx: CheckContext, d: Detection): Finding | undefined {
  const { facts, apiSource: src } = d;
  if (facts.api === null && d.unrecognizedPath !== undefined) return unknownPathFinding(ctx, d.unrecognizedPath, facts.endpoint);
  if (facts.api === null) {
    return {
      code: 'api-undetermined',
      subject: 'api',
      severity: 'warning',
      message: fillTemplate(templateOf(ctx, 'api-undetermined'), { where: d.isEnvelope ? ' (at /body)' : '' }),
      ...(d.isEnvelope ? { path: '/url' } : {}),
    };
  }
  if (src.kind !== 'shape') return undefined;
  const api = ctx.apis.get(facts.api)!;
  return {
    code: 'api-inferred',
    subject: facts.api,
    severity: 'info',
    message: fillTemplate(templateOf(ctx, 'api-inferred'), { label: api.label, why: src.why }),
    path: d.apiPath ?? '',
    source: api.source,
  };
}

/** A URL path the API was not recognised from, when the API came from elsewhere. */
function unrecognizedPathFinding(ctx: CheckContext, d: Detection, path: string): Finding {
  const { facts, apiSource: src } = d;
  return {
    code: 'path-unrecognized',
    subject: facts.api ?? 'api',
    severity: 'warning',
    message: fillTemplate(templateOf(ctx, 'path-unrecognized'), {
      value: redact(path),
      endpoint: facts.endpoint,
      how: src.kind === 'override' ? '--api' : src.kind === 'shape' ? "the body's shape" : 'nowhere',
    }),
    path: '/url',
  };
}

/** Findings about the detection itself: which API, and from where. */
function detectionFindings(ctx: CheckContext, d: Detection): Finding[] {
  const findings: Finding[] = [];
  if (d.otherOperation !== undefined) {
    findings.push(...otherOperationFindings(ctx, d, d.otherOperation));
  } else {
    const api = apiFinding(ctx, d);
    if (api) findings.push(api);
  }
  if (d.unrecognizedPath !== undefined && d.facts.api !== null) findings.push(unrecognizedPathFinding(ctx, d, d.unrecognizedPath));
  return findings;
}

const needsOf = (facts: Facts): string[] => (facts.api === null ? facts.capabilities : [facts.api, ...facts.capabilities]);

/** A valid request stays on its endpoint; the reasons say what is less than certain there. */
function validRecommendation(recommender: Recommender, d: Detection): Recommendation {
  const rec = recommender.recommend(needsOf(d.facts), d.facts.endpoint, true);
  return rec.split ? { endpoint: rec.endpoint, reasons: rec.reasons, split: rec.split } : { endpoint: rec.endpoint, reasons: rec.reasons };
}

/** A request with errors: the same request is judged on the other endpoint too, and the recommendation says what to change. */
function invalidRecommendation(ctx: CheckContext, d: Detection, ownErrors: readonly Finding[], options: CheckOptions | undefined): Recommendation {
  const own = d.facts.endpoint;
  const other = otherEndpoint(own);
  const onOther = ruleFindings(ctx.evaluator, { ...d.facts, endpoint: other }, d, options);
  const operation = operationFinding(ctx, d, other);
  if (operation) onOther.push(operation);
  // A path that names no operation, with a body that names no API, names none on the other endpoint either.
  if (d.facts.api === null && d.unrecognizedPath !== undefined) onOther.push(unknownPathFinding(ctx, d.unrecognizedPath, other));
  const errors = { [own]: ownErrors, [other]: onOther.filter((f) => f.severity === 'error') } as Record<EndpointId, readonly Finding[]>;
  return recommendForErrors(ctx.recommender, needsOf(d.facts), own, errors);
}

/** One request through detect → evaluate → findings → recommendation. */
function checkRequest(ctx: CheckContext, input: unknown, optionsIn: unknown): CheckReport {
  const options = checkOptionsShape(optionsIn);
  const d = ctx.detector.detect(withHostHeader(readRequest(input), (host) => isEndpointHost(ctx.detector, host)), options);
  const { facts } = d;
  const findings = ruleFindings(ctx.evaluator, facts, d, options);
  findings.push(...detectionFindings(ctx, d));
  if (findings.length > 1) findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const errors = findings.filter((f) => f.severity === 'error');
  const valid = errors.length === 0;
  // The recommendation is made the first time it is read, then kept: lint, the integrations and the audit read
  // only the findings, and for a request with errors it costs a second evaluation on the other endpoint. To every
  // reader (JSON, spread, structuredClone) it is an ordinary enumerable property.
  let recommendation: Recommendation | undefined;
  return {
    endpoint: facts.endpoint,
    api: facts.api,
    model: facts.model === null ? null : redact(facts.model),
    region: facts.region === null ? null : redact(facts.region),
    valid,
    capabilities: d.evidence,
    findings,
    get recommendation(): Recommendation {
      return (recommendation ??= valid ? validRecommendation(ctx.recommender, d) : invalidRecommendation(ctx, d, errors, options));
    },
    set recommendation(value: Recommendation) {
      recommendation = value;
    },
  };
}

/** Each endpoint's inference paths: the operations of every API whose row in the API table is not `no` there. */
function inferencePathsByEndpoint(k: Knowledge): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of k.endpoints) {
    const offered = k.apis.filter((a) => k.matrix.find((r) => r.kind === 'api' && r.id === a.id)?.support[e.id] !== 'no');
    out.set(e.id, [...new Set(offered.flatMap((a) => a.operations.map((o) => o.path)))].join(', '));
  }
  return out;
}

export function compileChecker(k: Knowledge, detector: Detector, evaluator: Evaluator, recommender: Recommender): Checker {
  const ctx: CheckContext = {
    detector,
    evaluator,
    recommender,
    templates: new Map(k.findings.map((f) => [f.code, f.template])),
    apis: new Map(k.apis.map((a) => [a.id, a])),
    inferencePaths: inferencePathsByEndpoint(k),
    unknownPath: k.findings.find((f) => f.code === 'path-unknown'),
  };
  return { check: (input, options) => checkRequest(ctx, input, options) };
}
