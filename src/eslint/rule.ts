/**
 * The rules: each finds the Bedrock calls of a file, checks each call's request with the library's `check` (the
 * same knowledge and engine as the CLI), keeps the findings that stand whatever the unknown parts of the source
 * are, and reports those of its severity at the offending property. One rule per severity, so that a project sets
 * each severity's ESLint level (the recommended config: errors as errors, warnings as warnings, info off).
 */
import type { Rule } from 'eslint';
import type * as ESTree from 'estree';
import { isPreflightInputError } from '../errors.js';
import type { CheckReport, EndpointId, Finding, Severity } from '../types.js';
import { CallFinder, type BedrockCall } from './calls.js';
import { findingStands } from './findings.js';
import { locate, pointerSegments } from './pointers.js';
import { canonicalRoute, requestOf } from './request.js';
import { baseModelId } from '../detect/models.js';
import type { Preflight } from '../preflight.js';
import { unwrap, type Static } from './static.js';
import { fileSetup, OPTIONS_SCHEMA, type FileSetup, type PluginOptions } from './setup.js';

/** A mechanical change a finding's fix names: remove a property, or replace a literal with the right one. */
export type Suggestion = { kind: 'remove'; property: ESTree.Property } | { kind: 'replace'; node: ESTree.Node; text: string };

/** A finding placed in the source. */
export interface PlacedFinding {
  finding: Finding;
  node: ESTree.Node;
  suggestion: Suggestion | undefined;
}

/**
 * The placed findings of each call node (the three rules of a file each visit every call: it is checked once).
 * Held with what they were computed under, since a rule's options may differ from another's.
 */
const analysed = new WeakMap<ESTree.Node, { setup: FileSetup; placed: PlacedFinding[] }>();

function findingsOf(call: BedrockCall, setup: FileSetup): PlacedFinding[] {
  const hit = analysed.get(call.node);
  if (hit !== undefined && hit.setup.preflight === setup.preflight && hit.setup.key === setup.key) return hit.placed;
  const placed = checkCall(call, setup);
  analysed.set(call.node, { setup, placed });
  return placed;
}

function checkCall(call: BedrockCall, setup: FileSetup): PlacedFinding[] {
  const request = requestOf(call, setup.target, setup.preflight);
  if (request === undefined) return [];
  let report: CheckReport;
  try {
    report = setup.preflight.check(request.envelope, request.options);
  } catch (e) {
    // A URL whose host names no endpoint (a proxy): the options' endpoint, if any, says where it goes.
    if (!isPreflightInputError(e) || setup.target.endpoint === undefined) return [];
    report = setup.preflight.check(request.envelope, { ...request.options, endpoint: setup.target.endpoint });
  }
  const kept = setup.policy(report.findings.filter((f) => findingStands(f, request.known, setup.preflight.knowledge)));
  return kept.map((f) => place(f, call, setup.preflight, report.endpoint));
}

/** Where a finding is in the source: the property its pointer names (or the nearest known place above it). */
function place(f: Finding, call: BedrockCall, preflight: Preflight, endpoint: EndpointId): PlacedFinding {
  const path = f.path ?? '';
  if (path === '/body' || path.startsWith('/body/')) {
    const segs = pointerSegments(path.slice('/body'.length));
    const at = locate(call.body, segs);
    let suggestion: Suggestion | undefined;
    if (segs.length > 0 && at.value !== undefined && at.node.type === 'Property') {
      if (rejectsField(f, at.value)) suggestion = { kind: 'remove', property: at.node };
      else if (f.code === 'model-id-form') suggestion = plainModelId(at.value);
    }
    return { finding: f, node: at.node, suggestion };
  }
  if (path === '/url') {
    if (f.code.startsWith('model-') && call.pathModel) return { finding: f, node: call.pathModel.node, suggestion: undefined };
    const url = call.client?.url;
    if (url === undefined) return { finding: f, node: calleeOf(call.node), suggestion: undefined };
    return { finding: f, node: url.node, suggestion: f.code === 'route-noncanonical' ? canonicalBaseUrl(call, preflight, endpoint) : undefined };
  }
  return { finding: f, node: calleeOf(call.node), suggestion: undefined };
}

/** A literal ARN naming a model: the plain model id in its place. */
function plainModelId(value: Static): Suggestion | undefined {
  if (value.kind !== 'value' || typeof value.value !== 'string' || value.node.type !== 'Literal') return undefined;
  const { base, form } = baseModelId(value.value);
  return form === 'arn' && base !== null ? { kind: 'replace', node: value.node, text: JSON.stringify(base) } : undefined;
}

/** A literal base URL with the route the knowledge takes on its endpoint for the call's API. */
function canonicalBaseUrl(call: BedrockCall, preflight: Preflight, endpoint: EndpointId): Suggestion | undefined {
  const url = call.client?.url;
  const node = url?.node.type === 'Property' ? unwrap(url.node.value as ESTree.Expression) : undefined;
  if (url?.value === undefined || node?.type !== 'Literal' || url.value.includes('{?}') || !URL.canParse(url.value)) return undefined;
  const { origin, host } = new URL(url.value);
  const route = canonicalRoute(preflight, endpoint, call.api, host);
  return route === undefined ? undefined : { kind: 'replace', node, text: JSON.stringify(`${origin}${route}`) };
}

/** Request-shape codes whose finding is about a key that must go (not about its value). */
const KEY_CODES = new Set(['field-rejected', 'field-conflict']);
/** Codes about a capability in use: its key must go when the capability is the key itself (not a value in it). */
const CAPABILITY_CODES = new Set(['capability-unsupported', 'model-feature-unsupported']);

/** An error whose mechanical fix is to remove the property at its pointer. */
const rejectsField = (f: Finding, value: Static): boolean =>
  f.severity === 'error' && (KEY_CODES.has(f.code) || (CAPABILITY_CODES.has(f.code) && (value.kind === 'object' || value.kind === 'array')));

function calleeOf(n: ESTree.Node): ESTree.Node {
  return n.type === 'CallExpression' || n.type === 'NewExpression' ? n.callee : n;
}

function setupOf(context: Rule.RuleContext): FileSetup | string {
  const settings = (context.settings['bedrock-preflight'] ?? {}) as PluginOptions;
  const options = { ...settings, ...((context.options[0] ?? {}) as PluginOptions) };
  try {
    return fileSetup(options, context.cwd, context.filename);
  } catch (e) {
    if (isPreflightInputError(e)) return e.oneLine;
    throw e;
  }
}

function report(context: Rule.RuleContext, p: PlacedFinding): void {
  const { finding: f, node, suggestion } = p;
  const data = { code: f.code, subject: f.subject, message: f.message };
  if (suggestion === undefined) {
    context.report({ node, messageId: 'finding', data });
    return;
  }
  context.report({ node, messageId: 'finding', data, suggest: [suggest(context, suggestion)] });
}

function suggest(context: Rule.RuleContext, s: Suggestion): Rule.SuggestionReportDescriptor {
  if (s.kind === 'replace') return { messageId: 'replaceValue', data: { text: s.text }, fix: (fixer) => fixer.replaceText(s.node, s.text) };
  const p = s.property;
  const key = p.key.type === 'Identifier' ? p.key.name : context.sourceCode.getText(p.key);
  return { messageId: 'removeField', data: { key }, fix: (fixer) => removeProperty(fixer, context, p) };
}

function removeProperty(fixer: Rule.RuleFixer, context: Rule.RuleContext, p: ESTree.Property): Rule.Fix {
  const after = context.sourceCode.getTokenAfter(p);
  const end = after !== null && after.value === ',' ? after.range[1] : p.range![1];
  return fixer.removeRange([p.range![0], end]);
}

function createRule(severity: Severity, description: string): Rule.RuleModule {
  return {
    meta: {
      type: 'problem',
      docs: { description, recommended: severity !== 'info' },
      messages: {
        finding: '{{code}} {{subject}}: {{message}}',
        removeField: 'Remove {{key}} from the request.',
        replaceValue: 'Use {{text}}.',
        setup: 'bedrock-preflight: {{message}}',
      },
      schema: [OPTIONS_SCHEMA],
      hasSuggestions: true,
    },
    create(context) {
      const setup = setupOf(context);
      if (typeof setup === 'string') {
        return { Program: (node) => (severity === 'error' ? context.report({ node, messageId: 'setup', data: { message: setup } }) : undefined) };
      }
      const finder = new CallFinder(context);
      const visit = (call: BedrockCall | undefined): void => {
        if (call === undefined) return;
        for (const p of findingsOf(call, setup)) if (p.finding.severity === severity) report(context, p);
      };
      return {
        NewExpression: (node) => visit(finder.command(node)),
        CallExpression: (node) => visit(finder.method(node)),
      };
    },
  };
}

export const rules = {
  'request-errors': createRule('error', 'Bedrock requests the endpoint or model rejects (error findings of bedrock-preflight check).'),
  'request-warnings': createRule('warning', 'Bedrock requests that may fail or cost more (warning findings of bedrock-preflight check).'),
  'request-info': createRule('info', 'What is not known about a Bedrock request (info findings of bedrock-preflight check).'),
};
