import { generateKeyPairSync } from 'node:crypto';
import { CounterSettings, PairingClaimResponse } from '@onestop/protocol';
import { schema, setDeviceConfig, trustReleaseKey } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, seedPeople } from '../access/fixture.js';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';

const vi = translator('vi');
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const MAX_FAILURES = 7;

describe('pairing a board from the dashboard', () => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let cookies: Record<Account, string>;
  const registry = new Registry();

  beforeAll(async () => {
    store = await openTestStore('pglite');
    ({ cookies } = await seedPeople(store.db));
    const logger = pino({ level: 'silent' });
    app = createDashboardApp({
      db: store.db,
      registry,
      logger,
      feed: new LiveRatingFeed(store, logger),
      pairing: { brokerUrls: (host) => [`mqtts://${host}:8883`], caCertificate: CA },
      maxPairingFailures: MAX_FAILURES,
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  const addDevice = (who: Account, fields: Record<string, string>, origin = 'http://localhost') =>
    app.request('/devices/add', {
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${cookies[who]}`,
        origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields),
    });
  /** A board's claim, from `address` (the test request has no socket: X-Forwarded-For is ignored). */
  const claim = (body: unknown, host = 'centre.local') =>
    app.request(`http://${host}/api/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const issue = async (counterId: string) => {
    const res = await addDevice('tech', { unitId: 'trung-van', counterId });
    expect(res.status).toBe(200);
    const html = await res.text();
    const code = /data-testid="pairing-code"><strong>([^<]+)</.exec(html)?.[1];
    const deviceId = /data-testid="device-id">([^<]+)</.exec(html)?.[1];
    if (!code || !deviceId) throw new Error(`no code on the page: ${html.slice(0, 500)}`);
    return { html, code, deviceId };
  };
  const metric = async (result: string) =>
    (await registry.getSingleMetric('onestop_pairing_claims_total')?.get())?.values.find(
      (v) => v.labels.result === result,
    )?.value ?? 0;

  it('offers "Add device" to technicians and the city, not to ward leaders', async () => {
    const get = (who: Account) =>
      app.request('/devices/add', { headers: { cookie: `${SESSION_COOKIE}=${cookies[who]}` } });
    expect((await get('tech')).status).toBe(200);
    expect((await get('city')).status).toBe(200);
    expect((await get('lead.tv')).status).toBe(403);
    expect((await addDevice('lead.tv', { unitId: 'trung-van', counterId: 'q07' })).status).toBe(403);
    const devicesPage = async (who: Account) =>
      (await app.request('/devices', { headers: { cookie: `${SESSION_COOKIE}=${cookies[who]}` } })).text();
    expect(await devicesPage('tech')).toContain('href="/devices/add"');
    expect(await devicesPage('lead.tv')).not.toContain('href="/devices/add"');
    const rows = await store.db.select().from(schema.devices).where(eq(schema.devices.counterId, 'q07'));
    expect(rows).toEqual([]);
  });

  it('refuses a cross-site form', async () => {
    expect(
      (await addDevice('tech', { unitId: 'trung-van', counterId: 'q08' }, 'https://evil.example')).status,
    ).toBe(403);
  });

  it('shows a code and its QR once, never a password; the board claims its credentials', async () => {
    // The centre's trusted release keys go to the board: it installs only what they signed.
    const { publicKey } = generateKeyPairSync('ed25519');
    const releaseKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await trustReleaseKey(store.db, { publicPem: releaseKey, name: 'ci', actor: 'test' });
    const { html, code, deviceId } = await issue('q01');
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(html).toContain('<svg');
    expect(html).toContain(`agent pair ${code} --centre http://localhost`);
    expect(html).not.toMatch(/password|mật khẩu:/i);

    const res = await claim({ code });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown> & { mqtt: Record<string, unknown> };
    expect(body).toMatchObject({
      deviceId,
      unitId: 'trung-van',
      counterId: 'q01',
      mqtt: { urls: ['mqtts://centre.local:8883'], username: `dev-${deviceId}` },
      caCertificate: CA,
      settings: null,
      releaseKeys: [releaseKey],
    });
    expect(String(body.mqtt.password).length).toBeGreaterThan(20);
    // The page never shows it, and a second claim does not get it.
    expect(html).not.toContain(String(body.mqtt.password));
    const again = await claim({ code });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      reason: 'claimed',
      message: expect.stringMatching(/used already/),
    });
    expect(await metric('paired')).toBe(1);
    expect(await metric('claimed')).toBe(1);
  });

  it('answers with the stored settings sparse: an older board refuses no default it does not know', async () => {
    const { code, deviceId } = await issue('q07');
    await setDeviceConfig(store.db, { deviceId, settings: { ratingTimeoutMs: 25_000 }, actor: 'test' });
    const res = await claim({ code });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { settings: Record<string, unknown> };
    // What was set, and the unit's roster (the centre's own); no default goes out.
    expect(Object.keys(body.settings).sort()).toEqual(['officers', 'ratingTimeoutMs']);
    expect(body.settings.ratingTimeoutMs).toBe(25_000);
    // An older board's strict contract, which knows no `undoWindowMs`, takes it all the same.
    const older = PairingClaimResponse.extend({
      settings: CounterSettings.omit({ undoWindowMs: true }).nullable(),
    });
    expect(older.safeParse(body).success).toBe(true);
    // And the board's own contract fills the defaults in: it runs exactly the stored settings.
    expect(PairingClaimResponse.parse(body).settings).toEqual(CounterSettings.parse(body.settings));
    expect(PairingClaimResponse.parse(body).settings).toMatchObject({ undoWindowMs: 5_000 });
  });

  it('issues a new code for an existing device, to technicians only', async () => {
    const { deviceId } = await issue('q09');
    const again = (who: Account, id: string) =>
      app.request('/devices/pair-again', {
        method: 'POST',
        headers: {
          cookie: `${SESSION_COOKIE}=${cookies[who]}`,
          origin: 'http://localhost',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ deviceId: id }),
      });
    expect((await again('lead.tv', deviceId)).status).toBe(403);
    const res = await again('tech', deviceId);
    expect(res.status).toBe(200);
    const code = /data-testid="pairing-code"><strong>([^<]+)</.exec(await res.text())?.[1];
    const claimed = await claim({ code });
    expect(claimed.status).toBe(200);
    expect(await claimed.json()).toMatchObject({ deviceId, counterId: 'q09' });
    const unknown = await again('tech', 'nobody');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain(vi('pairingNoDevice'));
    expect(await (await again('tech', 'Bad Id')).text()).toContain(vi('pairingBadDeviceId'));
  });

  it('refuses an expired code, a revoked device, a wrong and a malformed code, each counted', async () => {
    const expired = await issue('q02');
    await store.db
      .update(schema.pairingCodes)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(schema.pairingCodes.deviceId, expired.deviceId));
    expect((await claim({ code: expired.code })).status).toBe(410);
    const revoked = await issue('q03');
    await store.db
      .update(schema.devices)
      .set({ revokedAt: new Date() })
      .where(eq(schema.devices.id, revoked.deviceId));
    const r = await claim({ code: revoked.code });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ reason: 'revoked' });
    expect((await claim({ code: 'ZZZZ-ZZZZ' })).status).toBe(404);
    expect((await claim({ code: 'not a code' })).status).toBe(400);
    expect((await claim({ code: 'ZZZZ-ZZZZ', extra: 1 })).status).toBe(400);
    for (const reason of ['expired', 'revoked', 'unknown', 'malformed', 'invalid_request'])
      expect(await metric(reason), reason).toBe(1);
  });

  it('throttles an address after its refused claims, even with a right code', async () => {
    // Six refusals above (409, 410, 403, 404, 400, 400) and one more reach the limit.
    expect((await claim({ code: 'YYYY-YYYY' })).status).toBe(404);
    const { code } = await issue('q04');
    const res = await claim({ code });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await metric('throttled')).toBe(1);
  });

  it('explains a wrong form in Vietnamese and keeps what was typed', async () => {
    const bad = await addDevice('tech', { unitId: 'trung-van', counterId: 'Quầy 1' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain(vi('pairingBadCounter'));
    expect(html).toContain('value="Quầy 1"');
    const unknown = await addDevice('tech', { unitId: 'nowhere', counterId: 'q01' });
    expect(await unknown.text()).toContain(vi('pairingUnknownUnit'));
    const minutes = await addDevice('tech', { unitId: 'trung-van', counterId: 'q01', minutes: '0' });
    expect(await minutes.text()).toContain(vi('pairingBadMinutes'));
    await addDevice('tech', { unitId: 'trung-van', counterId: 'q05', deviceId: 'tv-q05' });
    const twice = await addDevice('tech', { unitId: 'trung-van', counterId: 'q05', deviceId: 'tv-q05' });
    expect(await twice.text()).toContain(vi('pairingDeviceExists'));
  });

  it('the QR code opens a page with the command, claiming nothing', async () => {
    const res = await app.request('http://centre.local/pair?code=abcd-efgh');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('agent pair ABCD-EFGH --centre http://centre.local');
    expect((await app.request('/pair?code=%3Cscript%3E')).status).toBe(400);
  });

  it('says so when the server does not know where boards are to connect', async () => {
    const logger = pino({ level: 'silent' });
    const bare = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
    });
    const res = await bare.request('/api/pair', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'ABCD-EFGH' }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining('ONESTOP_MQTT_URL') });
  });
});
