/** A realistic mix of requests for the benchmarks: each API, both endpoints, valid and invalid, typical sizes. */
export const prompt = (n: number, tag = '') =>
  Array.from({ length: n }, (_, i) => `Paragraph ${i + 1}${tag}: our refund policy allows returns within 30 days of delivery when the item is unused and in its original packaging.`).join(' ');

/**
 * The mix with every text `scale` times as long and marked with `tag` (so that requests built with different
 * tags share no string).
 */
export function requestMix(scale = 1, tag = ''): Array<{ name: string; input: Record<string, unknown> }> {
  const prompt = (n: number) => promptOf(Math.max(1, Math.round(n * scale)), tag);
  return [
  {
    name: 'runtime converse + guardrails + cache point',
    input: {
      method: 'POST',
      url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse',
      headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261124/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'x-amz-date': '20261124T120000Z' },
      body: {
        system: [{ text: prompt(4) }, { cachePoint: { type: 'default' } }],
        messages: [
          { role: 'user', content: [{ text: prompt(3) }] },
          { role: 'assistant', content: [{ text: prompt(2) }] },
          { role: 'user', content: [{ text: 'Summarise the policy in two sentences.' }] },
        ],
        inferenceConfig: { maxTokens: 512, temperature: 0.2 },
        guardrailConfig: { guardrailIdentifier: 'q1w2e3r4t5', guardrailVersion: '2' },
      },
    },
  },
  {
    name: 'mantle messages with output_config.format (invalid)',
    input: {
      method: 'POST',
      url: 'https://bedrock-mantle.us-west-2.api.aws/anthropic/v1/messages',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleS12YWx1ZQ==' },
      body: {
        model: 'anthropic.claude-haiku-4-5',
        max_tokens: 300,
        system: prompt(2),
        messages: [{ role: 'user', content: prompt(3) }],
        output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } } },
      },
    },
  },
  {
    name: 'mantle chat completions with tools',
    input: {
      method: 'POST',
      url: 'https://bedrock-mantle.eu-west-1.api.aws/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg==' },
      body: {
        model: 'openai.gpt-oss-120b',
        messages: [
          { role: 'system', content: prompt(2) },
          { role: 'user', content: prompt(3) },
        ],
        tools: [
          { type: 'function', function: { name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } } },
          { type: 'function', function: { name: 'refund', description: 'Refund an order', parameters: { type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number' } } } } },
        ],
        max_completion_tokens: 800,
        temperature: 0.3,
      },
    },
  },
  {
    name: 'mantle responses, stateful + web search',
    input: {
      method: 'POST',
      url: 'https://bedrock-mantle.us-east-1.api.aws/v1/responses',
      headers: { 'content-type': 'application/json', 'OpenAI-Project': 'proj_a1b2c3' },
      body: {
        model: 'openai.gpt-oss-120b',
        previous_response_id: 'resp_0a1b2c3d4e5f',
        input: [{ role: 'user', content: [{ type: 'input_text', text: prompt(3) }] }],
        tools: [{ type: 'web_search' }],
        max_output_tokens: 1000,
      },
    },
  },
  {
    name: 'runtime invoke-model, Claude body',
    input: {
      method: 'POST',
      url: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: {
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 400,
        system: prompt(1),
        messages: [{ role: 'user', content: [{ type: 'text', text: prompt(4) }] }],
        temperature: 0.5,
      },
    },
  },
  {
    name: 'runtime chat completions (openai/v1)',
    input: {
      method: 'POST',
      url: 'https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: { model: 'openai.gpt-oss-20b', messages: [{ role: 'user', content: prompt(5) }], max_tokens: 256 },
    },
  },
  ];
}
const promptOf = prompt;

export const MIX = requestMix();

/** With findings: the invalid request of the mix, and a cross-Region chat request on mantle (an error and a warning). */
export function withFindings(i: number): Record<string, unknown> {
  if (i % 2 === 0) return requestMix(1, ` of file ${i}`)[1]!.input;
  return {
    method: 'POST',
    url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: { model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', messages: [{ role: 'user', content: prompt(2, ` of file ${i}`) }], max_tokens: 200 },
  };
}

/** Without findings: the valid requests of the mix, in turn. */
export function clean(i: number): Record<string, unknown> {
  const valid = [0, 2, 3, 4, 5];
  return requestMix(1, ` of file ${i}`)[valid[i % valid.length]!]!.input;
}

/**
 * A varied stream of n requests, none repeated (each has its own text): the six requests of the mix in turn, one
 * in four with its texts ten times as long.
 */
export function variedStream(n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => requestMix(i % 4 === 3 ? 10 : 1, ` #${i}`)[i % 6]!.input);
}
