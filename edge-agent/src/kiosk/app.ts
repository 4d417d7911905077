import { asLang, describeIssues, ReasonCode } from '@onestop/protocol';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { CounterInput } from '../counter/types.js';
import { loadPromptManifest, type PromptManifest, promptHandler, promptUrls } from './audio.js';
import { kioskClientScript } from './bundle.js';
import { KIOSK_SCRIPT_PATH } from './client-config.js';
import { knownHost, sameOriginJson } from './guard.js';
import type { Lang } from './i18n.js';
import { renderPage } from './page.js';
import { type KioskView, refusedOfficerAction } from './view.js';

export interface KioskDeps {
  view(): KioskView;
  /** Returns an unsubscribe function. */
  subscribe(fn: (v: KioskView) => void): () => void;
  input(i: CounterInput): void;
  /** Whether the officer's start/end visit touches are taken: kioskOfficerControls(config). */
  officerTouch: boolean;
  /** Host names the kiosk answers to (DNS-rebinding guard); omitted or null: any. */
  hosts?: readonly string[] | null;
  /** The pre-rendered spoken prompts; defaults to the committed `assets/prompts/`. */
  prompts?: PromptManifest;
}

const RateBody = z.strictObject({ level: z.int().min(1).max(5) });
const ReasonsBody = z.strictObject({ codes: z.array(ReasonCode).max(8) });
const OfficerBody = z.strictObject({ action: z.enum(['start-visit', 'end-visit', 'sign-out']) });

const OFFICER_TOUCH_OFF =
  "this counter's scanner starts visits: the screen takes no officer touches (kiosk.officerControls in the device file)";

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; field: string | null };

async function parseJson<T>(req: Request, schema: z.ZodType<T>): Promise<Parsed<T>> {
  let data: unknown;
  try {
    data = await req.json();
  } catch {
    return { ok: false, reason: 'body must be JSON', field: null };
  }
  const r = schema.safeParse(data);
  return r.success ? { ok: true, value: r.data } : { ok: false, ...describeIssues(r.error) };
}

/** The kiosk's HTTP surface. The touch screen is one more input, validated like every other. */
export function createKioskApp(deps: KioskDeps): Hono {
  const prompts = deps.prompts ?? loadPromptManifest();
  const app = new Hono();
  app.use('*', knownHost(deps.hosts ?? null));
  // Every state-changing route is a POST: guard them all, including ones added later.
  app.on('POST', '*', sameOriginJson());
  app.on(
    'POST',
    '*',
    bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.json({ ok: false, reason: 'body too large' }, 413) }),
  );
  app.get('/', (c) => {
    const lang: Lang = asLang(c.req.query('lang')) ?? 'vi';
    // `?voice=0` starts the kiosk muted (e.g. a counter in a shared quiet room); the page's toggle
    // still lets a citizen turn it on for their own visit.
    const voice = c.req.query('voice') !== '0';
    c.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'",
    );
    return c.html(renderPage(lang, { audio: promptUrls(prompts, lang), voice }));
  });
  app.get(`/${KIOSK_SCRIPT_PATH}`, async (c) =>
    c.body(await kioskClientScript(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      // Small, and must follow an update of the agent at once.
      'cache-control': 'no-cache',
    }),
  );
  app.get('/audio/:file', promptHandler(prompts));
  app.get('/api/state', (c) => c.json(deps.view()));
  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      const send = (v: KioskView) => {
        queue = queue.then(() => stream.writeSSE({ event: 'view', data: JSON.stringify(v) })).catch(() => {});
      };
      const off = deps.subscribe(send);
      send(deps.view());
      const ping = setInterval(() => send(deps.view()), 15_000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(ping);
      off();
    }),
  );
  app.get('/qr.svg', async (c) => {
    const url = deps.view().commentUrl;
    if (!url) return c.text('no comment URL configured', 404);
    const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return c.body(svg, 200, { 'content-type': 'image/svg+xml' });
  });
  app.post('/api/rate', async (c) => {
    const r = await parseJson(c.req.raw, RateBody);
    if (!r.ok) return c.json(r, 400);
    const v = deps.view();
    // The thanks screen's undo window takes a touch too: it changes the rating just recorded.
    const open = v.screen.kind === 'rating' || (v.screen.kind === 'thanks' && v.screen.undoUntil !== null);
    if (!open) return c.json({ ok: false, reason: 'no rating prompt is open' }, 409);
    if (!v.levels.some((l) => l.level === r.value.level))
      return c.json(
        { ok: false, reason: `level ${r.value.level} is not on ${v.scale}`, field: 'level' },
        400,
      );
    deps.input({ type: 'press', level: r.value.level, scale: v.scale, source: 'touch' });
    return c.json({ ok: true, screen: deps.view().screen.kind });
  });
  app.post('/api/reasons', async (c) => {
    const r = await parseJson(c.req.raw, ReasonsBody);
    if (!r.ok) return c.json(r, 400);
    if (deps.view().screen.kind !== 'reasons')
      return c.json({ ok: false, reason: 'no rating is waiting for reasons' }, 409);
    deps.input({ type: 'reasons', codes: r.value.codes });
    return c.json({ ok: true, screen: deps.view().screen.kind });
  });
  app.post('/api/officer', async (c) => {
    const r = await parseJson(c.req.raw, OfficerBody);
    if (!r.ok) return c.json(r, 400);
    const { action } = r.value;
    // The same rule that hides the buttons on the page: a hand-made POST gets no further.
    if (action !== 'sign-out' && !deps.officerTouch)
      return c.json({ ok: false, reason: OFFICER_TOUCH_OFF }, 403);
    // A touch screen faces the citizen too: only what the officer's bar offers now is taken,
    // as /api/rate takes a rating only while the prompt is open.
    const refused = action === 'sign-out' ? null : refusedOfficerAction(deps.view().officerControls, action);
    if (refused) return c.json({ ok: false, reason: refused }, 409);
    deps.input({ type: 'officer', action });
    return c.json({ ok: true, screen: deps.view().screen.kind });
  });
  return app;
}
