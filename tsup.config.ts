import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'aws-sdk': 'src/integrations/aws-sdk.ts', fetch: 'src/integrations/fetch.ts', eslint: 'src/eslint/index.ts', 'audit-lambda': 'src/audit/lambda.ts' },
    // The Lambda Node.js runtime provides the S3 client (an optional peer dependency elsewhere).
    external: ['@aws-sdk/client-s3'],
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
    // bin.ts turns source maps on under --debug, then loads run.ts (the CLI itself), so that they apply to it.
    entry: { cli: 'src/cli/bin.ts', 'audit-worker': 'src/audit/worker.ts' },
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
    // Read only under --debug (see src/cli/bin.ts).
    sourcemap: true,
  },
]);
