import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { unitLiveAsset } from './bundle.js';
import { UNIT_LIVE_CONFIG_ID, type UnitLiveConfig } from './unit-live-config.js';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/assets/unit-live.js', import.meta.url));

/** Just enough of a page for the live-update module: the live table body and the officers. */
function fakePage(config: UnitLiveConfig, signedOut = false) {
  const reloads: number[] = [];
  const rows: string[] = [];
  const fetched: string[] = [];
  const opened: string[] = [];
  const listeners = new Map<string, (e: { data: string }) => void>();
  const fresh: string[] = [];
  const element = (html: () => string) => ({
    get firstElementChild() {
      return { classList: { add: (c: string) => fresh.push(`${c}:${html()}`) } };
    },
  });
  const body = {
    ...element(() => rows[0] ?? ''),
    get children() {
      return { length: rows.length };
    },
    get lastElementChild() {
      return { remove: () => rows.pop() };
    },
    insertAdjacentHTML: (_where: string, h: string) => rows.unshift(h),
    querySelector: (sel: string) => rows.find((r) => r.includes(sel.slice(1, -1))) ?? null,
  };
  const officers = { outerHTML: '' };
  const document = {
    getElementById: (id: string) =>
      id === UNIT_LIVE_CONFIG_ID
        ? { textContent: JSON.stringify(config) }
        : id === 'live-body'
          ? body
          : id === 'officers'
            ? officers
            : null,
  };
  class EventSource {
    constructor(url: string) {
      opened.push(url);
    }
    addEventListener(event: string, fn: (e: { data: string }) => void) {
      listeners.set(event, fn);
    }
  }
  const fetch = async (url: string, init?: { redirect?: string }) => {
    fetched.push(url);
    // The browser's answer to a redirect not followed (`redirect: 'manual'`): the sign-in page.
    if (signedOut && init?.redirect === 'manual') return { ok: false, type: 'opaqueredirect', status: 0 };
    if (signedOut) return { ok: true, type: 'basic', text: async () => '<html>sign in</html>' };
    return { ok: true, type: 'basic', text: async () => '<div id="officers">new</div>' };
  };
  const location = { reload: () => reloads.push(Date.now()) };
  const CSS = { escape: (s: string) => s };
  return {
    context: { document, EventSource, fetch, CSS, setTimeout, location },
    reloads,
    rows,
    fetched,
    opened,
    listeners,
    officers,
  };
}

const CONFIG: UnitLiveConfig = {
  liveUrl: '/api/live?unit=u&lang=vi',
  officersUrl: '/units/u/officers?days=7',
};

async function exercise(script: string) {
  const page = fakePage(CONFIG);
  // The module has no imports left after bundling; run as a classic script.
  runInContext(script.replace(/^export\s*\{[^}]*\};?\s*$/m, ''), createContext(page.context));
  expect(page.opened).toEqual([CONFIG.liveUrl]);
  const rating = page.listeners.get('rating')!;
  rating({ data: '<tr data-event-id="e1"><td>1</td></tr>' });
  rating({ data: '<tr data-event-id="e1"><td>1</td></tr>' }); // re-sent after a reconnect
  for (let i = 2; i <= 60; i++) rating({ data: `<tr data-event-id="e${i}"></tr>` });
  expect(page.rows).toHaveLength(50);
  expect(page.rows[0]).toContain('e60');
  expect(page.rows.filter((r) => r.includes('"e1"'))).toHaveLength(0); // trimmed off the bottom
  await new Promise((r) => setTimeout(r, 700));
  // One burst, one re-fetch of the officer table of the same period and language.
  expect(page.fetched).toEqual([CONFIG.officersUrl]);
  expect(page.officers.outerHTML).toBe('<div id="officers">new</div>');
}

describe('unit live-update module', () => {
  it('adds each new rating once, keeps 50 rows and re-fetches the officers once per burst', async () => {
    await exercise((await unitLiveAsset()).script);
  });

  it('reloads the page when the session has ended, never pasting the sign-in page as the table', async () => {
    const page = fakePage(CONFIG, true);
    const script = (await unitLiveAsset()).script;
    runInContext(script.replace(/^export\s*\{[^}]*\};?\s*$/m, ''), createContext(page.context));
    page.listeners.get('rating')!({ data: '<tr data-event-id="e1"></tr>' });
    await new Promise((r) => setTimeout(r, 700));
    expect(page.officers.outerHTML).toBe('');
    expect(page.reloads).toHaveLength(1);
  });

  it('is written to dist/assets by the build step, and the compiled server serves that file', {
    timeout: 60_000,
  }, async () => {
    const started = Date.now();
    const out = execFileSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE, encoding: 'utf8' });
    expect(out).toContain(BUILT);
    expect(statSync(BUILT).mtimeMs).toBeGreaterThanOrEqual(started - 1_000);
    const built = readFileSync(BUILT, 'utf8');
    const served = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { unitLiveAsset } = await import('./dist/assets/bundle.js'); const a = await unitLiveAsset(); process.stdout.write(JSON.stringify(a));",
      ],
      { cwd: PACKAGE, encoding: 'utf8', maxBuffer: 16 << 20 },
    );
    const asset = JSON.parse(served) as { path: string; script: string };
    expect(asset.script).toBe(built);
    expect(asset.path).toMatch(/^\/assets\/unit-live\.[A-Za-z0-9_-]{12}\.js$/);
    await exercise(built);
  });
});
