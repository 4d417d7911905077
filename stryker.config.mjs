// @ts-check
/**
 * `npm run mutation`: StrykerJS on the rules that decide what a rating counts for — the counter
 * state machine, the broker's door and the report queries — bounded to minutes on two cores.
 * Figures and how to read them: BENCHMARKS.md, "Mutation testing".
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  // Only the suites that exercise the mutated files (see that config), not the whole suite.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: [
    'edge-agent/src/counter/**/*.ts',
    '!edge-agent/src/counter/**/*.test.ts',
    // Test support, not counter code: trace.ts is the property tests' oracle.
    '!edge-agent/src/counter/test-helpers.ts',
    '!edge-agent/src/counter/trace.ts',
    '!edge-agent/src/counter/index.ts',
    '!edge-agent/src/counter/types.ts',
    'broker/src/broker/door.ts',
    'store/src/reports.ts',
  ],
  // In place, not in a sandbox copy: workspaces import each other through node_modules/@onestop/*
  // symlinks that point at the real folders, so a sandbox's mutants would never be loaded.
  // Stryker restores every file when it ends: do not edit the mutated files while it runs.
  inPlace: true,
  // Vitest does not type-check, so there is no need to write `// @ts-nocheck` into every file.
  disableTypeChecks: false,
  concurrency: 2,
  coverageAnalysis: 'perTest',
  // Mutants of module-level constants need every test re-run each (a third of the mutants, more
  // than half the time): left out to keep the run to minutes.
  ignoreStatic: true,
  // Re-runs only mutants whose code or tests changed since the last run (file in reports/).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
};
