// AWS SDK v3 against bedrock-runtime: Converse, ConverseStream and InvokeModel.
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';

const client = new BedrockRuntimeClient({ region: 'us-west-2' });
const modelId = 'anthropic.claude-haiku-4-5';

export async function answer(question: string) {
  return client.send(
    new ConverseCommand({
      modelId,
      messages: [{ role: 'user', content: [{ text: question }] }],
      inferenceConfig: {
        maxTokens: 512,
        temperature: 0.2,
        topP: 0.9, // expect: field-conflict temperature-and-top-p
      },
      guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '1' },
    }),
  );
}

export async function stream(question: string) {
  const command = new ConverseStreamCommand({ // expect: field-missing max-tokens
    modelId,
    messages: [{ role: 'user', content: [{ text: question }] }],
  });
  return client.send(command);
}

export async function invoke(question: string) {
  const body = JSON.stringify({ // expect: field-missing anthropic-version
    max_tokens: 256,
    messages: [{ role: 'user', content: question }],
  });
  return client.send(new InvokeModelCommand({ modelId, body, contentType: 'application/json' }));
}
