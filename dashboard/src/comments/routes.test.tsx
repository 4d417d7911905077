import { COMMENT_TOKEN_TTL_S, type CommentClaim, newCommentKey, signCommentClaim } from '@onestop/protocol';
import {
  addStaffMember,
  followUpComment,
  MAX_COMMENTS_PER_VISIT,
  openStaffSession,
  schema,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';
import { signingCounter } from './visit-code.fixture.js';

const logger = pino({ level: 'silent' });
const ORIGIN = { origin: 'http://localhost' };
const DOSSIER = '000.00.12.H26-261201-0042';

describe('comments bound to a visit', () => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  const post = (fields: Record<string, string>) =>
    app.request('/comment', { method: 'POST', headers: ORIGIN, body: new URLSearchParams(fields) });
  const stored = () => store.db.select().from(schema.comments).orderBy(schema.comments.id);
  let withdrawnCode: string;
  let q01: Awaited<ReturnType<typeof signingCounter>>;
  /** A thanks screen's code at q01 after a visit served by Lan for DOSSIER. */
  const claim = (over: Partial<CommentClaim> = {}) => q01.claim({ o: 'cb-lan', s: [DOSSIER], ...over });
  const code = (c: CommentClaim, pem = q01.key.privatePem) => signCommentClaim(c, pem);

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await store.db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn' },
      { id: 'kim-anh', name: 'Xã Kim Anh' },
    ]);
    await store.db
      .insert(schema.officers)
      .values({ id: 'cb-lan', unitId: 'trung-van', name: 'Trần Thị Lan' });
    q01 = await signingCounter(store.db, { deviceId: 'dev-q01', unitId: 'trung-van', counterId: 'q01' });
    // A device that announced no key, and one withdrawn since it signed.
    await signingCounter(store.db, { deviceId: 'dev-q02', unitId: 'trung-van', counterId: 'q02' });
    await store.db.update(schema.devices).set({ birth: {} }).where(eq(schema.devices.id, 'dev-q02'));
    const old = await signingCounter(store.db, {
      deviceId: 'dev-old',
      unitId: 'trung-van',
      counterId: 'q03',
    });
    withdrawnCode = old.code();
    await store.db
      .update(schema.devices)
      .set({ revokedAt: new Date() })
      .where(eq(schema.devices.id, 'dev-old'));
    app = appWith(100);
  });
  const appWith = (perAddress: number) =>
    createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      commentLimits: { perAddress, windowMs: 60_000 },
    });
  afterAll(async () => {
    await store?.close();
  });

  it('opens a form about the visit, stores the comment with it once, and refuses a second', async () => {
    const t = code(claim());
    const form = await (await app.request(`/comment?t=${t}`)).text();
    expect(form).toContain('Phường Trung Văn');
    expect(form).toContain('Quầy q01');
    expect(form).toContain('Trần Thị Lan');
    // The dossier is masked: the page may be read over a shoulder.
    expect(form).toContain('…0042');
    expect(form).not.toContain(DOSSIER);
    expect(form).toContain(`name="t" value="${t}"`);
    const first = await post({ t, kind: 'complaint', body: 'Chờ lâu quá' });
    expect(first.status).toBe(201);
    // Whoever scans the screen first cannot silence the citizen: a code takes a few comments.
    for (let i = 1; i < MAX_COMMENTS_PER_VISIT; i++)
      expect((await post({ t, kind: 'praise', body: `Lần ${i}` })).status).toBe(201);
    const again = await post({ t, kind: 'complaint', body: 'Chờ lâu quá' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('đã được dùng đủ số lần cho phép');
    // The form says so before anyone types.
    expect((await app.request(`/comment?t=${t}`)).status).toBe(409);
    const rows = await stored();
    expect(rows).toHaveLength(MAX_COMMENTS_PER_VISIT);
    expect(rows[0]).toMatchObject({
      unitId: 'trung-van',
      counterId: 'q01',
      officerId: 'cb-lan',
      dossierId: DOSSIER,
      kind: 'complaint',
      deviceId: 'dev-q01',
    });
  });

  it('stores the complaint or praise mark, and the leader reads the text escaped', async () => {
    const t1 = code(claim());
    const form = await (await app.request(`/comment?t=${t1}`)).text();
    // However the markup spells a boolean attribute (`required`, `required=""`, `/>`).
    expect(form).toMatch(/value="complaint" required(="")?\/?> Góp ý \/ Phản ánh/);
    expect(form).toMatch(/value="praise" required(="")?\/?> Khen/);
    expect(
      (await post({ t: t1, kind: 'praise', body: 'Cán bộ hướng dẫn rất tận tình <b>!</b>' })).status,
    ).toBe(201);
    expect((await post({ t: code(claim()), kind: 'angry', body: 'Cảm ơn cán bộ' })).status).toBe(400);
    const empty = await post({ t: code(claim()), body: 'x' });
    expect(empty.status).toBe(400);
    // The citizen's form is a page: the refusal is one too, naming the field and the reason.
    expect(empty.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await empty.text()).toContain('<code data-testid="error-field">body</code>');
    expect((await stored()).at(-1)).toMatchObject({ kind: 'praise', officerId: 'cb-lan' });
    await addStaffMember(store.db, { username: 'lead', role: 'ward', unitId: 'trung-van', actor: 'test' });
    const { token } = await openStaffSession(store.db, 'lead', 'api');
    const page = await (
      await app.request('/units/trung-van/comments', { headers: { authorization: `Bearer ${token}` } })
    ).text();
    expect(page).toContain('Cán bộ hướng dẫn rất tận tình &lt;b&gt;!&lt;/b&gt;');
    expect((await app.request('/comment?unit=nowhere')).status).toBe(404);
    expect((await app.request('/comment?unit=trung-van&evil=1')).status).toBe(400);
  });

  it('shows the citizen the stage of their comment by its reference, and nothing else', async () => {
    const sent = await post({
      t: code(claim()),
      kind: 'complaint',
      body: 'Nội dung riêng tư',
      contact: '0912',
    });
    const html = await sent.text();
    const ref = /data-testid="comment-reference">([^<]+)</.exec(html)?.[1];
    expect(html).toContain(`href="/comment/status?ref=${ref}"`);
    // The language switch of the thanks page leads to the status page, not to a bare form.
    expect(html).toContain(`href="/comment/status?ref=${ref}&amp;lang=en"`);
    const stage = async (r: string) => {
      const res = await app.request(`/comment/status?ref=${encodeURIComponent(r)}`);
      const text = await res.text();
      return { status: res.status, text, stage: /data-stage="(\w+)"/.exec(text)?.[1] };
    };
    const received = await stage(ref!);
    expect(received).toMatchObject({ status: 200, stage: 'new' });
    expect(received.text).toContain('Đã tiếp nhận');
    expect(received.text).not.toContain('Nội dung riêng tư');
    expect(received.text).not.toContain('0912');
    const id = (await stored()).at(-1)!.id;
    await followUpComment(store.db, {
      unitId: 'trung-van',
      commentId: id,
      status: 'replied',
      reply: 'Đã trao đổi',
      username: 'lead',
      actor: 'test',
    });
    const answered = await stage(ref!.toLowerCase());
    expect(answered).toMatchObject({ status: 200, stage: 'replied' });
    expect(answered.text).not.toContain('Đã trao đổi');
    const typo = ref!.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    expect(await stage(typo)).toMatchObject({ status: 404, stage: undefined });
    expect((await app.request('/comment/status')).status).toBe(200);
  });

  it('refuses forged, foreign, expired and withdrawn codes in words, with the general form', async () => {
    const before = (await stored()).length;
    const good = code(claim());
    const [, signature] = good.split('.');
    const forged = `${Buffer.from(JSON.stringify(claim({ o: 'cb-other' }))).toString('base64url')}.${signature}`;
    const cases: Array<[string, number, string]> = [
      [forged, 400, 'Mã QR này không đúng'],
      [code(claim(), newCommentKey().privatePem), 400, 'Mã QR này không đúng'],
      // Signed by q01's key, but naming another counter or unit than the device serves.
      [code(claim({ c: 'q02' })), 400, 'Mã QR này không đúng'],
      [code(claim({ u: 'kim-anh' })), 400, 'Mã QR này không đúng'],
      // A device that announced no key signs nothing that verifies.
      [code(claim({ d: 'dev-q02', c: 'q02' })), 400, 'Mã QR này không đúng'],
      [code(claim({ t: Math.floor(Date.now() / 1000) - COMMENT_TOKEN_TTL_S - 60 })), 410, 'đã hết hạn'],
      [withdrawnCode, 410, 'đã được thay hoặc thu hồi'],
      ['not-a-code', 400, 'Mã QR này không đúng'],
    ];
    for (const [t, status, words] of cases) {
      const page = await app.request(`/comment?t=${t}`);
      expect(page.status, words).toBe(status);
      expect(await page.text()).toContain(words);
      const res = await post({ t, body: 'Cán bộ gây khó dễ' });
      expect(res.status).toBe(status === 410 ? 410 : 400);
      if (status === 410) expect(await res.text()).toContain('href="/comment?unit=trung-van"');
    }
    expect((await stored()).length).toBe(before);
  });

  it('takes no counter, officer or dossier without a code, and keeps poster comments working', async () => {
    const before = (await stored()).length;
    const page = await app.request('/comment?unit=trung-van&counter=q01&officer=cb-lan');
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain('cần mã QR hiện trên màn hình tại quầy');
    expect(text).toContain('href="/comment?unit=trung-van"');
    for (const named of [{ officer: 'cb-lan' }, { counter: 'q01' }, { dossier: DOSSIER }] as Record<
      string,
      string
    >[])
      expect((await post({ unit: 'trung-van', body: 'Cán bộ gây khó dễ', ...named })).status).toBe(400);
    expect((await stored()).length).toBe(before);
    const poster = await (await app.request('/comment?unit=trung-van')).text();
    expect(poster).toContain('name="unit" value="trung-van"');
    expect(poster).not.toContain('name="t"');
  });

  it('names only an officer of the unit’s roster; another is kept as a comment on the counter', async () => {
    const t = code(claim({ o: 'cb-elsewhere' }));
    const form = await (await app.request(`/comment?t=${t}`)).text();
    expect(form).toContain('Quầy q01');
    expect(form).not.toContain('cb-elsewhere');
    expect((await post({ t, kind: 'complaint', body: 'Cán bộ gây khó dễ' })).status).toBe(201);
    expect((await stored()).at(-1)).toMatchObject({ counterId: 'q01', officerId: null });
  });

  it('lets the citizen choose among the visit’s own dossiers only', async () => {
    const other = '000.00.12.H26-261201-0043';
    const t = code(claim({ s: [DOSSIER, other] }));
    const form = await (await app.request(`/comment?t=${t}`)).text();
    expect(form).toContain(`<option value="${other}">…0043</option>`);
    expect((await post({ t, body: 'Hồ sơ khác', dossier: '000.00.12.H26-261201-9999' })).status).toBe(400);
    expect((await post({ t, body: 'Hồ sơ thứ hai chậm', dossier: other })).status).toBe(201);
    expect((await stored()).at(-1)).toMatchObject({ dossierId: other });
  });

  it('counts poster comments per address, but not comments with a valid visit code', async () => {
    app = appWith(2);
    expect((await post({ unit: 'trung-van', body: 'Góp ý chung' })).status).toBe(201);
    expect((await post({ t: 'not-a-code', body: 'Góp ý giả' })).status).toBe(400);
    // Citizens behind the centre's one Wi-Fi address: each has their own code.
    for (let i = 0; i < 4; i++)
      expect((await post({ t: code(claim()), body: `Góp ý số ${i}` })).status).toBe(201);
    const res = await post({ unit: 'trung-van', body: 'Góp ý chung nữa' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
