// Anthropic SDK against the Messages API of bedrock-mantle.
import Anthropic from '@anthropic-ai/sdk';

const anthropic = new Anthropic({ baseURL: 'https://bedrock-mantle.us-east-1.api.aws/anthropic' });
const model = 'anthropic.claude-haiku-4-5';

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true, // expect: field-rejected tools-strict
} as const;

export async function extract(text: string) {
  return anthropic.messages.create({
    model,
    max_tokens: 1024,
    messages: [{ role: 'user', content: text }],
    output_config: {
      format: { type: 'json_schema', schema: { type: 'object', properties: { name: { type: 'string' } } } }, // expect: capability-unsupported structured-outputs
    },
  });
}

export async function weather(city: string) {
  return anthropic.messages.create({
    model,
    max_tokens: 512,
    messages: [{ role: 'user', content: `What is the weather in ${city}?` }],
    tools: [weatherTool],
  });
}

export async function chat(history: Anthropic.MessageParam[], options: Partial<Anthropic.MessageCreateParamsNonStreaming>) {
  // Options from the caller may set max_tokens: no finding depends on what they hold.
  return anthropic.messages.stream({ ...options, model, messages: history });
}
