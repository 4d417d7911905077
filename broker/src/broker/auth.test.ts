import { provision, uniqueUnit } from '@onestop/service/testing';
import {
  findDeviceByUsername,
  hashPassword,
  isCostlyHash,
  type ProvisionedDevice,
  schema,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator, DEFAULT_LOGIN_LIMITS, FailureWindow } from './auth.js';

/**
 * The login throttles against a real store (PGlite) and real scrypt: an attacker must not be able
 * to lock anyone out (issue #8), and must not make the broker hash or remember without bound.
 */
describe('login throttles', () => {
  let store: TestStore;
  const unit = uniqueUnit('auth');
  let n = 0;
  const device = () => provision(store, unit, `a${String(++n).padStart(2, '0')}`);
  /** A device provisioned before generated secrets were kept as SHA-256: its scrypt hash stays until rotated. */
  const scryptDevice = async () => {
    const d = await device();
    await store.db
      .update(schema.devices)
      .set({ passwordHash: await hashPassword(d.password) })
      .where(eq(schema.devices.id, d.deviceId));
    return d;
  };
  const login = (a: Authenticator, d: ProvisionedDevice, from: string, password = d.password) =>
    a.authenticate(d.deviceId, d.username, Buffer.from(password), from);

  beforeAll(async () => {
    store = await openTestStore('pglite');
  });
  afterAll(async () => {
    await store?.close();
  });

  it('lets the ingest in after 100 wrong guesses spread over 10 addresses', async () => {
    const a = new Authenticator(store.db, [{ username: 'svc-ingest', password: 'right', role: 'ingest' }]);
    for (let ip = 0; ip < 10; ip++)
      for (let i = 0; i < 10; i++)
        expect((await a.authenticate('x', 'svc-ingest', Buffer.from('wrong'), `10.0.0.${ip}`)).ok).toBe(
          false,
        );
    const r = await a.authenticate('onestop-ingest', 'svc-ingest', Buffer.from('right'), '10.9.9.9');
    expect(r).toEqual({ ok: true, session: { role: 'ingest', username: 'svc-ingest' } });
    // The guessing addresses themselves stay throttled, even with the right password.
    expect(await a.authenticate('x', 'svc-ingest', Buffer.from('right'), '10.0.0.3')).toEqual({
      ok: false,
      reason: 'throttled',
    });
  });

  it('lets a device whose password is cached in after 100 guesses over 10 addresses', async () => {
    const d = await device();
    const a = new Authenticator(store.db, []);
    expect((await login(a, d, '10.1.0.1')).ok).toBe(true);
    // Wrong guesses against a cached password cost no scrypt, so this is quick.
    for (let ip = 0; ip < 10; ip++)
      for (let i = 0; i < 10; i++)
        expect(await login(a, d, `10.1.1.${ip}`, 'wrong')).toMatchObject({ ok: false });
    expect((await login(a, d, '10.1.2.1')).ok).toBe(true);
  });

  it('past the per-username limit, hashes no more for that username', async () => {
    const d = await scryptDevice();
    const a = new Authenticator(store.db, [], { ...DEFAULT_LOGIN_LIMITS, perUsername: 2 });
    expect(await login(a, d, '10.2.0.1', 'wrong')).toEqual({ ok: false, reason: 'auth_failed' });
    expect(await login(a, d, '10.2.0.2', 'wrong')).toEqual({ ok: false, reason: 'auth_failed' });
    // Not verified yet, and no new scrypt is allowed: refused until the window passes.
    expect(await login(a, d, '10.2.0.3')).toEqual({ ok: false, reason: 'throttled' });
  });

  it('hashes a real device behind a NAT address that failed 30 times for other usernames', async () => {
    const d = await device();
    const a = new Authenticator(store.db, []);
    for (let i = 0; i < 30; i++)
      expect(await a.authenticate('x', `nobody-${i}`, Buffer.from('x'), '10.3.0.1')).toEqual({
        ok: false,
        reason: 'auth_failed',
      });
    // The address gets no more scrypt for unknown usernames...
    expect(await a.authenticate('x', 'nobody-x', Buffer.from('x'), '10.3.0.1')).toEqual({
      ok: false,
      reason: 'throttled',
    });
    // ...but a device never seen before, with a clean record there, is hashed and let in.
    expect((await login(a, d, '10.3.0.1')).ok).toBe(true);
  }, 60_000);

  it('hashes a not-yet-cached device behind a local TLS proxy after 30 bad logins from 127.0.0.1', async () => {
    const d = await device();
    const a = new Authenticator(store.db, []);
    for (let i = 0; i < 30; i++) await a.authenticate('x', `stranger-${i}`, Buffer.from('x'), '127.0.0.1');
    expect((await login(a, d, '127.0.0.1')).ok).toBe(true);
  }, 60_000);

  it('bounds what loopback and capped addresses make it hash by the global scrypt budget', async () => {
    const [d, other] = [await scryptDevice(), await scryptDevice()];
    const a = new Authenticator(store.db, [], {
      ...DEFAULT_LOGIN_LIMITS,
      scryptBudget: { perSecond: 0.001, burst: 1 },
    });
    // Unknown usernames cost what a device provisioned now costs (no scrypt): never budgeted.
    for (let i = 0; i < 5; i++)
      expect(await a.authenticate('x', `stranger-${i}`, Buffer.from('x'), '::1')).toEqual({
        ok: false,
        reason: 'auth_failed',
      });
    expect((await login(a, other, '::1')).ok).toBe(true);
    expect(await login(a, d, '::1')).toEqual({ ok: false, reason: 'throttled' });
    // Without the loopback exemption, the per-address cap applies instead and is not reached.
    const strict = new Authenticator(store.db, [], {
      ...DEFAULT_LOGIN_LIMITS,
      scryptBudget: { perSecond: 0.001, burst: 0 },
      loopbackExempt: false,
    });
    expect((await login(strict, d, '::1')).ok).toBe(true);
  }, 60_000);

  it('checks a generated secret every time, without scrypt, budget or lock-out', async () => {
    const d = await device();
    expect(isCostlyHash((await findDeviceByUsername(store.db, d.username))!.passwordHash)).toBe(false);
    // No scrypt allowed at all, and the username past its limit: a generated secret still passes.
    const a = new Authenticator(store.db, [], {
      ...DEFAULT_LOGIN_LIMITS,
      perUsername: 1,
      scryptBudget: { perSecond: 0.001, burst: 0 },
    });
    expect(await login(a, d, '10.5.0.1', 'wrong')).toEqual({ ok: false, reason: 'auth_failed' });
    for (let i = 0; i < 3; i++) expect((await login(a, d, `10.5.0.${i + 2}`)).ok).toBe(true);
    expect(await login(a, d, '10.5.0.9', 'wrong')).toEqual({ ok: false, reason: 'auth_failed' });
    // A broker restarted under a fleet: every device in at once, none refused `throttled`.
    const restarted = new Authenticator(store.db, [], {
      ...DEFAULT_LOGIN_LIMITS,
      scryptBudget: { perSecond: 0.001, burst: 0 },
    });
    const fleet = await Promise.all(Array.from({ length: 20 }, () => device()));
    const outcomes = await Promise.all(fleet.map((f) => login(restarted, f, '127.0.0.1')));
    expect(outcomes.map((o) => o.ok)).toEqual(fleet.map(() => true));
  });

  it('keeps failure counters bounded however many distinct usernames fail', async () => {
    const a = new Authenticator(store.db, [{ username: 'svc', password: 'right', role: 'ingest' }]);
    // Service accounts cost no scrypt: the quickest way to make many distinct keys.
    for (let i = 0; i < 2_000; i++)
      await a.authenticate('x', 'svc', Buffer.from('wrong'), `10.4.${i >> 8}.${i & 255}`);
    // One per (username, address) and one per address; a service account is not counted per username.
    expect(a.trackedFailures).toBe(4_000);
    const w = new FailureWindow(5, 60_000, 1_000);
    for (let i = 0; i < 60_000; i++) w.fail(`${i}-${'u'.repeat(64)}`, 0);
    expect(w.size).toBeLessThanOrEqual(1_000);
    // The oldest went first: the newest still count.
    expect(w.failed(`59999-${'u'.repeat(64)}`, 1)).toBe(true);
    expect(w.failed(`0-${'u'.repeat(64)}`, 1)).toBe(false);
  });
});
