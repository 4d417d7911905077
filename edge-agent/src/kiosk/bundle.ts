import { clientBundle } from '@onestop/client-bundle';

/**
 * The kiosk page's script: `client/main.ts` bundled for the browser (`@onestop/client-bundle`).
 *
 * `npm run build` writes it once to `dist/kiosk/client.js`, beside the compiled server, and the
 * device only reads that file: esbuild is a build tool, never needed at the counter. Run from
 * sources (vitest, tsx) the server bundles the source itself.
 */
const fromSources = import.meta.url.endsWith('.ts');

const kiosk = clientBundle({
  name: 'kiosk client',
  entry: fromSources
    ? new URL('./client/main.ts', import.meta.url)
    : new URL('../../src/kiosk/client/main.ts', import.meta.url),
  built: new URL('./client.js', import.meta.url),
  fromSources,
  // The kiosk is Debian's Chromium on the counter board.
  target: ['chrome100'],
});

/** Build step: bundles the client next to the compiled server. Returns the file written. */
export const writeKioskClient = (): Promise<string> => kiosk.write();

/** The client script, loaded (or bundled) once per process; a failure is retried next time. */
export const kioskClientScript = (): Promise<string> => kiosk.script();
