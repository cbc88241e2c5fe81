/**
 * A logged runtime body rewritten for the API it would take on bedrock-mantle, field by field, so that the check
 * on mantle sees the same features (tools, structured output, caching, thinking) in that API's own form.
 * Fields with no counterpart are dropped and named, so the report can say which change the move needs.
 */
import type { ApiId } from '../types.js';

type Json = Record<string, unknown>;
export interface Translated {
  body: unknown;
  dropped: string[];
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Converse fields with no counterpart in the OpenAI-compatible or Messages APIs. */
const CONVERSE_ONLY = ['guardrailConfig', 'promptVariables', 'requestMetadata', 'performanceConfig', 'additionalModelResponseFieldPaths'];
/** InvokeModel fields of a Claude body that the Messages API takes as headers or not at all. */
const INVOKE_ONLY = ['anthropic_version', 'anthropic_beta', 'amazon-bedrock-guardrailConfig'];

export function translateBody(from: ApiId, to: ApiId, bodyIn: unknown, model: string): Translated {
  let body = bodyIn;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { body, dropped: [] };
    }
  }
  if (!isObject(body)) return { body, dropped: [] };
  if (from === to) return { body: { ...body, model }, dropped: [] };
  if (from === 'converse') return fromConverse(body, to, model);
  if (from === 'invoke-model') return fromInvoke(body, to, model);
  return { body: { ...body, model }, dropped: [] };
}

function without(body: Json, fields: readonly string[]): Translated {
  const out: Json = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (fields.includes(k)) dropped.push(k);
    else out[k] = v;
  }
  return { body: out, dropped };
}

/** A Claude InvokeModel body is a Messages body plus anthropic_version; other native bodies carry a prompt. */
function fromInvoke(body: Json, to: ApiId, model: string): Translated {
  if (Array.isArray(body['messages'])) {
    const t = without(body, INVOKE_ONLY);
    return { body: { model, ...(t.body as Json) }, dropped: t.dropped };
  }
  const prompt = body['prompt'] ?? body['inputText'];
  const config = isObject(body['textGenerationConfig']) ? body['textGenerationConfig'] : {};
  const maxTokens = body['max_tokens'] ?? body['max_gen_len'] ?? config['maxTokenCount'];
  const messages = [{ role: 'user', content: typeof prompt === 'string' ? prompt : '' }];
  const limit = maxTokens === undefined ? {} : to === 'responses' ? { max_output_tokens: maxTokens } : { max_tokens: maxTokens };
  const rebuilt = to === 'responses' ? { model, input: messages, ...limit } : { model, messages, ...limit };
  return { body: rebuilt, dropped: Object.keys(body).filter((k) => !['prompt', 'inputText', 'max_tokens', 'max_gen_len'].includes(k)) };
}

function fromConverse(body: Json, to: ApiId, model: string): Translated {
  const dropped = CONVERSE_ONLY.filter((k) => k in body);
  const cfg = isObject(body['inferenceConfig']) ? body['inferenceConfig'] : {};
  const system = Array.isArray(body['system']) ? body['system'].map((b) => (isObject(b) && typeof b['text'] === 'string' ? b['text'] : '')).join('\n') : undefined;
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObject) : [];
  const tools = isObject(body['toolConfig']) && Array.isArray(body['toolConfig']['tools']) ? body['toolConfig']['tools'].filter(isObject) : [];
  const format = isObject(body['outputConfig']) ? body['outputConfig']['textFormat'] : undefined;
  const extra = isObject(body['additionalModelRequestFields']) ? body['additionalModelRequestFields'] : {};
  const out: Json = { model };
  if (to === 'messages') {
    put(out, 'max_tokens', cfg['maxTokens']);
    put(out, 'temperature', cfg['temperature']);
    put(out, 'top_p', cfg['topP']);
    put(out, 'stop_sequences', cfg['stopSequences']);
    put(out, 'system', system);
    out['messages'] = messages.map((m) => ({ role: m['role'], content: blocks(m['content']).map(anthropicBlock) }));
    if (tools.length > 0) out['tools'] = tools.map(anthropicTool);
    if (isObject(format)) out['output_config'] = { format: isObject(format['structure']) ? format['structure'] : format };
    Object.assign(out, extra);
    return { body: out, dropped };
  }
  const limitKey = to === 'responses' ? 'max_output_tokens' : 'max_completion_tokens';
  put(out, limitKey, cfg['maxTokens']);
  put(out, 'temperature', cfg['temperature']);
  put(out, 'top_p', cfg['topP']);
  if (to === 'chat-completions') put(out, 'stop', cfg['stopSequences']);
  const turns = messages.map((m) => ({ role: m['role'], content: blocks(m['content']).map(textOf).join('') }));
  if (to === 'responses') {
    put(out, 'instructions', system);
    out['input'] = turns;
  } else {
    out['messages'] = system === undefined ? turns : [{ role: 'system', content: system }, ...turns];
  }
  if (tools.length > 0) out['tools'] = tools.map((t) => openAiTool(t, to));
  if (isObject(format)) out[to === 'responses' ? 'text' : 'response_format'] = to === 'responses' ? { format: { type: 'json_schema' } } : { type: 'json_schema', json_schema: format['structure'] ?? {} };
  Object.assign(out, extra);
  return { body: out, dropped };
}

function put(out: Json, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

const blocks = (content: unknown): Json[] => (Array.isArray(content) ? content.filter(isObject) : []);
const textOf = (b: Json): string => (typeof b['text'] === 'string' ? b['text'] : '');

/** A Converse content block ({text}, {image}, {toolUse}, {toolResult}, {cachePoint}, …) as an Anthropic block. */
function anthropicBlock(b: Json): Json {
  if (typeof b['text'] === 'string') return { type: 'text', text: b['text'] };
  if (isObject(b['toolUse'])) return { type: 'tool_use', id: b['toolUse']['toolUseId'], name: b['toolUse']['name'], input: b['toolUse']['input'] ?? {} };
  if (isObject(b['toolResult'])) return { type: 'tool_result', tool_use_id: b['toolResult']['toolUseId'], content: blocks(b['toolResult']['content']).map(textOf).join('') };
  if (isObject(b['cachePoint'])) return { type: 'text', text: '', cache_control: { type: 'ephemeral' } };
  if (isObject(b['reasoningContent'])) return { type: 'thinking', thinking: '' };
  if (isObject(b['image'])) return { type: 'image', source: { type: 'base64', media_type: `image/${String(b['image']['format'] ?? 'png')}`, data: '' } };
  if (isObject(b['document'])) return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: '' } };
  return { type: 'text', text: '' };
}

function toolSpec(t: Json): { name: unknown; description: unknown; schema: unknown; strict: unknown } {
  const spec = isObject(t['toolSpec']) ? t['toolSpec'] : {};
  const schema = isObject(spec['inputSchema']) ? spec['inputSchema']['json'] : undefined;
  return { name: spec['name'], description: spec['description'], schema: schema ?? { type: 'object' }, strict: spec['strict'] };
}

function anthropicTool(t: Json): Json {
  const s = toolSpec(t);
  const tool: Json = { name: s.name, description: s.description, input_schema: s.schema };
  if (s.strict !== undefined) tool['strict'] = s.strict;
  return tool;
}

function openAiTool(t: Json, to: ApiId): Json {
  const s = toolSpec(t);
  if (to === 'responses') return { type: 'function', name: s.name, description: s.description, parameters: s.schema };
  return { type: 'function', function: { name: s.name, description: s.description, parameters: s.schema } };
}
