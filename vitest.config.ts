import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Rebuilds src/generated/knowledge.json first when a rules or schema file is newer; finds the browser tests' Chromium.
    globalSetup: ['test/setup/knowledge.ts', 'test/setup/chromium.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22: true, and nothing this
    // project's tests can act on; the README says so once instead of every test run printing it.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
