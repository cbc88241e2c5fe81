/**
 * createPreflight: compiles the knowledge once (detector, evaluator, recommender) and returns synchronous
 * check / recommend. The built-in knowledge is JSON built from rules/*.yaml at build time.
 */
import * as z from 'zod/mini';
import { builtInKnowledge as builtIn } from './generated/knowledge.js';
import { compileChecker, type Checker } from './check.js';
import { compileEvaluator } from './compile/evaluator.js';
import { compileDetector } from './detect/detect.js';
import { PreflightInputError } from './errors.js';
import { explain, type Explanation } from './explain.js';
import { compileRecommender, type Recommender, type RecommendResult } from './recommend.js';
import { endpointTableRows } from './knowledge/endpoint-table.js';
import type { CheckOptions, CheckReport, EndpointId, JreRule, Knowledge, MatrixRow } from './types.js';

export const builtInKnowledge: Knowledge = builtIn;

export interface PreflightOptions {
  /** Knowledge to use instead of the built-in one (e.g. assembled from other rules files). */
  knowledge?: Knowledge;
}

export interface RecommendRequest {
  /** Apis and capabilities the workload needs. */
  needs?: readonly string[];
  /** Or a request (envelope or body) whose api and capabilities are the needs. */
  request?: unknown;
  /** Options for reading `request`, as for check(). */
  options?: CheckOptions;
}

/** A row of `matrix --format json`. */
export type MatrixJsonRow = Pick<MatrixRow, 'table' | 'id' | 'label' | 'api' | 'support' | 'detail' | 'source' | 'asOf' | 'condition' | 'notes'> & {
  derived?: string;
};

export interface Preflight {
  readonly knowledge: Knowledge;
  check(input: unknown, options?: CheckOptions): CheckReport;
  recommend(request: RecommendRequest): RecommendResult;
  /** The matrix rows, as `matrix --format json` prints them. */
  matrix(): MatrixJsonRow[];
  /** The compiled json-rules-engine rules. */
  rules(): JreRule[];
  explain(id: string): Explanation;
  /** Resolves an endpoint id or alias; undefined when unknown. */
  endpointId(name: string): EndpointId | undefined;
}

/**
 * `recommend <file>` is check's recommendation for the request (one code path, so the two always agree), with the
 * needs and the per-endpoint cells of the request's api and capabilities.
 */
function recommendRequest(checker: Checker, recommender: Recommender, request: unknown, options: CheckOptions | undefined): RecommendResult {
  const report = checker.check(request, options);
  const needs = report.api === null ? report.capabilities.map((c) => c.id) : [report.api, ...report.capabilities.map((c) => c.id)];
  const { endpoints } = recommender.recommend(needs, report.endpoint, true);
  return { ...report.recommendation, needs: [...new Set(needs)], endpoints };
}

let defaultPreflight: Preflight | undefined;

/** Options are checked once, here: a Knowledge object must at least have the parts every stage reads. */
const OptionsSchema = z.object({
  knowledge: z.optional(
    z.looseObject({
      endpoints: z.array(z.looseObject({ id: z.string() })),
      apis: z.array(z.looseObject({ id: z.string() })),
      capabilities: z.array(z.looseObject({ id: z.string() })),
      matrix: z.array(z.looseObject({ id: z.string() })),
      rules: z.array(z.looseObject({ name: z.string() })),
    }),
  ),
});

export function createPreflight(options: PreflightOptions = {}): Preflight {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PreflightInputError('E_USAGE', `invalid createPreflight options: ${issue ? `${issue.path.join('.') || '(options)'}: ${issue.message}` : 'not an object'}`);
  }
  if (options.knowledge === undefined && defaultPreflight) return defaultPreflight;
  const k = options.knowledge ?? builtInKnowledge;
  const detector = compileDetector(k);
  const evaluator = compileEvaluator(k.rules);
  const recommender = compileRecommender(k);
  const checker = compileChecker(k, detector, evaluator, recommender);
  const preflight: Preflight = {
    knowledge: k,
    check: (input, opts) => checker.check(input, opts),
    recommend(req) {
      if (req === null || typeof req !== 'object') throw new PreflightInputError('E_USAGE', 'recommend takes an object: { needs: [...] } or { request, options? }');
      if (req.needs !== undefined && req.request !== undefined) throw new PreflightInputError('E_USAGE', 'give either needs or a request, not both');
      if (req.needs !== undefined && !Array.isArray(req.needs)) throw new PreflightInputError('E_USAGE', 'needs must be an array of api and capability ids');
      if (req.request !== undefined) return recommendRequest(checker, recommender, req.request, req.options);
      return recommender.recommend(req.needs ?? []);
    },
    matrix: () =>
      [...endpointTableRows(k), ...k.matrix].map((r) => {
        const row: MatrixJsonRow = { table: r.table, id: r.id, label: r.label, support: r.support, source: r.source, asOf: r.asOf };
        if (r.api) row.api = r.api;
        if (r.detail) row.detail = r.detail;
        if (r.condition) row.condition = r.condition;
        if (r.derived) row.derived = r.derived;
        if (r.notes) row.notes = r.notes;
        return row;
      }),
    rules: () => structuredClone(k.rules),
    explain(id) {
      if (typeof id !== 'string') throw new PreflightInputError('E_USAGE', `explain takes an id (a string), found ${id === null ? 'null' : typeof id}`);
      return explain(k, id);
    },
    endpointId: (name) => detector.endpointId(name),
  };
  if (options.knowledge === undefined) defaultPreflight = preflight;
  return preflight;
}
