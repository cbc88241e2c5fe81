/**
 * bedrock-preflight/eslint: an ESLint (flat config, ESLint 9 and 10) plugin that checks the Bedrock requests of
 * JavaScript and TypeScript source where they are written (AWS SDK v3 commands, OpenAI and Anthropic SDK calls).
 *
 *   import preflight from 'bedrock-preflight/eslint';
 *   export default [preflight.configs.recommended];
 */
import type { ESLint, Linter } from 'eslint';
import { VERSION } from '../version.js';
import { rules } from './rule.js';

export type { PluginOptions } from './setup.js';

const plugin = {
  meta: { name: 'bedrock-preflight', version: VERSION },
  rules,
  configs: {} as { recommended: Linter.Config },
} satisfies ESLint.Plugin;

plugin.configs.recommended = {
  name: 'bedrock-preflight/recommended',
  plugins: { 'bedrock-preflight': plugin },
  rules: {
    'bedrock-preflight/request-errors': 'error',
    'bedrock-preflight/request-warnings': 'warn',
  },
};

export { rules };
export default plugin;
