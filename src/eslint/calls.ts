/**
 * The Bedrock calls of a source file: AWS SDK v3 commands (`new ConverseCommand({...})` and the three others),
 * OpenAI SDK `chat.completions.create` / `responses.create` and Anthropic SDK `messages.create|stream|parse`
 * (also under `beta`), with the client they go through where the file shows it (`new BedrockRuntimeClient({ region,
 * endpoint })`, `new OpenAI({ baseURL })`, `new Anthropic({ baseURL })`, and Anthropic's Bedrock SDK clients
 * `new AnthropicBedrock({ awsRegion })` (runtime InvokeModel) and `new AnthropicBedrockMantle({ awsRegion })`).
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

/**
 * Anthropic's Bedrock SDK: `AnthropicBedrock` sends `messages.create` to bedrock-runtime InvokeModel (the model moves
 * into the URL path, `stream` chooses invoke-with-response-stream, and `anthropic_version` is added to the body);
 * `AnthropicBedrockMantle` sends it to the Messages API of bedrock-mantle (`https://bedrock-mantle.{region}.api.aws/
 * anthropic`). Both take `awsRegion` and `baseURL` options. (Read from the SDK's client code, 2026-12-03.)
 */
const BEDROCK_SDK = '@anthropic-ai/bedrock-sdk';
const BEDROCK_SDK_VERSION = 'bedrock-2023-05-31';
type BedrockSdkClient = 'AnthropicBedrock' | 'AnthropicBedrockMantle';

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
    if (shape.sdk === 'anthropic' && root.type === 'Identifier') {
      const viaBedrock = this.bedrockSdkCall(n, root, chain, this.reader.read(arg));
      if (viaBedrock !== undefined) return viaBedrock;
    }
    const client = root.type === 'Identifier' ? this.clientOf(root, SDK_PACKAGES[shape.sdk], 'baseURL') : undefined;
    if (client === undefined && !this.imports(SDK_PACKAGES[shape.sdk])) return undefined;
    return { sdk: shape.sdk, node: n, api: shape.api, operation: undefined, body: this.reader.read(arg), pathModel: undefined, client: client ?? undefined };
  }

  /** A `messages.*` call through a client of Anthropic's Bedrock SDK that the file builds; undefined otherwise. */
  private bedrockSdkCall(n: ESTree.CallExpression, root: ESTree.Identifier, chain: readonly string[], body: Static): BedrockCall | undefined {
    const built = this.builtClient(root);
    const kind = built === undefined ? undefined : bedrockSdkClient(this.context.sourceCode.getScope(built.init), built.init.callee);
    if (built === undefined || kind === undefined) return undefined;
    const region = built.options === undefined ? undefined : optionString(built.options, 'awsRegion');
    const baseURL = built.options === undefined ? undefined : optionString(built.options, 'baseURL');
    if (kind === 'AnthropicBedrockMantle') {
      // Without a baseURL the SDK builds it from the Region (a hole where the Region is unknown).
      const url = baseURL ?? { value: `https://bedrock-mantle.${region?.value ?? '{?}'}.api.aws/anthropic`, node: built.init };
      return { sdk: 'anthropic', node: n, api: 'messages', operation: undefined, body, pathModel: undefined, client: { url, region } };
    }
    const model = body.kind === 'object' ? body.members.get('model') : undefined;
    const pathModel = model ? { value: stringOf(model.value), node: model.property } : { value: undefined, node: body.node };
    const stream = chain.at(-1) === 'stream' || (body.kind === 'object' && stringOrTrue(body.members.get('stream')?.value));
    const operation = stream ? 'invoke-model-with-response-stream' : 'invoke-model';
    return { sdk: 'aws', node: n, api: 'invoke-model', operation, body: invokeBodyOf(body, n), pathModel, client: { url: baseURL, region } };
  }

  /** `new X({...})` bound to the identifier once (`const client = new X(...)`), with its options when it has some. */
  private builtClient(id: ESTree.Identifier): { init: ESTree.NewExpression; options: Static | undefined } | undefined {
    const def = findVariable(this.context.sourceCode.getScope(id), id.name)?.defs;
    if (def?.length !== 1 || def[0]!.type !== 'Variable' || !def[0]!.node.init) return undefined;
    const init = unwrap(def[0]!.node.init);
    if (init.type !== 'NewExpression') return undefined;
    const arg = init.arguments[0];
    return { init, options: arg === undefined || arg.type === 'SpreadElement' ? undefined : this.reader.read(arg) };
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

/** Which client of Anthropic's Bedrock SDK a constructor is (its default export is AnthropicBedrock). */
function bedrockSdkClient(scope: Scope.Scope, callee: ESTree.Node): BedrockSdkClient | undefined {
  let name: string | undefined;
  if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.property.type === 'Identifier') {
    if (packageOf(scope, callee.object.name) !== BEDROCK_SDK) return undefined;
    name = callee.property.name;
  } else if (callee.type === 'Identifier') {
    if (packageOf(scope, callee.name) !== BEDROCK_SDK) return undefined;
    const def = findVariable(scope, callee.name)?.defs[0];
    const spec = def?.type === 'ImportBinding' ? def.node : undefined;
    if (spec?.type === 'ImportDefaultSpecifier') name = 'AnthropicBedrock';
    else if (spec?.type === 'ImportSpecifier') name = spec.imported.type === 'Identifier' ? spec.imported.name : String(spec.imported.value);
    else name = callee.name; // const { AnthropicBedrockMantle } = require(...)
  }
  return name === 'AnthropicBedrock' || name === 'AnthropicBedrockMantle' ? name : undefined;
}

const stringOrTrue = (s: Static | undefined): boolean => s !== undefined && s.kind === 'value' && s.value === true;

/**
 * The InvokeModel body the SDK sends: the call's body without `model` and `stream`, with `anthropic_version`, and
 * the beta names (`betas`, which the Anthropic SDK sends as a header) as `anthropic_beta`.
 */
function invokeBodyOf(body: Static, at: ESTree.Node): Static {
  const out = withoutMember(withoutMember(body, 'model'), 'stream');
  if (out.kind !== 'object') return out;
  const members = new Map(out.members);
  const betas = members.get('betas');
  members.delete('betas');
  if (betas !== undefined && !members.has('anthropic_beta')) members.set('anthropic_beta', betas);
  if (!members.has('anthropic_version')) members.set('anthropic_version', { property: at, value: { kind: 'value', value: BEDROCK_SDK_VERSION, node: at } });
  return { ...out, members };
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
