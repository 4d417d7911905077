import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { CounterInput } from '../counter/types.js';
import type { Lang } from './i18n.js';
import { renderPage } from './page.js';
import type { KioskView } from './view.js';

export interface KioskDeps {
  view(): KioskView;
  /** Returns an unsubscribe function. */
  subscribe(fn: (v: KioskView) => void): () => void;
  input(i: CounterInput): void;
}

const RateBody = z.strictObject({ level: z.int().min(1).max(5) });
const ReasonsBody = z.strictObject({ codes: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/)).max(8) });
const OfficerBody = z.strictObject({ action: z.enum(['start-visit', 'end-visit', 'sign-out']) });

async function parseJson<T>(
  req: Request,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
  let data: unknown;
  try {
    data = await req.json();
  } catch {
    return { ok: false, reason: 'body must be JSON' };
  }
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0]!;
  const path = i.path.join('.') || '(root)';
  return {
    ok: false,
    reason:
      i.code === 'unrecognized_keys'
        ? `${path}: unknown field(s) ${i.keys.join(', ')}`
        : `${path}: ${i.message}`,
  };
}

/** The kiosk's HTTP surface. The touch screen is one more input, validated like every other. */
export function createKioskApp(deps: KioskDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const lang: Lang = c.req.query('lang') === 'en' ? 'en' : 'vi';
    c.header(
      'content-security-policy',
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
    );
    return c.html(renderPage(lang));
  });
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
    if (!r.ok) return c.json({ ok: false, reason: r.reason }, 400);
    const v = deps.view();
    if (v.screen.kind !== 'rating') return c.json({ ok: false, reason: 'no rating prompt is open' }, 409);
    if (!v.levels.some((l) => l.level === r.value.level))
      return c.json({ ok: false, reason: `level ${r.value.level} is not on ${v.scale}` }, 400);
    deps.input({ type: 'press', level: r.value.level, scale: v.scale, source: 'touch' });
    return c.json({ ok: true, screen: deps.view().screen.kind });
  });
  app.post('/api/reasons', async (c) => {
    const r = await parseJson(c.req.raw, ReasonsBody);
    if (!r.ok) return c.json({ ok: false, reason: r.reason }, 400);
    if (deps.view().screen.kind !== 'reasons')
      return c.json({ ok: false, reason: 'no rating is waiting for reasons' }, 409);
    deps.input({ type: 'reasons', codes: r.value.codes });
    return c.json({ ok: true, screen: deps.view().screen.kind });
  });
  app.post('/api/officer', async (c) => {
    const r = await parseJson(c.req.raw, OfficerBody);
    if (!r.ok) return c.json({ ok: false, reason: r.reason }, 400);
    deps.input({ type: 'officer', action: r.value.action });
    return c.json({ ok: true, screen: deps.view().screen.kind });
  });
  return app;
}
