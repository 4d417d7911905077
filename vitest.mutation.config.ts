import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutation` (StrykerJS) runs against each mutant: only the suites that exercise
 * the mutated files (stryker.config.json `mutate`), on PGlite only, so a run takes minutes.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      'edge-agent/src/counter/**/*.test.ts',
      'broker/src/broker/door*.test.ts',
      'store/src/reports*.test.ts',
      'dashboard/src/app.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    env: { ONESTOP_TEST_POSTGRES: 'off' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
