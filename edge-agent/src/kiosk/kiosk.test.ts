import { CounterSettings, newCommentKey, readCommentToken, verifyCommentToken } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { screenOf } from '../counter/screen.js';
import { step } from '../counter/step.js';
import { badge, ctxAt, endVisit, scan, T0 } from '../counter/test-helpers.js';
import { type CounterInput, type CounterState, initialCounterState } from '../counter/types.js';
import { createKioskApp } from './app.js';
import { loadPromptManifest, PROMPT_CONTENT_TYPE } from './audio.js';
import { KIOSK_SCRIPT_PATH, type KioskClientConfig } from './client-config.js';
import { CommentLinks } from './comment-link.js';
import { kioskHosts } from './guard.js';
import { KIOSK_TEXT } from './i18n.js';
import { buildView, type KioskView, kioskLink } from './view.js';

const settings = CounterSettings.parse({
  officers: { 'cb-a': { name: 'Nguyễn Văn A', badge: '0001' } },
  commentUrl: 'https://phuong-trung-van.example/gop-y',
});

/** The real state machine behind the kiosk app, without MQTT or an outbox. */
const commentKey = newCommentKey();
const address = { unitId: 'trung-van', counterId: 'c01', deviceId: 'dev-c01' };

function harness({ officerTouch = true } = {}) {
  let state: CounterState = initialCounterState();
  let now = T0;
  const inputs: CounterInput[] = [];
  const listeners = new Set<(v: KioskView) => void>();
  const comments = new CommentLinks(address, commentKey, () => now);
  const view = () =>
    buildView(state, screenOf(state, now), settings, 'online', officerTouch, { comments, now });
  const feed = (i: CounterInput) => {
    now += 2_000;
    inputs.push(i);
    state = step(state, i, ctxAt(now, { settings, touch: true })).state;
    for (const l of listeners) l(view());
  };
  const app = createKioskApp({
    view,
    officerTouch,
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
    // The camera notice is in the page, shown only where the view says a camera watches.
    expect(vi).toContain('không lưu, không gửi hình ảnh đi đâu');
    expect(vi).toContain('Nghị định 13/2023/NĐ-CP');
    expect(vi).toContain('<footer id="privacy" hidden>');
    const en = await (await app.request('/?lang=en')).text();
    expect(en).toContain('no image is stored or sent anywhere');
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

  it('takes a touch on the thanks screen while its undo window is open, and only then', async () => {
    const { feed, post, inputs, view } = harness();
    for (const i of [badge('0001'), scan('A015'), endVisit]) feed(i);
    await post('/api/rate', { level: 4 });
    expect(view()).toMatchObject({ screen: { kind: 'thanks', level: 4 }, remainingMs: 5_000 });
    expect(await (await post('/api/rate', { level: 2 })).json()).toEqual({ ok: true, screen: 'thanks' });
    expect(inputs.at(-1)).toEqual({ type: 'press', level: 2, scale: 'keypad4', source: 'touch' });
    expect(view()).toMatchObject({ screen: { kind: 'thanks', level: 2, undoUntil: expect.any(Number) } });
    feed({ type: 'tick' });
    feed({ type: 'tick' }); // 6 s after the first touch: the window is over, the level is final
    expect(view()).toMatchObject({
      screen: { kind: 'thanks', level: 2, undoUntil: null },
      remainingMs: null,
    });
    expect((await post('/api/rate', { level: 4 })).status).toBe(409);
  });

  it('lets the signed-in officer start and end a visit by touch, on a counter without a scanner', async () => {
    const { feed, post, inputs, view } = harness();
    expect(view().officerControls).toBeNull();
    const refused = await post('/api/officer', { action: 'start-visit' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { reason: string }).reason).toMatch(/no officer is signed in/);
    feed(badge('0001'));
    expect(view().officerControls).toEqual({ startVisit: true, endVisit: false });
    feed({ type: 'tick' }); // the "signed in" notice goes away
    feed({ type: 'tick' });
    expect((await post('/api/officer', { action: 'end-visit' })).status).toBe(409);
    expect(await (await post('/api/officer', { action: 'start-visit' })).json()).toEqual({
      ok: true,
      screen: 'visit',
    });
    expect(view().screen).toMatchObject({ kind: 'visit', officerId: 'cb-a', ticket: null });
    // A second start would close this visit unrated: refused while it is on.
    expect(view().officerControls).toEqual({ startVisit: false, endVisit: true });
    expect((await post('/api/officer', { action: 'start-visit' })).status).toBe(409);
    expect((await post('/api/officer', { action: 'end-visit' })).status).toBe(200);
    expect(view().screen.kind).toBe('rating');
    expect(view().officerControls).toEqual({ startVisit: false, endVisit: false });
    expect(inputs.filter((i) => i.type === 'officer')).toEqual([
      { type: 'officer', action: 'start-visit' },
      { type: 'officer', action: 'end-visit' },
    ]);
  });

  it('offers no officer touches where a scanner starts visits, and refuses a hand-made one', async () => {
    // A citizen at the screen could otherwise start, end and rate visit after visit.
    const { feed, post, inputs, view } = harness({ officerTouch: false });
    feed(badge('0001'));
    expect(view().officer).toMatchObject({ id: 'cb-a' });
    expect(view().officerControls).toBeNull();
    for (const action of ['start-visit', 'end-visit']) {
      const res = await post('/api/officer', { action });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { reason: string }).reason).toMatch(/scanner starts visits/);
    }
    expect(inputs.filter((i) => i.type === 'officer')).toEqual([]);
  });

  it.each([
    ['/api/rate', '{nope', 400, /body must be JSON/],
    ['/api/rate', { level: 9 }, 400, /level/],
    ['/api/rate', { level: 2, extra: 1 }, 400, /unknown field\(s\) 'extra'/],
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

  it.each([
    ['/api/rate', { level: '5' }, 'level'],
    ['/api/reasons', { codes: ['slow', 'Bad Code'] }, 'codes.1'],
    ['/api/reasons', {}, 'codes'],
    ['/api/officer', { action: 'fire' }, 'action'],
  ])('names the invalid field of POST %s %j', async (path, body, field) => {
    const res = await harness().post(path, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, field });
  });

  it('offers a comment code signed for the visit just rated, on the thanks screen only', async () => {
    const { app, feed, post, view } = harness();
    expect((await app.request('/qr.svg')).status).toBe(404);
    for (const i of [badge('0001'), scan('000.00.12.H26-251124-0001'), endVisit]) feed(i);
    expect(view().commentUrl).toBeNull();
    await post('/api/rate', { level: 4 });
    // Not while the rating can still change: the code comes with the final level.
    expect(view().commentUrl).toBeNull();
    for (let i = 0; i < 3; i++) feed({ type: 'tick' }); // 6 s: past the 5 s undo window
    const url = new URL(view().commentUrl!);
    expect(url.origin + url.pathname).toBe('https://phuong-trung-van.example/gop-y');
    const token = readCommentToken(url.searchParams.get('t')!);
    if ('error' in token) throw new Error(token.error);
    expect(token.claim).toMatchObject({
      d: 'dev-c01',
      u: 'trung-van',
      c: 'c01',
      o: 'cb-a',
      s: ['000.00.12.H26-251124-0001'],
    });
    expect(verifyCommentToken(token, commentKey.publicKey, token.claim.t)).toBeNull();
    // Repaints of the same thanks screen show the same code.
    expect(view().commentUrl).toBe(url.toString());
    const res = await app.request('/qr.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // The next citizen's visit takes the code away.
    feed(scan('000.00.12.H26-251124-0002'));
    expect(view().commentUrl).toBeNull();
    expect((await app.request('/qr.svg')).status).toBe(404);
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

/** A rating prompt is open, so a POST that passes the guards is accepted. */
function rating() {
  const h = harness();
  for (const i of [badge('0001'), scan('A015'), endVisit]) h.feed(i);
  const send = (headers: Record<string, string>, body = '{"level":4}') =>
    // Bytes, not a string: a string body would get an implicit text/plain Content-Type.
    h.app.request('http://127.0.0.1:8080/api/rate', {
      method: 'POST',
      headers,
      body: new TextEncoder().encode(body),
    });
  return { ...h, send };
}

describe('kiosk client', () => {
  it('serves the bundled typed client and hands it its config as data, no inline code', async () => {
    const { app } = harness();
    const res = await app.request('/?lang=en');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    const html = await res.text();
    expect(html).toContain(`<script type="module" src="${KIOSK_SCRIPT_PATH}"></script>`);
    const json = html.match(/<script type="application\/json" id="kiosk-config">(.*?)<\/script>/s)?.[1];
    const config = JSON.parse(json ?? 'null') as KioskClientConfig;
    expect(config).toMatchObject({
      lang: 'en',
      voice: true,
      text: { withdrawn: 'This device was withdrawn' },
    });
    const js = await app.request(`/${KIOSK_SCRIPT_PATH}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await js.text();
    // Bundled: no import left for the browser to resolve, the config read from the page.
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).toContain('kiosk-config');
    expect(code).toContain('EventSource');
  });

  it('tells citizens when the device is offline or was withdrawn (CONNACK 5), Vietnamese first', () => {
    expect(kioskLink({ state: 'connected', since: 1 })).toBe('online');
    expect(kioskLink({ state: 'connecting' })).toBe('offline');
    const refused = (refusedCode: number | null) =>
      kioskLink({ state: 'reconnecting', attempt: 0, nextAt: 1, reason: 'x', refusedCode });
    expect([3, 4, null].map(refused)).toEqual(['offline', 'offline', 'offline']);
    expect(refused(5)).toBe('withdrawn');
    expect(KIOSK_TEXT.vi.notConnected).toBe('Chưa kết nối');
    expect(KIOSK_TEXT.vi.withdrawn).toBe('Thiết bị đã bị thu hồi');
    expect(KIOSK_TEXT.en.notConnected).toBe('Not connected');
  });
});

describe('kiosk CSRF hardening', () => {
  const json = { 'content-type': 'application/json' };

  it.each([
    ['no Origin (curl, the agent itself)', json],
    ['its own Origin', { ...json, origin: 'http://127.0.0.1:8080' }],
    ['JSON with a charset', { 'content-type': 'Application/JSON; charset=utf-8' }],
  ])('accepts a touch with %s', async (_, headers) => {
    const { send, inputs } = rating();
    const res = await send(headers);
    expect(res.status).toBe(200);
    expect(inputs.at(-1)).toMatchObject({ type: 'press', level: 4, source: 'touch' });
  });

  it.each([
    [
      'another site',
      'https://evil.example',
      /Origin https:\/\/evil\.example is not http:\/\/127\.0\.0\.1:8080/,
    ],
    ['another local port', 'http://127.0.0.1:3000', /cross-origin request refused/],
    ['an opaque origin (sandboxed frame, file://)', 'null', /Origin null/],
  ])('refuses %s with 403 and says why', async (_, origin, reason) => {
    const { send, inputs } = rating();
    const before = inputs.length;
    const res = await send({ ...json, origin });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { reason: string }).reason).toMatch(reason);
    expect(inputs).toHaveLength(before);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }, /got text\/plain/],
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, /must be application\/json/],
    ['no Content-Type', {}, /got none/],
  ])('refuses %s with 415', async (_, headers, reason) => {
    const { send, inputs } = rating();
    const before = inputs.length;
    const res = await send(headers);
    expect(res.status).toBe(415);
    expect(((await res.json()) as { reason: string }).reason).toMatch(reason);
    expect(inputs).toHaveLength(before);
  });

  it('guards every POST route, not only ratings', async () => {
    const { app } = harness();
    const res = await app.request('/api/officer', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{"action":"sign-out"}',
    });
    expect(res.status).toBe(403);
  });

  it('refuses an unknown Host (DNS rebinding) when the kiosk knows its names', async () => {
    const app = createKioskApp({
      view: harness().view,
      officerTouch: true,
      input: () => {},
      subscribe: () => () => {},
      hosts: ['127.0.0.1'],
    });
    expect((await app.request('http://127.0.0.1:8080/api/state')).status).toBe(200);
    const res = await app.request('http://rebind.evil.example:8080/api/state');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ reason: 'host rebind.evil.example is not this kiosk' });
  });

  it.each([
    ['127.0.0.1', ['127.0.0.1', 'localhost', '[::1]']],
    ['::1', ['127.0.0.1', 'localhost', '[::1]']],
    ['192.168.1.20', ['192.168.1.20']],
    ['0.0.0.0', null],
  ])('knows the names of a kiosk bound to %s', (bind, names) => {
    const hosts = kioskHosts(bind);
    if (names === null) expect(hosts).toBeNull();
    else expect(hosts?.slice().sort()).toEqual(names.slice().sort());
  });

  it('refuses an oversized body', async () => {
    const { send } = rating();
    const res = await send(json, JSON.stringify({ level: 4, pad: 'x'.repeat(8000) }));
    expect(res.status).toBe(413);
  });
});

describe('kiosk spoken prompts', () => {
  const manifest = loadPromptManifest();

  it.each(manifest.prompts.map((p) => [p.file, p.bytes] as const))(
    'serves %s as Ogg Opus',
    async (file, bytes) => {
      const res = await harness().app.request(`/audio/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(PROMPT_CONTENT_TYPE);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
      expect((await res.arrayBuffer()).byteLength).toBe(bytes);
    },
  );

  it('lets a versioned URL be cached for good and answers revalidation with 304', async () => {
    const { app } = harness();
    const p = manifest.prompts.find((x) => x.file === 'vi-thanks.ogg')!;
    const pinned = await app.request(`/audio/vi-thanks.ogg?v=${p.sha256.slice(0, 12)}`);
    expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const again = await app.request('/audio/vi-thanks.ogg', {
      headers: { 'if-none-match': pinned.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it.each(['nope.ogg', '..%2Fpackage.json', 'manifest.json'])('404s %s', async (file) => {
    expect((await harness().app.request(`/audio/${file}`)).status).toBe(404);
  });

  it('wires the page to the prompts of its language, voice on unless ?voice=0', async () => {
    const { app } = harness();
    const vi = await (await app.request('/')).text();
    expect(vi).toContain('<audio id="voice"');
    expect(vi).toMatch(/"rate-keypad4":"audio\/vi-rate-keypad4\.ogg\?v=[0-9a-f]{12}"/);
    expect(vi).toContain('aria-pressed="true">Đọc to: Bật');
    const en = await (await app.request('/?lang=en&voice=0')).text();
    expect(en).toMatch(/"thanks":"audio\/en-thanks\.ogg\?v=/);
    expect(en).toContain('aria-pressed="false">Voice: off');
    expect(en).toContain('href="?lang=vi&amp;voice=0"');
  });
});
