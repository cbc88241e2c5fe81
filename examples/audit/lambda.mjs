// The two Lambda functions of examples/audit/state-machine.asl.json (Node.js 20 or later runtime), bundled with
// bedrock-preflight. Handler "lambda.handler" audits one batch of log objects; "lambda.mergeHandler" merges.
export { handler, mergeHandler } from 'bedrock-preflight/audit-lambda';
