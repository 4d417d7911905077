import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { KIOSK_CONFIG_ID } from './client-config.js';
import { KIOSK_TEXT } from './i18n.js';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/kiosk/client.js', import.meta.url));

/**
 * Under vitest the server bundles the client from source, so every other test passes with a
 * broken build step. This one runs the step a device image is built with (`npm run build`, after
 * `tsc -b`) and loads the client the way the compiled server does.
 */
describe('kiosk client build', () => {
  it('writes dist/kiosk/client.js, which the compiled server serves and a page can run', {
    timeout: 60_000,
  }, () => {
    const started = Date.now();
    const out = execFileSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE, encoding: 'utf8' });
    expect(out).toContain(BUILT);
    expect(statSync(BUILT).mtimeMs).toBeGreaterThanOrEqual(started - 1_000);
    const built = readFileSync(BUILT, 'utf8');
    // The compiled server (dist/, not these sources) hands out exactly that file.
    const served = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { kioskClientScript } = await import('./dist/kiosk/bundle.js'); process.stdout.write(await kioskClientScript());",
      ],
      { cwd: PACKAGE, encoding: 'utf8', maxBuffer: 16 << 20 },
    );
    expect(served).toBe(built);
    // And it runs: the script reads its config and opens the view stream.
    let opened = 0;
    const el = () => ({ dataset: {}, setAttribute() {}, addEventListener() {}, textContent: '' });
    const config = { lang: 'vi', text: KIOSK_TEXT.vi, audio: {}, voice: false };
    const document = {
      body: el(),
      getElementById: (id: string) =>
        id === KIOSK_CONFIG_ID ? { textContent: JSON.stringify(config) } : el(),
    };
    class EventSource {
      constructor() {
        opened++;
      }
      addEventListener() {}
    }
    runInContext(built, createContext({ document, EventSource }));
    expect(opened).toBe(1);
  });
});
