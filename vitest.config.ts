import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ once, so end-to-end tests never run a stale bundle.
    globalSetup: ['test/support/build.ts'],
    // End-to-end tests start real processes; two cores are shared between them.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
