/** One line per command beyond the built-in ones: shown by `bedrock-preflight --help` without loading the command. */
export const SUMMARIES = {
  arch: 'check an architecture file: each workload against the matrix on its chosen endpoint (text, md, html, json)',
  lint: 'lint request files, directories and globs (JSON, YAML, JSON Lines), each finding at its line and column',
  serve: 'serve check and recommend over HTTP (POST /v1/check, POST /v1/recommend, GET /healthz)',
  test: "run a rule pack's cases: overlays plus example requests with the findings they must give",
} as const;
