import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseDownloadPath } from '@onestop/protocol';
import { createBundle, generateReleaseKeyPair } from '@onestop/release';
import {
  getRollout,
  listReleases,
  listRollouts,
  type ProvisionedDevice,
  provisionDevice,
  recentAudit,
  recordUpdateStatus,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, seedPeople } from '../access/fixture.js';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { LiveRatingFeed } from '../live/feed.js';
import { PdfRenderer } from '../reports/pdf.js';
import { releaseDownloadRoutes } from './download.js';
import { publishReleaseFile } from './publish.js';

const ORIGIN = 'http://localhost';

/** Publishing, the rollout console and the boards' download, through the whole app. */
describe('releases and rollouts in the dashboard', () => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let registry: Registry;
  let cookies: Record<Account, string>;
  let tokens: Record<Account, string>;
  let dir: string;
  let bundle: Buffer;
  let tampered: Buffer;
  let boardA: ProvisionedDevice;
  let boardA2: ProvisionedDevice;
  let boardB: ProvisionedDevice;
  const keys = generateReleaseKeyPair();

  beforeAll(async () => {
    store = await openTestStore('pglite');
    ({ cookies, tokens } = await seedPeople(store.db));
    boardA = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 'test' });
    boardA2 = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 'test' });
    boardB = await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q01', actor: 'test' });
    dir = await mkdtemp(join(tmpdir(), 'releases-'));
    // Incompressible, so the bundle is larger than a read stream's buffer (the HEAD check below).
    await writeFile(join(dir, 'main.js'), `// ${randomBytes(400_000).toString('base64')}\n`);
    await createBundle(
      { version: '1.4.0', components: ['agent'], platform: null, minConfigSchema: 1, models: [] },
      [{ path: 'main.js', from: join(dir, 'main.js') }],
      keys.privatePem,
      join(dir, 'b.tar.gz'),
    );
    bundle = await readFile(join(dir, 'b.tar.gz'));
    tampered = Buffer.from(bundle);
    tampered[40] = (tampered[40] as number) ^ 1;
    const logger = pino({ level: 'silent' });
    registry = new Registry();
    app = createDashboardApp({
      db: store.db,
      notifications: store.notifications,
      registry,
      logger,
      feed: new LiveRatingFeed(store, logger),
      pdf: new PdfRenderer({ executablePath: '/nonexistent/chromium' }),
      releasesDir: join(dir, 'releases'),
      maxReleaseBytes: bundle.length + 10,
    });
  });
  afterAll(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const upload = (who: Account | null, body: Uint8Array) =>
    app.request('/api/releases', {
      method: 'POST',
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        'content-type': 'application/octet-stream',
      },
      body: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    });
  const get = (who: Account | null, path: string) =>
    app.request(path, { headers: who ? { cookie: `${SESSION_COOKIE}=${cookies[who]}` } : {} });
  const post = (who: Account, path: string, form: Record<string, string>, origin = ORIGIN) =>
    app.request(path, {
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${cookies[who]}`,
        origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form),
    });
  const download = (
    creds: { username: string; password: string } | null,
    headers: Record<string, string> = {},
    method = 'GET',
  ) =>
    app.request(releaseDownloadPath('1.4.0'), {
      method,
      headers: {
        ...(creds
          ? {
              authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
            }
          : {}),
        ...headers,
      },
    });
  const counted = async (name: string, result: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels.result === result)?.value ?? 0;

  it('sweeps the temporary files a crash left behind, never an upload in progress', async () => {
    const releasesDir = join(dir, 'releases');
    await mkdir(releasesDir, { recursive: true });
    const old = join(releasesDir, '.incoming-crashed');
    await writeFile(old, 'half a bundle');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(old, twoHoursAgo, twoHoursAgo);
    await writeFile(join(releasesDir, '.incoming-uploading'), 'still coming');
    const outcome = await publishReleaseFile(store.db, join(dir, 'missing.tar.gz'), {
      releasesDir,
      actor: 't',
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'invalid' });
    expect((await readdir(releasesDir)).filter((f) => f.startsWith('.incoming'))).toEqual([
      '.incoming-uploading',
    ]);
    await rm(join(releasesDir, '.incoming-uploading'));
  });

  it('refuses every upload until a key is trusted, then only intact bundles that key signed', async () => {
    const none = await upload('tech', bundle);
    expect(none.status).toBe(422);
    expect(await none.json()).toMatchObject({ error: 'no_trusted_key' });

    // Only technicians and the city may trust a key; a forged cross-site form changes nothing.
    expect(
      (await post('lead.tv', '/devices/releases/keys', { name: 'ci', publicPem: keys.publicPem })).status,
    ).toBe(403);
    expect(
      (
        await post(
          'tech',
          '/devices/releases/keys',
          { name: 'ci', publicPem: keys.publicPem },
          'http://evil.example',
        )
      ).status,
    ).toBe(403);
    const bad = await post('tech', '/devices/releases/keys', { name: 'x', publicPem: 'not a key' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('not a PEM public key');
    const added = await post('tech', '/devices/releases/keys', { name: 'ci', publicPem: keys.publicPem });
    expect(added.status).toBe(303);
    expect(await recentAudit(store.db, 5, 'release.key.add')).toHaveLength(1);

    for (const who of ['lead.tv', 'lan'] as const) expect((await upload(who, bundle)).status).toBe(403);
    expect((await upload(null, bundle)).status).toBe(401);
    const changed = await upload('tech', tampered);
    expect(changed.status).toBe(422);
    expect((await changed.json()) as { message: string }).toMatchObject({ error: 'invalid' });
    const big = await upload('tech', Buffer.concat([bundle, Buffer.alloc(100)]));
    expect(big.status).toBe(413);
    expect((await listReleases(store.db)).length).toBe(0);

    const ok = await upload('tech', bundle);
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ version: '1.4.0', size: bundle.length });
    expect((await upload('city', bundle)).status).toBe(409);
    expect(await counted('onestop_release_uploads_total', 'invalid')).toBe(1);
    expect(await counted('onestop_release_uploads_total', 'published')).toBe(1);
    // Nothing but the one kept bundle is left in the folder (temporary files removed).
    expect((await readdir(join(dir, 'releases'))).filter((f) => f.startsWith('.incoming'))).toEqual([]);
  });

  it('lets only an offered board download, with Range and ETag, and counts refusals', async () => {
    const before = await download(boardA);
    expect(before.status).toBe(403);
    expect(await before.json()).toMatchObject({ error: 'not_offered' });

    // No scope chosen: refused, never a city-wide rollout by a blank field.
    const blank = await post('tech', '/devices/rollouts', {
      version: '1.4.0',
      canary: boardA.deviceId,
    });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('Chọn phạm vi');
    expect(await listRollouts(store.db)).toEqual([]);
    const start = await post('tech', '/devices/rollouts', {
      version: '1.4.0',
      scope: 'unit',
      unitId: 'trung-van',
      canary: boardA.deviceId,
      healthDeadlineS: '120',
    });
    expect(start.status).toBe(303);

    const full = await download(boardA);
    expect(full.status).toBe(200);
    const etag = full.headers.get('etag');
    expect(etag).toMatch(/^"[a-f0-9]{64}"$/);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await full.arrayBuffer()).equals(bundle)).toBe(true);

    // Resuming from the middle gives exactly the rest.
    const mid = Math.floor(bundle.length / 2);
    const rest = await download(boardA, { range: `bytes=${mid}-`, 'if-range': etag! });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${mid}-${bundle.length - 1}/${bundle.length}`);
    expect(Buffer.from(await rest.arrayBuffer()).equals(bundle.subarray(mid))).toBe(true);
    const slice = await download(boardA, { range: 'bytes=10-19' });
    expect(Buffer.from(await slice.arrayBuffer()).equals(bundle.subarray(10, 20))).toBe(true);
    // Past the end: 416 with the size; a resumption of other bytes starts over in full.
    const past = await download(boardA, { range: `bytes=${bundle.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bundle.length}`);
    const stale = await download(boardA, { range: 'bytes=10-', 'if-range': '"0000"' });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();
    // HEAD: the download's headers, no body, and no file left open (a board's resume probe, or a
    // flood of them, must not run the centre out of descriptors).
    const open = () => readdirSync('/proc/self/fd').length;
    const fds = open();
    for (let i = 0; i < 20; i++) {
      const head = await download(boardA, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(bundle.length));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(open()).toBeLessThan(fds + 5);

    expect((await download({ username: boardA.username, password: 'wrong' })).status).toBe(401);
    const anonymous = await download(null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    // A board of the same unit not targeted, and one of another unit: not offered.
    expect((await download(boardA2)).status).toBe(403);
    expect((await download(boardB)).status).toBe(403);
    const unknown = await app.request(releaseDownloadPath('9.9.9'), {
      headers: {
        authorization: `Basic ${Buffer.from(`${boardA.username}:${boardA.password}`).toString('base64')}`,
      },
    });
    // Not offered comes before "no such release": a board learns nothing of other versions.
    expect(unknown.status).toBe(403);
    expect(await counted('onestop_release_downloads_total', 'partial')).toBe(2);
    expect(await counted('onestop_release_downloads_total', 'auth_failed')).toBe(1);
    expect(await counted('onestop_release_downloads_total', 'not_offered')).toBe(4);
    expect(await counted('onestop_release_downloads_total', 'unknown_release')).toBe(0);
    expect(await counted('onestop_release_downloads_total', 'bad_range')).toBe(1);
  });

  it('throttles a failing board by its username, not the boards sharing its address', async () => {
    const routes = releaseDownloadRoutes({
      db: store.db,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      maxFailures: 2,
    });
    const as = (username: string, password: string) =>
      routes.request('/1.4.0/bundle', {
        headers: {
          authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
          'x-forwarded-for': '203.0.113.7',
        },
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await as(boardA2.username, 'misconfigured')).status);
    expect(statuses).toEqual([401, 401, 429]);
    // Its neighbour behind the same address still downloads.
    const neighbour = await as(boardA.username, boardA.password);
    expect(neighbour.status).toBe(200);
    await neighbour.body?.cancel();
  });

  it('shows the rollout to its own ward and the fleet people, with working buttons for editors only', async () => {
    const [r] = await listRollouts(store.db);
    const path = `/devices/rollouts/${r!.id}`;
    for (const who of ['tech', 'city', 'lead.tv'] as const) expect((await get(who, path)).status).toBe(200);
    expect((await get('lead.ka', path)).status).toBe(404);
    for (const who of ['lan', 'tam'] as const) expect((await get(who, path)).status).toBe(403);
    expect((await get(null, path)).status).toBe(303);
    const tech = await (await get('tech', path)).text();
    expect(tech).toContain('data-testid="rollout-pause"');
    expect(tech).toContain(boardA.deviceId);
    expect(await (await get('lead.tv', path)).text()).not.toContain('data-testid="rollout-actions"');
    // The list: a ward leader sees their unit's rollouts only.
    expect(await (await get('lead.tv', '/devices/releases')).text()).toContain(path);
    expect(await (await get('lead.ka', '/devices/releases')).text()).not.toContain(path);
    expect((await get('lan', '/devices/releases')).status).toBe(403);

    expect((await post('lead.tv', `${path}/pause`, {})).status).toBe(403);
    expect((await post('tech', `${path}/pause`, {}, 'http://evil.example')).status).toBe(403);
    expect((await getRollout(store.db, r!.id))?.state).toBe('active');
    expect((await post('tech', `${path}/pause`, {})).status).toBe(303);
    const refused = await post('tech', `${path}/widen`, { percent: '50' });
    expect(refused.status).toBe(400);
    // Said in Vietnamese, without the CLI's flags.
    expect(await refused.text()).toContain('chỉ mở rộng khi đang chạy (tiếp tục trước)');
    expect((await post('tech', `${path}/resume`, {})).status).toBe(303);
    // Widening waits for a healthy canary.
    expect((await post('city', `${path}/widen`, { percent: '100' })).status).toBe(400);
    await recordUpdateStatus(store.db, boardA.deviceId, {
      v: 1,
      deviceId: boardA.deviceId,
      bootId: '00000000-0000-4000-8000-000000000001',
      ts: Date.now(),
      rolloutId: r!.id,
      version: r!.version,
      running: r!.version,
      state: 'healthy',
      progress: null,
      reason: null,
    });
    expect((await post('city', `${path}/widen`, { percent: '100' })).status).toBe(303);
    expect((await download(boardA2)).status).toBe(200);
    expect((await download(boardB)).status).toBe(403);
    expect((await post('tech', `${path}/withdraw`, {})).status).toBe(303);
    expect((await getRollout(store.db, r!.id))?.state).toBe('withdrawn');
    expect((await download(boardA)).status).toBe(403);
    expect(
      (await post('tech', '/devices/rollouts/00000000-0000-4000-8000-000000000000/pause', {})).status,
    ).toBe(404);
    // The devices table shows the console's entry.
    expect(await (await get('tech', '/devices')).text()).toContain('data-testid="releases-console"');
  });
});
