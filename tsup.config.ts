import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'aws-sdk': 'src/integrations/aws-sdk.ts', fetch: 'src/integrations/fetch.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    target: 'node20',
    shims: true,
    // zod/mini is small once tree-shaken; bundled, it costs nothing at start-up.
    noExternal: ['zod'],
    sourcemap: false,
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    // bin.ts reads argv before main.ts (and each command) is loaded: each lazy import() becomes its own chunk.
    splitting: true,
    target: 'node20',
    shims: true,
    // zod/mini is small once tree-shaken; bundled, it costs nothing at start-up.
    noExternal: ['zod'],
    // Not minified: tsup turns the split chunks into CommonJS afterwards, and that step breaks minified code
    // (measured with tsup 8.5: merged declarations and dropped spaces give syntax and reference errors).
    minify: false,
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: false,
  },
]);
