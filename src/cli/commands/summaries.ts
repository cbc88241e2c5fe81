/**
 * One line per command, in the order `bedrock-preflight --help` lists them: that help is printed from this file
 * alone, without loading any command (see help.ts).
 */
export const SUMMARIES = {
  check: 'validate one proposed request (HTTP envelope or bare body, JSON or YAML; - reads stdin)',
  recommend: 'recommend an endpoint for a set of needs (--needs a,b) or for a request file',
  matrix: 'print the capability matrix (text, md, html or json)',
  rules: 'print the compiled json-rules-engine rules',
  explain: 'explain an endpoint, api, capability, matrix row, rule, finding code, Region or model id, with sources and dates',
  lint: 'lint request files, directories and globs (JSON, YAML, JSON Lines), each finding at its line and column',
  test: "run a rule pack's cases: overlays plus example requests with the findings they must give",
  arch: 'check an architecture file: each workload against the matrix on its chosen endpoint (text, md, html, json)',
  audit: 'audit recorded model invocation logs: what fails today and what could move to bedrock-mantle',
  serve: 'serve check and recommend over HTTP (POST /v1/check, POST /v1/recommend, GET /healthz)',
  schema: 'print the JSON Schema of a request body for an endpoint and API (and model), for editors',
} as const;
