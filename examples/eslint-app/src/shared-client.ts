// A client made elsewhere: the endpoint and Region come from the ESLint settings (bedrock-mantle, us-east-1).
import type Anthropic from '@anthropic-ai/sdk';

export async function classify(client: Anthropic, text: string) {
  return client.messages.create({
    model: 'anthropic.claude-haiku-4-5',
    max_tokens: 16,
    messages: [
      { role: 'assistant', content: 'Label:' }, // expect: field-invalid first-message-role
      { role: 'user', content: text },
    ],
  });
}
