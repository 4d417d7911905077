import {
  openStaffSession,
  provisionDevice,
  recentCommands,
  saveOfficer,
  setDeviceConfig,
} from '@onestop/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, peopleSuite } from '../../access/fixture.js';
import { SESSION_COOKIE } from '../../auth/access.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const ORIGIN = { origin: 'http://localhost' };

describe('device actions: post/redirect/get, confirmation, badge IDs', () => {
  const { ctx, as } = peopleSuite('pglite', NOW);
  let tv = '';
  let ka = '';
  beforeAll(async () => {
    tv = (await provisionDevice(ctx.store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
    ka = (await provisionDevice(ctx.store.db, { unitId: 'kim-anh', counterId: 'q01', actor: 't' })).deviceId;
    await saveOfficer(ctx.store.db, {
      unitId: 'trung-van',
      officerId: 'cb-ha',
      name: 'Lê Thu Hà',
      badge: 'B-7731',
      actor: 't',
    });
    await setDeviceConfig(ctx.store.db, { deviceId: tv, settings: {}, actor: 't' });
  });
  const post = (who: Account, path: string, form: Record<string, string>, origin = ORIGIN) =>
    ctx.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.tokens[who]}`, ...origin },
      body: new URLSearchParams(form),
    });

  it('redirects after a command, and reloading the page queues nothing more', async () => {
    const res = await post('tech', `/devices/${tv}/commands`, { name: 'self-test' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/devices/${tv}\\?queued=[0-9a-f-]{36}$`));
    const first = await (await as('tech', location)).text();
    expect(first).toContain('data-testid="notice">Đã xếp lệnh');
    await as('tech', location);
    expect((await recentCommands(ctx.store.db, tv)).filter((c) => c.name === 'self-test')).toHaveLength(1);
  });

  it('shows no notice for a command of another device or a version not stored', async () => {
    const [cmd] = await recentCommands(ctx.store.db, tv);
    expect(await (await as('tech', `/devices/${ka}?queued=${cmd!.cmdId}`)).text()).not.toContain(
      'data-testid="notice"',
    );
    expect(await (await as('tech', `/devices/${tv}?saved=99`)).text()).not.toContain('data-testid="notice"');
  });

  it('refuses restart without the confirmation, and queues it with it', async () => {
    const before = (await recentCommands(ctx.store.db, tv)).length;
    const refused = await post('tech', `/devices/${tv}/commands`, { name: 'restart' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Lệnh này cần xác nhận');
    expect(await recentCommands(ctx.store.db, tv)).toHaveLength(before);
    const page = await (await as('tech', `/devices/${tv}`)).text();
    expect(page).toMatch(/data-testid="confirm-restart"[\s\S]*name="confirm" value="yes"/);
    const ok = await post('tech', `/devices/${tv}/commands`, { name: 'restart', confirm: 'yes' });
    expect(ok.status).toBe(303);
    expect((await recentCommands(ctx.store.db, tv))[0]?.name).toBe('restart');
  });

  it('refuses a command from a ward leader, and a forged cross-site form', async () => {
    const before = (await recentCommands(ctx.store.db, tv)).length;
    expect((await post('lead.tv', `/devices/${tv}/commands`, { name: 'self-test' })).status).toBe(403);
    expect((await post('lead.ka', `/devices/${tv}/commands`, { name: 'self-test' })).status).toBe(403);
    const cookie = (await openStaffSession(ctx.store.db, 'tech', 'browser')).token;
    const forged = await ctx.app.request(`/devices/${tv}/commands`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', cookie: `${SESSION_COOKIE}=${cookie}` },
      body: new URLSearchParams({ name: 'restart', confirm: 'yes' }),
    });
    expect(forged.status).toBe(403);
    expect(await recentCommands(ctx.store.db, tv)).toHaveLength(before);
  });

  it('shows badge IDs to the unit’s leader only', async () => {
    const seen = async (who: Account, path: string) =>
      (await (await as(who, path)).text()).includes('B-7731');
    expect(await seen('lead.tv', `/devices/${tv}`)).toBe(true);
    expect(await seen('tech', `/devices/${tv}`)).toBe(false);
    expect(await seen('city', `/devices/${tv}`)).toBe(false);
    expect(await seen('lead.tv', '/units/trung-van/roster')).toBe(true);
    expect(await seen('city', '/units/trung-van/roster')).toBe(false);
    expect(await seen('city', '/audit')).toBe(false);
  });
});
