// A client made elsewhere: the endpoint and Region come from the ESLint settings (bedrock-mantle, us-east-1).
import type Anthropic from '@anthropic-ai/sdk';

export async function classify(client: Anthropic, text: string) {
  return client.messages.create({
    model: 'anthropic.claude-haiku-4-5',
    max_tokens: 16,
    tools: [
      { name: 'label', description: 'Pick a label.', input_schema: { type: 'object' }, strict: true }, // expect: field-rejected tools-strict
    ],
    messages: [{ role: 'user', content: text }],
  });
}
