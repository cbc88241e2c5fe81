import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    target: 'node20',
    sourcemap: false,
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: false,
  },
]);
