/**
 * `schema --endpoint E --api A [--model M]`: the JSON Schema (2020-12) of a request body as the knowledge knows it,
 * for editors (VS Code's JSON support, yaml-language-server) to mark the fields the endpoint rejects.
 */
import { json, usage, type Command } from '../command.js';
import { EXTRA_COMMANDS } from './index.js';
import { PreflightInputError } from '../../errors.js';
import { requestSchema } from '../../schema/generate.js';
import type { ApiId } from '../../types.js';

export const schemaCommand: Command = {
  summary: EXTRA_COMMANDS['schema']!.summary,
  usage: `bedrock-preflight schema --endpoint E --api A [--model M] [--format json]

  Prints a JSON Schema (2020-12) of the request body: the fields the knowledge reads, each described (capability
  or rule, the cell on the endpoint, the source), and the fields the endpoint (or the model) rejects marked as not
  allowed, so that an editor shows them as errors. Other keys are allowed. The $id names the endpoint, API and
  model family, never the version.
  --endpoint E     bedrock-runtime | bedrock-mantle (or runtime | mantle)
  --api A          invoke-model | converse | chat-completions | responses | messages
  --model M        a model id: fields the model rejects are marked too
  --format json`,
  examples: ['bedrock-preflight schema --endpoint mantle --api messages', 'bedrock-preflight schema --endpoint runtime --api converse --model anthropic.claude-sonnet-4-5-20250929-v1:0'],
  options: { endpoint: { type: 'string' }, api: { type: 'string' }, model: { type: 'string' } },
  formats: ['json'],
  run({ positionals, values, io, preflight }) {
    if (positionals.length > 0) throw usage(`schema takes no file; got ${positionals.join(' ')}`);
    const { endpoint: e, api: a, model } = values;
    if (typeof e !== 'string' || typeof a !== 'string') throw usage('schema needs --endpoint and --api');
    const endpoint = preflight.endpointId(e);
    if (endpoint === undefined) throw new PreflightInputError('E_UNKNOWN_ID', `unknown endpoint "${e}" (expected bedrock-runtime, bedrock-mantle, runtime or mantle)`);
    const apis = preflight.knowledge.apis.map((x) => x.id);
    if (!apis.includes(a as ApiId)) throw new PreflightInputError('E_UNKNOWN_ID', `unknown api "${a}" (expected ${apis.join(', ')})`);
    if (model === '' || typeof model === 'boolean') throw usage('--model needs a model id');
    io.stdout(json(requestSchema(preflight, { endpoint, api: a as ApiId, ...(model === undefined ? {} : { model }) })));
    return 0;
  },
};
