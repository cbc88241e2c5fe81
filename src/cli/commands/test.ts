/**
 * `test <dir|file>`: runs a rule pack's cases (example requests with the findings they must produce under the
 * pack's overlays), like `opa test` and `cfn-guard test`. Exit 1 when a case fails, 2 for invalid pack files.
 */
import { sanitizeStrings } from '../../redact.js';
import { json, usage, type Command } from '../command.js';
import { SUMMARIES } from './summaries.js';
import { exitCodeOfRulePack, runRulePack } from '../../testing/runner.js';
import { formatRulePackText } from '../../testing/format.js';

export const testCommand: Command = {
  summary: SUMMARIES.test,
  usage: `bedrock-preflight test <dir|file> [--format text|json]

  A rule pack is a folder of YAML/JSON files: case files (a top-level "cases" list: input, options, expect) and
  overlays. Cases run under the pack's .bedrock-preflight.yaml unless the file or the case names another "config"
  (null for none). Exit 0 all pass, 1 a case fails, 2 a pack file is invalid.
  --format text|json`,
  examples: ['bedrock-preflight test examples/policy', 'bedrock-preflight test examples/policy/tests/guardrails.yaml --format json'],
  options: {},
  formats: ['text', 'json'],
  run({ positionals, format, io, color }) {
    const [target, ...rest] = positionals;
    if (target === undefined) throw usage('test needs a rule-pack folder or a case file');
    if (rest.length > 0) throw usage(`test takes one folder or file; got also ${rest.join(' ')}`);
    const result = runRulePack(target, { cwd: process.cwd() });
    io.stdout(format === 'json' ? json(result) : formatRulePackText(sanitizeStrings(result), { color }));
    return exitCodeOfRulePack(result);
  },
};
