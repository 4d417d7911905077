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
      // Not dashboard/src/app.test.ts, which reaches the report queries over HTTP: a dashboard
      // and a database per mutant would turn minutes into hours.
      'store/src/reports*.test.ts',
    ],
    // The seeded random-day simulations cover every line of the state machine and take seconds
    // each: re-run for each of hundreds of mutants they would turn minutes into an hour.
    exclude: [
      '**/node_modules/**',
      '**/dist/**',
      'edge-agent/src/counter/step.property.test.ts',
      'edge-agent/src/counter/scripted-day.test.ts',
    ],
    env: { ONESTOP_TEST_POSTGRES: 'off' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
