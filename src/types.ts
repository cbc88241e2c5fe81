/**
 * Shared types of every stage: knowledge (as built from rules/*.yaml), facts, findings and reports.
 * The ids are strings whose allowed values come from the knowledge (rules/*.yaml), the one source of them;
 * the contract's fixed lists are checked against the knowledge by the tests.
 */

export type EndpointId = 'bedrock-runtime' | 'bedrock-mantle';
export const ENDPOINT_IDS: readonly EndpointId[] = ['bedrock-runtime', 'bedrock-mantle'];

/** An api id, as declared in rules/apis.yaml (adding an API is a YAML change, as adding a capability is). */
export type ApiId = string;
/** A capability id, as declared in rules/capabilities.yaml. */
export type CapabilityId = string;
export type CellValue = 'yes' | 'no' | 'conditional' | 'unknown';
export type Severity = 'error' | 'warning' | 'info';

/** Codes of findings. Kebab-case, stable. */
export type FindingCode =
  | 'model-unsupported'
  | 'model-api-unsupported'
  | 'model-route-mismatch'
  | 'model-profile-required'
  | 'model-feature-unsupported'
  | 'model-id-form'
  | 'model-unknown'
  | 'region-unsupported'
  | 'region-endpoint-unknown'
  | 'region-unknown'
  | 'route-noncanonical'
  | 'operation-outside-matrix'
  | 'operation-unsupported'
  | 'api-unsupported'
  | 'api-conditional'
  | 'api-unknown'
  | 'capability-unsupported'
  | 'capability-conditional'
  | 'capability-unknown'
  | 'api-undetermined'
  | 'api-inferred'
  | 'path-unrecognized'
  | 'path-unknown'
  | 'model-end-of-life'
  | 'model-legacy'
  /** Request-shape rules (rules/requests.yaml) name their own codes. */
  | `field-${string}`
  | `header-${string}`
  | `limit-${string}`
  | `auth-${string}`;

export type Confidence = 'confirmed' | 'inferred';

export interface Note {
  asOf: string;
  source: string;
  says: string;
}

export interface Sourced {
  source: string;
  asOf: string;
}

// ---------------------------------------------------------------------------------------------------------
// Knowledge, as built at build time from rules/*.yaml (src/generated/knowledge.json).

export interface HostDef extends Sourced {
  template: string;
  variant: string;
  note?: string;
}

export interface EndpointDef extends Sourced {
  id: EndpointId;
  label: string;
  aliases: string[];
  host: string;
  description: string;
  signingName: string;
  hosts: HostDef[];
}

export interface ShapeIndicator {
  body: string;
  oneOf?: Array<string | number | boolean>;
  weight: number;
  decisive?: boolean;
  why: string;
}

export interface ApiDef extends Sourced {
  id: ApiId;
  label: string;
  operations: Array<{ id: string; path: string; route?: string }>;
  /** Where the model id is: 'path' or a JSON Pointer into the body, in order. */
  model: string[];
  shape: ShapeIndicator[];
}

export interface SignalDef extends Sourced {
  apis?: ApiId[];
  body?: string;
  header?: string;
  model?: true;
  equals?: string | number | boolean;
  oneOf?: Array<string | number | boolean>;
  noneOf?: Array<string | number | boolean>;
  startsWith?: string | string[];
  matches?: string;
  ignoreCase?: boolean;
  note?: string;
}

export interface OtherOperationDef extends Sourced {
  id: string;
  label: string;
  path: string;
  endpoints: EndpointId[];
}

export interface CapabilityDef {
  id: CapabilityId;
  label: string;
  summary: string;
  implies: CapabilityId[];
  signals: SignalDef[];
}

export interface Cell extends Sourced {
  value: CellValue;
  condition?: string;
  detail?: string;
  fix?: string;
}

/** One matrix row as `matrix --format json` prints it (plus the internal fields after `asOf`). */
export interface MatrixRow {
  table: string;
  id: string;
  label: string;
  api?: ApiId;
  support: Record<EndpointId, CellValue>;
  detail?: Partial<Record<EndpointId, string>>;
  source: string;
  asOf: string;
  condition?: Partial<Record<EndpointId, string>>;
  derived?: string;
  notes?: Note[];
  cells: Record<EndpointId, Cell>;
  /** 'api' | 'capability' | 'other': what kind of id the row is about. */
  kind: 'api' | 'capability' | 'other';
}

export interface MatrixTable {
  id: string;
  title: string;
  subjectHeading: string;
}

export interface FindingCodeDef {
  code: FindingCode;
  summary: string;
  template: string;
  fix?: string;
  confidence?: Confidence;
  source?: string;
  asOf?: string;
}

export interface Guidance {
  newApplications: Sourced & { endpoint: EndpointId; why: string; notes?: Note[] };
  prefer: Record<EndpointId, Sourced & { when: Array<{ text: string; needs: string[] }> }>;
  together: Sourced & { text: string };
  throughput: Record<EndpointId, Sourced & { text: string; notes?: Note[] }> & {
    separatePools?: Sourced & { text: string };
  };
  pricing: Sourced & { text: string; identical?: boolean; notes?: Note[] };
}

/** A json-rules-engine rule as `rules --format json` prints it. */
export interface JreCondition {
  fact: string;
  operator: string;
  value: unknown;
  path?: string;
}
export type JreConditions = { all: JreNode[] } | { any: JreNode[] } | { not: JreNode };
export type JreNode = JreCondition | JreConditions;

export interface RuleEventParams {
  code: FindingCode;
  subject: string;
  severity: Severity;
  /** The endpoint the rule is about; absent for rules about both. */
  endpoint?: EndpointId;
  api?: ApiId;
  table: string;
  cell: CellValue;
  source: string;
  asOf: string;
  condition?: string;
  fix?: string;
  confidence?: Confidence;
  /** Which evidence the finding's path comes from. */
  pathFrom: 'api' | 'capability' | 'model' | 'region' | 'signal';
  /** The message with its run-time slots ({where}, {model}, {region}, {api}) left in, the rest filled. */
  message: string;
}

export interface JreRule {
  name: string;
  priority?: number;
  conditions: JreConditions;
  event: { type: FindingCode; params: RuleEventParams };
}

export interface ServedBy extends Sourced {
  apis: ApiId[];
  route?: string;
  /** The route's own evidence for some model ids of the family (the service's refusal of another route, say). */
  routeRequired?: Sourced & { ids: string[]; confidence: Confidence; serviceError?: string; note?: string };
  profileOnly?: boolean;
  confidence: Confidence;
  note?: string;
}

export interface ModelFeature extends Sourced {
  'bedrock-runtime'?: CellValue;
  'bedrock-mantle'?: CellValue;
  confidence: Confidence;
  note?: string;
}

export type ModelFeatureName = 'structuredOutputs' | 'promptCaching' | 'temperatureOrTopP';

export interface ModelFamily {
  id: string;
  label: string;
  match: string;
  examples: string[];
  endpoints: Record<EndpointId, ServedBy | 'unknown'>;
  structuredOutputs?: ModelFeature;
  promptCaching?: ModelFeature;
  temperatureOrTopP?: ModelFeature;
  /** bedrock-runtime serves the family on demand only through an inference profile (implies profileOnly there). */
  profileRequired?: Sourced & { confidence: Confidence; serviceError?: string; regions?: string[]; note?: string };
  notes?: Note[];
  /** Amazon Bedrock lifecycle dates of some of the family's model ids (rules/models.yaml `lifecycle`). */
  lifecycle?: ModelLifecycle[];
}

/** Legacy and end-of-life dates (YYYY-MM-DD, AWS's) of exact base model ids. */
export interface ModelLifecycle extends Sourced {
  ids: string[];
  label?: string;
  legacyFrom?: string;
  endOfLife: string;
  replacement: string;
  /** Only in these Regions (the source names where requests fail). */
  regions?: string[];
  exceptRegions?: string[];
  confidence: Confidence;
  serviceError?: string;
  note?: string;
}

export interface RegionDef extends Sourced {
  id: string;
  label: string;
  location: [number, number];
  endpoints: Record<EndpointId, CellValue>;
  confidence?: Confidence;
  note?: string;
}

/** One test of a request-shape rule (rules/requests.yaml). */
export interface RequestTest {
  body?: string;
  absent?: string;
  header?: string;
  headerAbsent?: string;
  count?: string[];
  over?: number;
  sequence?: string[];
  field?: string;
  order?: string[];
  default?: string;
  capability?: string;
  all?: RequestTest[];
  any?: RequestTest[];
  /** Holds while the current date (UTC, YYYY-MM-DD) is on or after `from` and before `before`. */
  today?: { from?: string; before?: string };
  /** Holds when the request's base model id (no profile prefix, ARN or :1m suffix) is one of these. */
  modelIds?: string[];
  /** Holds when the request names a model whose base id is none of these (the twin of a modelIds test). */
  exceptModelIds?: string[];
  equals?: string | number | boolean;
  oneOf?: Array<string | number | boolean>;
  noneOf?: Array<string | number | boolean>;
  startsWith?: string | string[];
  matches?: string;
  ignoreCase?: boolean;
  /** With body: the value is a number greater than this. */
  above?: number;
  /** With body: the value is a number less than this. */
  below?: number;
  /** With body: the value is an empty string, array or object. */
  empty?: boolean;
  /** With body: the value (present, not null) is not of this JSON type: an object where the API takes an array. */
  notType?: JsonType;
  /** The number at `value` is at least the number at `atLeast` (both plain pointers into the body). */
  compare?: { value: string; atLeast: string };
  /** Two neighbouring elements of the array at `array` have the same string at `field` (two user turns in a row). */
  repeats?: { array: string; field: string };
  /**
   * Values at `ask` in one element of the array at `array` and at `answer` in the next one must pair up (a tool
   * use and its result in the next message): holds at the first value of the `unmatched` side without its partner.
   * `ask` and `answer` are pointers below an element.
   */
  pairs?: { array: string; ask: string; answer: string; unmatched: 'ask' | 'answer' };
  /** Some element of the arrays at `array` passes `test`, whose pointers are below the element (body, absent, all, any). */
  some?: { array: string; test: RequestTest };
}

/** The JSON types a `notType` test names. */
export type JsonType = 'array' | 'object' | 'string' | 'number' | 'boolean';

/** What a test inside `some` may be: tests of the element's own keys. */
export const ELEMENT_TEST_KINDS = ['body', 'absent', 'all', 'any'] as const;

export interface RequestRuleDef extends Sourced {
  id: string;
  code: FindingCode;
  subject: string;
  endpoints?: EndpointId[];
  apis: ApiId[];
  operations?: string[];
  routes?: string[];
  /** Only for requests to these Regions. */
  regions?: string[];
  /** Not for requests to these Regions. */
  exceptRegions?: string[];
  models?: { families?: string[]; exceptFamilies?: string[]; familyMatches?: string; exceptFamilyMatches?: string; feature?: ModelFeatureName };
  when?: RequestTest;
  severity: Severity;
  confidence: Confidence;
  message: string;
  fix: string;
  note?: string;
  /** The service's own error text for a request the rule catches, as quoted in the source. */
  serviceError?: string;
  /** Its patterns come from a user's configuration: matched by the linear-time (RE2) engine, never backtracking. */
  userPatterns?: true;
}

export interface Knowledge {
  otherOperations: OtherOperationDef[];
  models: ModelFamily[];
  regions: RegionDef[];
  requestRules: RequestRuleDef[];
  endpoints: EndpointDef[];
  apis: ApiDef[];
  capabilities: CapabilityDef[];
  tables: MatrixTable[];
  matrix: MatrixRow[];
  findings: FindingCodeDef[];
  guidance: Guidance;
  rules: JreRule[];
}

// ---------------------------------------------------------------------------------------------------------
// Facts and reports.

/** What detection found in a request. Always built with these keys in this order. */
export interface Facts {
  endpoint: EndpointId;
  api: ApiId | null;
  model: string | null;
  region: string | null;
  operation: string | null;
  capabilities: CapabilityId[];
  /** The model family (rules/models.yaml) the model id belongs to; null when unknown or no model. */
  modelFamily: string | null;
  /** How the model is named: 'base' id, geo/global 'profile' id, 'arn' naming a model, 'arn-opaque' (router, provisioned…). */
  modelForm: 'base' | 'profile' | 'arn' | 'arn-opaque' | null;
  /** The route prefix of the URL path (e.g. /v1, /openai/v1); null without a URL. */
  route: string | null;
  /** Ids of the request-shape rules whose test holds for this request. */
  signals: string[];
}

export interface CapabilityUse {
  id: CapabilityId;
  path?: string;
}

export interface Finding {
  code: FindingCode | string;
  subject: string;
  severity: Severity;
  message: string;
  path?: string;
  source?: string;
  fix?: string;
  /** For knowledge beyond the seed's tables: whether the source confirms it or it is inferred. */
  confidence?: Confidence;
}

/** One change a request needs on the recommended endpoint: an error finding there, and what to do about it. */
export interface RecommendedChange {
  code: string;
  subject: string;
  path?: string;
  change: string;
}

export interface Recommendation {
  endpoint: EndpointId | null;
  reasons: string[];
  split?: Record<string, EndpointId | null>;
  needs?: string[];
  /** For a request that is not valid: what to change on the recommended endpoint (none when moving is enough). */
  changes?: RecommendedChange[];
}

export interface CheckReport {
  endpoint: EndpointId;
  api: ApiId | null;
  model: string | null;
  region: string | null;
  valid: boolean;
  capabilities: CapabilityUse[];
  findings: Finding[];
  recommendation: Recommendation;
}

export interface CheckOptions {
  endpoint?: string;
  api?: string;
  model?: string;
  region?: string;
}
