import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const ALL_TESTS = ['*/src/**/*.test.{ts,tsx}', 'cli/src/**/*.test.ts', 'tests/**/*.test.ts'];

/**
 * What makes a suite more than a unit test: it opens a database (PGlite or PostgreSQL), starts a
 * broker, an agent, an ingest, a dashboard server or a child process. A suite that uses none of
 * these is in the `unit` project, found by reading the files here rather than by a list to keep
 * up, so a new pure test is a unit test by itself.
 */
const NEEDS_MORE_THAN_NODE =
  /openTestStore|openStore|openPgliteThread|startBroker|Aedes|createBroker|startIngest|startEmbedded|startAgent|startSimulatedCounter|startDashboard|createDashboardApp|createAdaptorServer|child_process|spawnTs|runCliFromSource|startAllInOne|chromium/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : testFiles(path);
    return /\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/**
 * Suites that need more than Node and PGlite — a service (Redis, Mosquitto), Chromium, the built
 * CLI, servers in child processes killed mid-flight — or that spend tens of CPU-seconds on a
 * reference. They run in `npm test` (project `integration`) only. Everything else that is not a
 * unit test is in the `local` project (PGlite, brokers and servers in the test's own process):
 * `npm run test:local` runs unit + local with ONESTOP_TEST_POSTGRES=off, storage on PGlite only.
 */
const INTEGRATION = [
  'tests/**/*.test.ts', // the built `onestop` command end to end, dashboards in Chromium
  'centre/src/pipeline/cluster.test.ts', // Redis, brokers in child processes
  'centre/src/pipeline/mosquitto.test.ts', // Mosquitto
  'centre/src/pipeline/crash.test.ts', // an ingest child process killed mid-batch
  'edge-agent/src/durability/durability.test.ts', // agent child processes killed mid-write
  'edge-agent/src/update/update.test.ts', // Mosquitto, launcher and agents killed at each update step
  'edge-agent/src/kiosk/kiosk.screenshot.test.ts', // Chromium
  'edge-agent/src/virtual/panel.screenshot.test.ts', // Chromium
  'dashboard/src/reports/pdf.test.ts', // reports printed to PDF in Chromium
  'dashboard/src/users/browser.test.ts', // managing accounts in Chromium
  'dashboard/src/devices/console/console.browser.test.ts', // the technician console in Chromium
  'edge-agent/src/perception/parity.test.ts', // face-api on tfjs-wasm as the reference: CPU-heavy
  'centre/src/pipeline/embedded.test.ts', // an on-disk database in a worker thread, restarted
];

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const UNIT = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
  .flatMap((e) => testFiles(join(ROOT, e.name)))
  .filter((file) => !NEEDS_MORE_THAN_NODE.test(readFileSync(file, 'utf8')))
  .map((file) => relative(ROOT, file));

// Workspace packages export their TypeScript sources under the "source" condition,
// so tests run against src/ without a build step.
export default defineConfig({
  // .tsx pages are hono/jsx (as in tsconfig.base.json); Vite's transform does not read that.
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, exclude: INTEGRATION } },
      { extends: true, test: { name: 'local', include: ALL_TESTS, exclude: [...UNIT, ...INTEGRATION] } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
    coverage: {
      provider: 'v8',
      include: ['*/src/**/*.{ts,tsx}'],
      exclude: ['**/*.test.{ts,tsx}', '**/test-support/**', '**/testing.ts', '**/testing/**'],
      reporter: ['text-summary', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
      // A floor per workspace (% of the unit run), raised in this file by every `npm run coverage`
      // whose figures beat it and never lowered by hand: a change that loses tested code fails.
      // centre and cli are exercised by the integration suites (child processes, the built CLI),
      // which this run leaves out.
      thresholds: {
        autoUpdate: (figure: number) => Math.floor(figure),
        'protocol/src/**': { lines: 97, statements: 97, functions: 97, branches: 92 },
        'store/src/**': { lines: 85, statements: 83, functions: 81, branches: 74 },
        'service/src/**': { lines: 100, statements: 88, functions: 100, branches: 66 },
        'firmware-config/src/**': { lines: 97, statements: 96, functions: 100, branches: 85 },
        'models/src/**': { lines: 72, statements: 71, functions: 79, branches: 58 },
        'edge-agent/src/**': { lines: 90, statements: 88, functions: 89, branches: 80 },
        'broker/src/**': { lines: 91, statements: 88, functions: 87, branches: 79 },
        'ingest/src/**': { lines: 81, statements: 77, functions: 71, branches: 64 },
        'centre/src/**': { lines: 0, statements: 0, functions: 0, branches: 0 },
        'dashboard/src/**': { lines: 90, statements: 86, functions: 90, branches: 77 },
        'cli/src/**': { lines: 0, statements: 0, functions: 0, branches: 1 },
      },
    },
  },
});
