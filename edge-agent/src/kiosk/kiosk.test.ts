import { CounterSettings } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { screenOf } from '../counter/screen.js';
import { step } from '../counter/step.js';
import { badge, ctxAt, endVisit, scan, T0 } from '../counter/test-helpers.js';
import { type CounterInput, type CounterState, initialCounterState } from '../counter/types.js';
import { createKioskApp } from './app.js';
import { buildView, type KioskView } from './view.js';

const settings = CounterSettings.parse({
  officers: { 'cb-a': { name: 'Nguyễn Văn A', badge: '0001' } },
  commentUrl: 'https://phuong-trung-van.example/gop-y',
});

/** The real state machine behind the kiosk app, without MQTT or an outbox. */
function harness() {
  let state: CounterState = initialCounterState();
  let now = T0;
  const inputs: CounterInput[] = [];
  const listeners = new Set<(v: KioskView) => void>();
  const view = () => buildView(state, screenOf(state, now), settings);
  const feed = (i: CounterInput) => {
    now += 2_000;
    inputs.push(i);
    state = step(state, i, ctxAt(now, { settings, touch: true })).state;
    for (const l of listeners) l(view());
  };
  const app = createKioskApp({
    view,
    input: feed,
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  });
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, feed, post, inputs, view };
}

describe('kiosk HTTP', () => {
  it('serves the page in Vietnamese by default, English on request, with the privacy notice', async () => {
    const { app } = harness();
    const vi = await (await app.request('/')).text();
    expect(vi).toContain('<html lang="vi">');
    expect(vi).toContain('Camera chỉ ước lượng biểu cảm ngay trên thiết bị; không lưu hay gửi hình ảnh.');
    const en = await (await app.request('/?lang=en')).text();
    expect(en).toContain('no image is stored or sent');
  });

  it('shows the officer, dossier and big rating buttons in the state view', async () => {
    const { app, feed } = harness();
    for (const i of [badge('0001'), scan('A015'), scan('000.00.12.H26-251124-0001'), endVisit]) feed(i);
    const v = (await (await app.request('/api/state')).json()) as KioskView;
    expect(v.officer).toEqual({ id: 'cb-a', name: 'Nguyễn Văn A' });
    expect(v.screen).toMatchObject({ kind: 'rating', dossierIds: ['000.00.12.H26-251124-0001'] });
    expect(v.levels.map((l) => l.vi)).toEqual(['Rất hài lòng', 'Hài lòng', 'Bình thường', 'Không hài lòng']);
  });

  it('turns a touch into the same rating input as a keypad press, then reasons after a negative one', async () => {
    const { feed, post, inputs, view } = harness();
    for (const i of [badge('0001'), scan('A015'), endVisit]) feed(i);
    expect(await (await post('/api/rate', { level: 1 })).json()).toEqual({ ok: true, screen: 'reasons' });
    expect(inputs.at(-1)).toEqual({ type: 'press', level: 1, scale: 'keypad4', source: 'touch' });
    expect((await post('/api/reasons', { codes: ['slow'] })).status).toBe(200);
    expect(view().screen).toMatchObject({ kind: 'thanks', negative: true });
  });

  it.each([
    ['/api/rate', '{nope', 400, /body must be JSON/],
    ['/api/rate', { level: 9 }, 400, /level/],
    ['/api/rate', { level: 2, extra: 1 }, 400, /unknown field\(s\) extra/],
    ['/api/rate', { level: 2 }, 409, /no rating prompt is open/],
    ['/api/reasons', { codes: ['DROP TABLE'] }, 400, /codes\.0/],
    ['/api/reasons', { codes: ['slow'] }, 409, /waiting for reasons/],
    ['/api/officer', { action: 'fire' }, 400, /action/],
  ])('rejects POST %s %j with %i and a reason', async (path, body, status, reason) => {
    const { post, inputs } = harness();
    const res = await post(path, body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { reason: string }).reason).toMatch(reason);
    expect(inputs).toEqual([]);
  });

  it('renders the comment QR code as SVG', async () => {
    const res = await harness().app.request('/qr.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('streams live views over SSE', async () => {
    const { app, feed } = harness();
    const ac = new AbortController();
    const res = await app.request('/events', { signal: ac.signal });
    const reader = res.body!.getReader();
    const chunks: string[] = [];
    const readUntil = async (re: RegExp) => {
      while (!re.test(chunks.join(''))) chunks.push(new TextDecoder().decode((await reader.read()).value));
    };
    await readUntil(/"kind":"idle"/);
    feed(badge('0001'));
    await readUntil(/"code":"signed_in"/);
    ac.abort();
    expect(chunks.join('')).toMatch(/^event: view\ndata: /);
  });
});
