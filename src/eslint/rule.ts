/**
 * The rules: each finds the Bedrock calls of a file, checks each call's request with the library's `check` (the
 * same knowledge and engine as the CLI), keeps the findings that stand whatever the unknown parts of the source
 * are, and reports those of its severity at the offending property. One rule per severity, so that a project sets
 * each severity's ESLint level (the recommended config: errors as errors, warnings as warnings, info off).
 */
import type { Rule } from 'eslint';
import type * as ESTree from 'estree';
import { isPreflightInputError } from '../errors.js';
import type { Finding, Severity } from '../types.js';
import { CallFinder, type BedrockCall } from './calls.js';
import { findingStands } from './findings.js';
import { locate, pointerSegments } from './pointers.js';
import { requestOf } from './request.js';
import type { Static } from './static.js';
import { fileSetup, OPTIONS_SCHEMA, type FileSetup, type PluginOptions } from './setup.js';

/** A finding placed in the source. */
export interface PlacedFinding {
  finding: Finding;
  node: ESTree.Node;
  /** The property to remove when the fix is to remove a field the endpoint rejects. */
  removable: ESTree.Property | undefined;
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
  let findings: Finding[];
  try {
    findings = setup.preflight.check(request.envelope, request.options).findings;
  } catch (e) {
    // A URL whose host names no endpoint (a proxy): the options' endpoint, if any, says where it goes.
    if (!isPreflightInputError(e) || setup.target.endpoint === undefined) return [];
    findings = setup.preflight.check(request.envelope, { ...request.options, endpoint: setup.target.endpoint }).findings;
  }
  const kept = setup.policy(findings.filter((f) => findingStands(f, request.known, setup.preflight.knowledge)));
  return kept.map((f) => place(f, call));
}

/** Where a finding is in the source: the property its pointer names (or the nearest known place above it). */
function place(f: Finding, call: BedrockCall): PlacedFinding {
  const path = f.path ?? '';
  if (path === '/body' || path.startsWith('/body/')) {
    const segs = pointerSegments(path.slice('/body'.length));
    const at = locate(call.body, segs);
    const removable = segs.length > 0 && at.value !== undefined && at.node.type === 'Property' && rejectsField(f, at.value) ? at.node : undefined;
    return { finding: f, node: at.node, removable };
  }
  if (path === '/url') {
    const node = f.code.startsWith('model-') && call.pathModel ? call.pathModel.node : (call.client?.url?.node ?? calleeOf(call.node));
    return { finding: f, node, removable: undefined };
  }
  return { finding: f, node: calleeOf(call.node), removable: undefined };
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
  const { finding: f, node, removable } = p;
  const data = { code: f.code, subject: f.subject, message: f.message };
  if (removable === undefined) {
    context.report({ node, messageId: 'finding', data });
    return;
  }
  const key = removable.key.type === 'Identifier' ? removable.key.name : context.sourceCode.getText(removable.key);
  context.report({
    node,
    messageId: 'finding',
    data,
    suggest: [{ messageId: 'removeField', data: { key }, fix: (fixer) => removeProperty(fixer, context, removable) }],
  });
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
