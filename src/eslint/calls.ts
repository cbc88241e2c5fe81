/**
 * The Bedrock calls of a source file: AWS SDK v3 commands (`new ConverseCommand({...})` and the three others),
 * OpenAI SDK `chat.completions.create` / `responses.create` and Anthropic SDK `messages.create|stream|parse`
 * (also under `beta`), with the client they go through where the file shows it (`new BedrockRuntimeClient({ region,
 * endpoint })`, `new OpenAI({ baseURL })`, `new Anthropic({ baseURL })`).
 *
 * A call is read only when the file shows where it comes from (an import or require of the SDK, or a client the
 * file constructs from one): `messages.create` alone is also, for instance, a messaging service's API.
 */
import type { Rule, Scope } from 'eslint';
import type * as ESTree from 'estree';
import type { ApiId } from '../types.js';
import { findVariable, fromJson, StaticReader, unwrap, type Static } from './static.js';

export type Sdk = 'aws' | 'openai' | 'anthropic';

export const SDK_PACKAGES: Record<Sdk, string> = {
  aws: '@aws-sdk/client-bedrock-runtime',
  openai: 'openai',
  anthropic: '@anthropic-ai/sdk',
};

/** A string the source gives: known, or unknown (undefined) at a node. */
export interface SourceString {
  value: string | undefined;
  node: ESTree.Node;
}

export interface ClientFacts {
  /** The `endpoint` (AWS) or `baseURL` (OpenAI, Anthropic) option, when the client sets one. */
  url: SourceString | undefined;
  /** The AWS client's `region` option, when it sets one. */
  region: SourceString | undefined;
}

export interface BedrockCall {
  sdk: Sdk;
  node: ESTree.Node;
  api: ApiId;
  /** The operation id of the knowledge (rules/apis.yaml) for AWS commands: the URL path names it. */
  operation: string | undefined;
  /** The request body as the source says it. */
  body: Static;
  /** The model id in the URL path (AWS commands' `modelId`); undefined for SDKs whose body names the model. */
  pathModel: SourceString | undefined;
  /** The client the call goes through, when the file constructs it; undefined otherwise. */
  client: ClientFacts | undefined;
}

const COMMANDS: Record<string, { api: ApiId; operation: string }> = {
  ConverseCommand: { api: 'converse', operation: 'converse' },
  ConverseStreamCommand: { api: 'converse', operation: 'converse-stream' },
  InvokeModelCommand: { api: 'invoke-model', operation: 'invoke-model' },
  InvokeModelWithResponseStreamCommand: { api: 'invoke-model', operation: 'invoke-model-with-response-stream' },
};

const CALL_METHODS = new Set(['create', 'stream', 'parse']);

/** Which SDK method chain (after the client) is which API. */
function methodApi(chain: readonly string[]): { sdk: Sdk; api: ApiId } | undefined {
  const names = chain[0] === 'beta' ? chain.slice(1) : chain;
  if (names.length === 3 && names[0] === 'chat' && names[1] === 'completions' && CALL_METHODS.has(names[2]!)) return { sdk: 'openai', api: 'chat-completions' };
  if (names.length === 2 && names[0] === 'responses' && CALL_METHODS.has(names[1]!)) return { sdk: 'openai', api: 'responses' };
  if (names.length === 2 && names[0] === 'messages' && CALL_METHODS.has(names[1]!)) return { sdk: 'anthropic', api: 'messages' };
  return undefined;
}

/** The package a name is imported or required from, if any. */
export function packageOf(scope: Scope.Scope, name: string): string | undefined {
  const def = findVariable(scope, name)?.defs[0];
  if (def?.type === 'ImportBinding') return String((def.parent as ESTree.ImportDeclaration).source.value);
  if (def?.type === 'Variable' && def.node.init) return requiredPackage(unwrap(def.node.init));
  return undefined;
}

function requiredPackage(n: ESTree.Node): string | undefined {
  if (n.type === 'MemberExpression') return requiredPackage(n.object);
  if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require') {
    const a = n.arguments[0];
    return a?.type === 'Literal' && typeof a.value === 'string' ? a.value : undefined;
  }
  return undefined;
}

/** Finds Bedrock calls in one file. */
export class CallFinder {
  private readonly reader: StaticReader;
  private imported: Set<string> | undefined;

  constructor(private readonly context: Rule.RuleContext) {
    this.reader = new StaticReader(context);
  }

  /** `new ConverseCommand({...})` and the other commands of the Bedrock Runtime client. */
  command(n: ESTree.NewExpression): BedrockCall | undefined {
    const callee = n.callee;
    const name = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' && callee.property.type === 'Identifier' ? callee.property.name : undefined;
    const kind = name === undefined ? undefined : COMMANDS[name];
    if (kind === undefined || !this.fromPackage(callee, SDK_PACKAGES.aws)) return undefined;
    const arg = n.arguments[0];
    if (arg === undefined || arg.type === 'SpreadElement') return undefined;
    const input = this.reader.read(arg);
    const modelMember = input.kind === 'object' ? input.members.get('modelId') : undefined;
    // Without a readable modelId the model is unknown (the SDK needs one: a command without it is not sent).
    const pathModel = modelMember ? { value: stringOf(modelMember.value), node: modelMember.property } : { value: undefined, node: input.node };
    const body = kind.api === 'converse' ? withoutMember(input, 'modelId') : this.invokeBody(input);
    const client = this.awsClient(n);
    return { sdk: 'aws', node: n, api: kind.api, operation: kind.operation, body, pathModel, client };
  }

  /** `client.chat.completions.create({...})`, `client.responses.create`, `client.messages.create|stream|parse`. */
  method(n: ESTree.CallExpression): BedrockCall | undefined {
    const chain: string[] = [];
    let root: ESTree.Node = n.callee;
    while (root.type === 'MemberExpression' && !root.computed && root.property.type === 'Identifier') {
      chain.unshift(root.property.name);
      root = unwrap(root.object);
    }
    const shape = methodApi(chain);
    const arg = n.arguments[0];
    if (shape === undefined || arg === undefined || arg.type === 'SpreadElement') return undefined;
    const client = root.type === 'Identifier' ? this.clientOf(root, SDK_PACKAGES[shape.sdk], 'baseURL') : undefined;
    if (client === undefined && !this.imports(SDK_PACKAGES[shape.sdk])) return undefined;
    return { sdk: shape.sdk, node: n, api: shape.api, operation: undefined, body: this.reader.read(arg), pathModel: undefined, client: client ?? undefined };
  }

  /** An InvokeModel input's body: `JSON.stringify({...})`, a literal JSON string, or a const bound to either. */
  private invokeBody(input: Static): Static {
    const member = input.kind === 'object' ? input.members.get('body') : undefined;
    if (member === undefined) return { kind: 'unknown', node: input.node };
    const value = member.value;
    if (value.kind === 'value' && typeof value.value === 'string') {
      try {
        return fromJson(JSON.parse(value.value), value.node);
      } catch {
        return { kind: 'unknown', node: value.node };
      }
    }
    let expr = unwrap(value.node);
    if (expr.type === 'Identifier') expr = unwrap(this.reader.constInit(expr) ?? expr);
    if (expr.type === 'CallExpression' && isJsonStringify(expr.callee) && expr.arguments[0] && expr.arguments[0].type !== 'SpreadElement') {
      return this.reader.read(expr.arguments[0]);
    }
    return { kind: 'unknown', node: value.node };
  }

  /** The client a command is sent through: `client.send(new XCommand(...))` or `const c = new XCommand(...); client.send(c)`. */
  private awsClient(n: ESTree.NewExpression): ClientFacts | undefined {
    let used: ESTree.Node & Rule.NodeParentExtension = n as ESTree.NewExpression & Rule.NodeParentExtension;
    while (used.parent.type === 'AwaitExpression' || isTsWrapper(used.parent)) used = used.parent as typeof used;
    const sent = sendReceiver(used);
    if (sent !== undefined) return sent.type === 'Identifier' ? this.clientOf(sent, SDK_PACKAGES.aws, 'endpoint') : undefined;
    const parent = used.parent;
    if (parent.type !== 'VariableDeclarator' || parent.id.type !== 'Identifier') return undefined;
    const variable = findVariable(this.context.sourceCode.getScope(parent), parent.id.name);
    for (const ref of variable?.references ?? []) {
      const receiver = sendReceiver(ref.identifier as ESTree.Identifier & Rule.NodeParentExtension);
      if (receiver?.type === 'Identifier') return this.clientOf(receiver, SDK_PACKAGES.aws, 'endpoint');
    }
    return undefined;
  }

  /** The options of a client the file builds with `new X({...})` from the package; undefined when it builds none. */
  private clientOf(id: ESTree.Identifier, pkg: string, urlOption: string): ClientFacts | undefined {
    const def = findVariable(this.context.sourceCode.getScope(id), id.name)?.defs;
    if (def?.length !== 1 || def[0]!.type !== 'Variable' || !def[0]!.node.init) return undefined;
    const init = unwrap(def[0]!.node.init);
    if (init.type !== 'NewExpression' || !this.fromPackage(init.callee, pkg)) return undefined;
    const arg = init.arguments[0];
    const options = arg === undefined || arg.type === 'SpreadElement' ? undefined : this.reader.read(arg);
    // No options: the SDK's defaults. Options the file cannot read: nothing is known of the URL or Region.
    if (options === undefined) return { url: undefined, region: undefined };
    return { url: optionString(options, urlOption), region: optionString(options, 'region') };
  }

  private fromPackage(callee: ESTree.Node, pkg: string): boolean {
    const root = callee.type === 'MemberExpression' ? callee.object : callee;
    return root.type === 'Identifier' && packageOf(this.context.sourceCode.getScope(root), root.name) === pkg;
  }

  private imports(pkg: string): boolean {
    this.imported ??= importedPackages(this.context.sourceCode.ast);
    return this.imported.has(pkg);
  }
}

function importedPackages(program: ESTree.Program): Set<string> {
  const out = new Set<string>();
  for (const s of program.body) {
    if (s.type === 'ImportDeclaration') out.add(String(s.source.value));
    if (s.type === 'VariableDeclaration') {
      for (const d of s.declarations) {
        const p = d.init ? requiredPackage(unwrap(d.init)) : undefined;
        if (p !== undefined) out.add(p);
      }
    }
  }
  return out;
}

/** A client option: absent (undefined) when the options are known not to set it; unknown when they may. */
function optionString(options: Static, name: string): SourceString | undefined {
  if (options.kind !== 'object') return { value: undefined, node: options.node };
  const m = options.members.get(name);
  if (m === undefined) return options.open ? { value: undefined, node: options.node } : undefined;
  return { value: stringOf(m.value) ?? templateWithHoles(m.value.node), node: m.property };
}

/**
 * A template literal's text with `{?}` where its expressions are (`https://bedrock-mantle.${region}.api.aws/v1`):
 * what it says about the endpoint and route is still known.
 */
function templateWithHoles(node: ESTree.Node): string | undefined {
  const n = unwrap(node);
  return n.type === 'TemplateLiteral' ? n.quasis.map((q) => q.value.cooked ?? '').join('{?}') : undefined;
}

const stringOf = (s: Static): string | undefined => (s.kind === 'value' && typeof s.value === 'string' ? s.value : undefined);

function withoutMember(s: Static, name: string): Static {
  if (s.kind !== 'object' || !s.members.has(name)) return s;
  const members = new Map(s.members);
  members.delete(name);
  return { ...s, members };
}

const isTsWrapper = (n: ESTree.Node): boolean => n.type.startsWith('TS') && 'expression' in n;

function isJsonStringify(callee: ESTree.Node): boolean {
  return callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'JSON' && callee.property.type === 'Identifier' && callee.property.name === 'stringify';
}

/** `x.send(node)`: x. */
function sendReceiver(node: ESTree.Node & Rule.NodeParentExtension): ESTree.Node | undefined {
  const call = node.parent;
  if (call.type !== 'CallExpression' || call.arguments[0] !== node) return undefined;
  const callee = call.callee;
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || callee.property.name !== 'send') return undefined;
  return unwrap(callee.object);
}
