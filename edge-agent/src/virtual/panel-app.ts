import { asLang, describeIssues } from '@onestop/protocol';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { VirtualHidDevice } from '../devices/virtual-hid.js';
import { knownHost, sameOriginJson } from '../kiosk/guard.js';
import { PANEL_SCRIPT, PANEL_SCRIPT_PATH, renderPanel } from './panel-page.js';

export interface PanelDeps {
  keypad: VirtualHidDevice | null;
  scanner: VirtualHidDevice | null;
  badge: VirtualHidDevice | null;
  /** The counter as the agent sees it, once the agent runs (null before). */
  status(): { screen: string; officer: string | null } | null;
  /**
   * The kiosk's officer bar, for a counter tested without a kiosk and without an officer key:
   * refused (the reason) or taken (null), by the kiosk's own rule.
   */
  officer(action: 'start-visit' | 'end-visit'): string | null;
  hosts: readonly string[] | null;
}

const KeyBody = z.strictObject({ key: z.string().min(1).max(16) });
const LineBody = z.strictObject({ text: z.string().trim().min(1).max(128) });
const OfficerBody = z.strictObject({ action: z.enum(['start-visit', 'end-visit']) });

/**
 * The virtual devices' control page. Every action becomes raw HID reports of the virtual device,
 * so it goes through the production decoder and the counter exactly as a real press or scan does.
 * Guarded like the kiosk (same-origin JSON, known Host): it is as powerful as the keypad.
 */
export function createPanelApp(deps: PanelDeps): Hono {
  const app = new Hono();
  app.use('*', knownHost(deps.hosts));
  app.on('POST', '*', sameOriginJson());
  app.on(
    'POST',
    '*',
    bodyLimit({ maxSize: 1024, onError: (c) => c.json({ ok: false, reason: 'body too large' }, 413) }),
  );
  app.get('/', (c) => {
    c.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'");
    const lang = asLang(c.req.query('lang')) ?? 'vi';
    const profile = (d: VirtualHidDevice | null) => d?.profile ?? null;
    return c.html(
      renderPanel(lang, {
        keypad: profile(deps.keypad),
        scanner: profile(deps.scanner),
        badge: profile(deps.badge),
      }),
    );
  });
  app.get(`/${PANEL_SCRIPT_PATH}`, (c) =>
    c.body(PANEL_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  app.get('/api/state', (c) =>
    c.json({ virtual: true, ...(deps.status() ?? { screen: null, officer: null }) }),
  );

  /** Parses the body and runs the device action; a device's own refusal is the user's 400. */
  const act =
    <T>(
      schema: z.ZodType<T>,
      device: () => VirtualHidDevice | null,
      run: (d: VirtualHidDevice, v: T) => void,
    ) =>
    async (c: Context) => {
      const d = device();
      if (!d) return c.json({ ok: false, reason: 'this device is not configured' }, 404);
      const parsed = schema.safeParse(await c.req.raw.json().catch(() => undefined));
      if (!parsed.success) return c.json({ ok: false, ...describeIssues(parsed.error) }, 400);
      try {
        run(d, parsed.data);
      } catch (e) {
        return c.json({ ok: false, reason: (e as Error).message, field: null }, 400);
      }
      return c.json({ ok: true });
    };
  app.post(
    '/api/key',
    act(
      KeyBody,
      () => deps.keypad,
      (d, v) => {
        // Only the profile's keys: the panel mirrors the keypad, it is not a keyboard.
        if (d.profile.role !== 'keypad' || !Object.hasOwn(d.profile.keys, v.key))
          throw new Error(`key ${v.key} is not on keypad ${d.profile.name}`);
        d.pressKey(v.key);
      },
    ),
  );
  app.post('/api/officer', async (c) => {
    const parsed = OfficerBody.safeParse(await c.req.raw.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, ...describeIssues(parsed.error) }, 400);
    const refused = deps.officer(parsed.data.action);
    return refused ? c.json({ ok: false, reason: refused }, 409) : c.json({ ok: true });
  });
  // Keyboard-wedge readers type a line and Enter: the scanner a dossier ID, the badge an officer's.
  for (const role of ['scanner', 'badge'] as const)
    app.post(
      `/api/${role === 'scanner' ? 'scan' : 'badge'}`,
      act(
        LineBody,
        () => deps[role],
        (d, v) => d.typeLine(v.text),
      ),
    );
  return app;
}
