/**
 * `arch <file>`: checks an architecture file (workloads, each with its chosen endpoint and needs) against the
 * capability matrix, the model and Region knowledge and the configuration's policy. Exit 1 when a workload fails.
 */
import { sanitizeStrings } from '../../redact.js';
import { json, usage, type Command } from '../command.js';
import { SUMMARIES } from './summaries.js';
import { checkArchitecture, exitCodeOfArch } from '../../arch/check.js';
import { loadArchitecture } from '../../arch/load.js';
import { formatArchText } from '../../arch/text.js';
import { CONFIG_FLAGS_HELP, CONFIG_OPTIONS, resolveConfigForCli } from '../../config/load.js';
import { formatArchHtml } from '../../format/arch-html.js';
import { formatArchMarkdown } from '../../format/arch-md.js';

export const archCommand: Command = {
  summary: SUMMARIES.arch,
  usage: `bedrock-preflight arch <file|-> [--format text|md|html|json] [--config FILE | --no-config]

  The file (YAML or JSON, schemas/arch.schema.json) lists workloads: { name, endpoint, needs: [api and capability
  ids], models?, regions?, path?, notes? }. Each workload is ok or failing, with reasons and the recommended
  endpoint. --format html prints one self-contained page. Exit 0 all ok, 1 a workload fails, 2 invalid input.
${CONFIG_FLAGS_HELP}
  --format text|md|html|json`,
  examples: ['bedrock-preflight arch examples/arch/architecture.yaml', 'bedrock-preflight arch examples/arch/architecture.yaml --format html > decision.html'],
  options: { ...CONFIG_OPTIONS },
  formats: ['text', 'md', 'html', 'json'],
  run({ positionals, values, format, io, color }) {
    const [file, ...rest] = positionals;
    if (file === undefined) throw usage('arch needs an architecture file (or - for stdin)');
    if (rest.length > 0) throw usage(`arch takes one file; got also ${rest.join(' ')}`);
    const cwd = process.cwd();
    const config = resolveConfigForCli(values, cwd);
    const loaded = loadArchitecture(file, { cwd, ...(config ? { knowledge: config.knowledge } : {}) });
    const report = checkArchitecture(loaded.architecture, { file: loaded.file, ...(config ? { config } : {}) });
    const shown = format === 'json' ? report : sanitizeStrings(report);
    if (format === 'json') io.stdout(json(report));
    else if (format === 'md') io.stdout(formatArchMarkdown(shown));
    else if (format === 'html') io.stdout(formatArchHtml(shown));
    else io.stdout(formatArchText(shown, { color, width: io.columns }));
    return exitCodeOfArch(report);
  },
};
