// OpenAI SDK against bedrock-mantle. The Region comes from the environment: the endpoint and route are still known.
import OpenAI from 'openai';

const region = process.env.AWS_REGION ?? 'us-east-1';
const openai = new OpenAI({ baseURL: `https://bedrock-mantle.${region}.api.aws/v1`, apiKey: process.env.BEDROCK_API_KEY });

export async function summarise(text: string) {
  return openai.chat.completions.create({ // expect: field-missing max-tokens
    model: 'openai.gpt-oss-120b',
    messages: [{ role: 'user', content: text }],
  });
}

export async function research(question: string) {
  // A background (asynchronous) response: bedrock-mantle runs these.
  return openai.responses.create({
    model: 'openai.gpt-oss-120b',
    input: question,
    max_output_tokens: 2000,
    background: true,
  });
}
