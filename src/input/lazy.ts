/**
 * The parsers are loaded on first use, not at start-up: `check` of a JSON file never loads the YAML parser, and a
 * file without problems never loads the JSON scanner (together they would double the CLI's start-up time).
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
let jsoncModule: typeof import('jsonc-parser') | undefined;

export const yamlLib = (): typeof import('yaml') => (yamlModule ??= load('yaml') as typeof import('yaml'));
export const jsoncLib = (): typeof import('jsonc-parser') => (jsoncModule ??= load('jsonc-parser') as typeof import('jsonc-parser'));
