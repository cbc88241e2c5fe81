// ESLint flat config of the example app: TypeScript through typescript-eslint's parser, and bedrock-preflight's
// recommended config (errors as errors, warnings as warnings). Calls whose client is not built in the same file
// go to the endpoint and Region the settings name.
import tsParser from '@typescript-eslint/parser';
import preflight from 'bedrock-preflight/eslint';

export default [
  { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
  preflight.configs.recommended,
  { settings: { 'bedrock-preflight': { endpoint: 'bedrock-mantle', region: 'us-east-1' } } },
];
