import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Rebuilds src/generated/knowledge.json first when a rules or schema file is newer; finds the browser tests' Chromium.
    globalSetup: ['test/setup/knowledge.ts', 'test/setup/chromium.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
