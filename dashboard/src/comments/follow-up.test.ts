import { addStaffMember, openStaffSession, recentAudit, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { desc, eq } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { fill, translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';
import { signingCounter } from './visit-code.fixture.js';

const logger = pino({ level: 'silent' });
const ORIGIN = { origin: 'http://localhost' };
const CONTACT = '0912 345 678';
const en = translator('en');

describe.each(STORE_BACKENDS)('following comments up, on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let feed: LiveRatingFeed;
  const sessions: Record<string, string> = {};
  const open = (who: string, path: string) =>
    app.request(path, { headers: { cookie: `${SESSION_COOKIE}=${sessions[who]}` } });
  const post = (who: string, path: string, form: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      headers: { ...ORIGIN, cookie: `${SESSION_COOKIE}=${sessions[who]}` },
      body: new URLSearchParams(form),
    });
  const counters: Record<string, Awaited<ReturnType<typeof signingCounter>>> = {};
  /**
   * As the citizen does, through the QR form: the reference from the thank-you page. With an
   * `officer`, the code of a visit that officer served at the unit's counter q01.
   */
  const send = async (unit: string, { officer, ...extra }: Record<string, string> = {}) => {
    const res = await app.request('/comment', {
      method: 'POST',
      headers: ORIGIN,
      body: new URLSearchParams({
        ...(officer ? { t: counters[unit]!.code({ o: officer }) } : { unit }),
        kind: 'complaint',
        body: 'Phải chờ quá lâu',
        contact: CONTACT,
        ...extra,
      }),
    });
    expect(res.status).toBe(201);
    const ref = /data-testid="comment-reference">([^<]+)</.exec(await res.text())?.[1];
    expect(ref).toMatch(/^GY-\d{6}-\d$/);
    const [row] = await store.db.select().from(schema.comments).orderBy(desc(schema.comments.id)).limit(1);
    return { ref: ref!, id: row!.id };
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn' },
      { id: 'kim-anh', name: 'Xã Kim Anh' },
    ]);
    await store.db.insert(schema.officers).values([
      { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
      { id: 'cb-tam', unitId: 'kim-anh', name: 'Phạm Thị Tâm' },
    ]);
    for (const [username, role, unitId, officerId] of [
      ['city', 'city', null, null],
      ['lead.tv', 'ward', 'trung-van', null],
      ['lead.ka', 'ward', 'kim-anh', null],
      ['tech', 'technician', null, null],
      ['lan', 'officer', 'trung-van', 'cb-lan'],
    ] as const) {
      await addStaffMember(store.db, { username, role, unitId, officerId, actor: 'test' });
      sessions[username] = (await openStaffSession(store.db, username, 'browser')).token;
    }
    for (const unitId of ['trung-van', 'kim-anh'])
      counters[unitId] = await signingCounter(store.db, {
        deviceId: `dev-${unitId}`,
        unitId,
        counterId: 'q01',
      });
    feed = new LiveRatingFeed(store, logger);
    app = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed,
      commentLimits: { perAddress: 100, windowMs: 60_000 },
    });
  });
  afterAll(async () => {
    feed.stop();
    await store?.close();
  });

  it('gives the citizen a reference that the leader finds the comment by', async () => {
    const { ref } = await send('trung-van', { officer: 'cb-lan' });
    const page = await (
      await open('lead.tv', `/units/trung-van/comments?ref=${encodeURIComponent(ref)}`)
    ).text();
    expect(page).toContain(`data-comment="${ref}"`);
    expect(page.match(/data-comment="/g)).toHaveLength(1);
    // The officer by name (on this unit's roster), the kind kept.
    expect(page).toContain('Nguyễn Thị Lan');
    expect(page).toContain('<b>Góp ý / Phản ánh</b>');
    // A typo in the reference finds nothing, never a neighbour's comment.
    const typo = ref.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    const none = await (
      await open('lead.tv', `/units/trung-van/comments?ref=${encodeURIComponent(typo)}`)
    ).text();
    expect(none).toContain('data-testid="comments-empty"');
  });

  it("shows the citizen's contact to the unit's leader only; the city follows up without it", async () => {
    await send('trung-van');
    for (const path of ['/units/trung-van', '/units/trung-van/comments']) {
      const res = await open('lead.tv', path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(CONTACT);
      const city = await open('city', path);
      expect(city.status).toBe(200);
      const page = await city.text();
      expect(page).not.toContain(CONTACT);
      expect(page).toContain('/follow-up"');
    }
    for (const who of ['tech', 'lan', 'lead.ka'])
      for (const path of ['/units/trung-van', '/units/trung-van/comments']) {
        const res = await open(who, path);
        expect(res.status).toBe(403);
        expect(await res.text()).not.toContain(CONTACT);
      }
  });

  it('marks a comment handled: state, who, when, and the audit log in words', async () => {
    const { id, ref } = await send('trung-van');
    const before = Date.now();
    const res = await post('lead.tv', `/units/trung-van/comments/${id}/follow-up`, { status: 'handled' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/units/trung-van/comments');
    const [row] = await store.db.select().from(schema.comments).where(eq(schema.comments.id, id));
    expect(row).toMatchObject({ status: 'handled', handledBy: 'lead.tv', reply: null });
    expect(row!.handledAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const page = await (await open('lead.tv', `/units/trung-van/comments?ref=${ref}`)).text();
    expect(page).toContain('data-status="handled"');
    expect(page).toMatch(/data-testid="comment-handled">lead\.tv · /);
    const [entry] = await recentAudit(store.db, 1, 'comment.follow-up');
    expect(entry).toMatchObject({
      actor: 'dashboard:lead.tv',
      target: ref,
      details: { from: 'new', to: 'handled' },
    });
    const audit = await (await open('city', '/audit')).text();
    expect(audit).toContain('Xử lý góp ý của người dân');
    expect(await (await open('city', '/audit?lang=en')).text()).toContain(
      'Citizen&#39;s comment followed up',
    );
    // Marked once: a second "handled" is refused in words, a reply still goes through.
    const again = await post('lead.tv', `/units/trung-van/comments/${id}/follow-up`, { status: 'handled' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('không thể chuyển lại');
    const noReply = await post('lead.tv', `/units/trung-van/comments/${id}/follow-up`, { status: 'replied' });
    expect(noReply.status).toBe(400);
    const replied = await post('city', `/units/trung-van/comments/${id}/follow-up`, {
      status: 'replied',
      reply: 'Đã gọi lại cho người dân',
    });
    expect(replied.status).toBe(303);
    const [after] = await store.db.select().from(schema.comments).where(eq(schema.comments.id, id));
    expect(after).toMatchObject({ status: 'replied', handledBy: 'city', reply: 'Đã gọi lại cho người dân' });
  });

  it("refuses another ward's leader, technicians and officers; 404 for a comment of another unit", async () => {
    const { id } = await send('trung-van');
    const path = `/units/trung-van/comments/${id}/follow-up`;
    const foreign = await post('lead.ka', path, { status: 'handled' });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('Đơn vị này thuộc phường, xã khác');
    expect((await post('tech', path, { status: 'handled' })).status).toBe(403);
    expect((await post('lan', path, { status: 'handled' })).status).toBe(403);
    // Kim Anh's leader naming the comment under their own unit reaches nothing.
    expect(
      (await post('lead.ka', `/units/kim-anh/comments/${id}/follow-up`, { status: 'handled' })).status,
    ).toBe(404);
    expect((await post('lead.tv', path, { status: 'closed' })).status).toBe(400);
    const [row] = await store.db.select().from(schema.comments).where(eq(schema.comments.id, id));
    expect(row!.status).toBe('new');
    // A cross-site form post never gets that far.
    const csrf = await app.request(path, {
      method: 'POST',
      headers: { origin: 'http://evil.example', cookie: `${SESSION_COOKIE}=${sessions['lead.tv']}` },
      body: new URLSearchParams({ status: 'handled' }),
    });
    expect(csrf.status).toBe(403);
  });

  it("shows the ward leader a badge with the unit's new comments only", async () => {
    const badge = async (who: string) => {
      const page = await (await open(who, '/cach-tinh')).text();
      return Number(/data-testid="new-comments"[^>]*>(\d+)/.exec(page)?.[1] ?? 0);
    };
    const newOf = async (unitId: string) =>
      (await store.db.select().from(schema.comments).where(eq(schema.comments.unitId, unitId))).filter(
        (c) => c.status === 'new',
      ).length;
    await send('kim-anh');
    await send('kim-anh');
    const { id } = await send('trung-van');
    expect(await badge('lead.tv')).toBe(await newOf('trung-van'));
    expect(await badge('lead.ka')).toBe(await newOf('kim-anh'));
    expect(await badge('lead.ka')).toBeGreaterThanOrEqual(2);
    const tv = await badge('lead.tv');
    await post('lead.tv', `/units/trung-van/comments/${id}/follow-up`, { status: 'handled' });
    expect(await badge('lead.tv')).toBe(tv - 1);
    // Only ward leaders carry the badge.
    expect(await badge('city')).toBe(0);
  });
  it('pages the comment list and says how much it shows, never stopping silently', async () => {
    // A unit of its own, so that the count is exactly what this test sends.
    await store.db.insert(schema.units).values({ id: 'my-dinh', name: 'Phường Mỹ Đình' });
    await addStaffMember(store.db, { username: 'lead.md', role: 'ward', unitId: 'my-dinh', actor: 'test' });
    sessions['lead.md'] = (await openStaffSession(store.db, 'lead.md', 'browser')).token;
    const refs: string[] = [];
    for (let i = 0; i < 53; i++) refs.push((await send('my-dinh')).ref);
    const first = await (await open('lead.md', '/units/my-dinh/comments?lang=en')).text();
    expect(first.match(/data-comment="/g)).toHaveLength(50);
    expect(first).toContain(fill(en('shownOf'), { from: 1, to: 50, total: 53 }));
    // Newest first: the last one sent is on the first page, the first one sent on the second.
    expect(first).toContain(`data-comment="${refs[52]}"`);
    const second = await (await open('lead.md', '/units/my-dinh/comments?page=2&lang=en')).text();
    expect(second.match(/data-comment="/g)).toHaveLength(3);
    expect(second).toContain(fill(en('shownOf'), { from: 51, to: 53, total: 53 }));
    expect(second).toContain(`data-comment="${refs[0]}"`);
    expect((await open('lead.md', '/units/my-dinh/comments?page=0')).status).toBe(400);
  });

  it('lists only the comments in the state asked, with the total of that state', async () => {
    await store.db.insert(schema.units).values({ id: 'tay-mo', name: 'Phường Tây Mỗ' });
    await addStaffMember(store.db, { username: 'lead.tm', role: 'ward', unitId: 'tay-mo', actor: 'test' });
    sessions['lead.tm'] = (await openStaffSession(store.db, 'lead.tm', 'browser')).token;
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await send('tay-mo'));
    await post('lead.tm', `/units/tay-mo/comments/${sent[0]!.id}/follow-up`, { status: 'handled' });
    await post('lead.tm', `/units/tay-mo/comments/${sent[1]!.id}/follow-up`, {
      status: 'replied',
      reply: 'Đã gọi lại',
    });
    const shown = async (query: string) => {
      const page = await (await open('lead.tm', `/units/tay-mo/comments?lang=en${query}`)).text();
      return { refs: [...page.matchAll(/data-comment="([^"]+)"/g)].map((m) => m[1]), page };
    };
    const fresh = await shown('&state=new');
    expect(fresh.refs.sort()).toEqual([sent[2]!.ref, sent[3]!.ref].sort());
    expect(fresh.page).toContain(fill(en('shownOf'), { from: 1, to: 2, total: 2 }));
    expect((await shown('&state=handled')).refs).toEqual([sent[0]!.ref]);
    expect((await shown('&state=replied')).refs).toEqual([sent[1]!.ref]);
    expect((await shown('')).refs).toHaveLength(4);
    // The menu's link takes a leader with new comments straight to them.
    expect(await (await open('lead.tm', '/cach-tinh')).text()).toContain('/units/tay-mo/comments?state=new');
    expect((await open('lead.tm', '/units/tay-mo/comments?state=lost')).status).toBe(400);
  });
});
