/**
 * bedrock-preflight: pre-flight checks of Amazon Bedrock requests against what bedrock-runtime and
 * bedrock-mantle support.
 */
export { createPreflight, builtInKnowledge } from './preflight.js';
export type { Preflight, PreflightOptions, RecommendRequest, MatrixJsonRow } from './preflight.js';
export type { RecommendResult } from './recommend.js';
export type { Explanation } from './explain.js';
export { PreflightInputError, isPreflightInputError } from './errors.js';
export type { PreflightErrorCode } from './errors.js';
export type {
  ApiId,
  CapabilityUse,
  CellValue,
  CheckOptions,
  CheckReport,
  EndpointId,
  Finding,
  FindingCode,
  JreRule,
  Knowledge,
  Recommendation,
  Severity,
} from './types.js';
