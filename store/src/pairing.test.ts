import { normalisePairingCode, PAIRING_ALPHABET } from '@onestop/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDeviceSecret } from './credentials.js';
import { setDeviceConfig } from './device-config.js';
import { findDeviceByUsername, revokeDevice, StoreInputError } from './devices.js';
import { claimPairingCode, issuePairingCode, reissuePairingCode } from './pairing.js';
import { auditLog, pairingCodes } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe('pairing codes as typed', () => {
  it('reads a code back in any case, with or without its dash and spaces', () => {
    expect(normalisePairingCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(normalisePairingCode(' AB CD EF GH ')).toBe('ABCDEFGH');
  });

  it('refuses what cannot be a code before any lookup', () => {
    for (const bad of ['', 'ABCD-EFG', 'ABCD-EFGHJ', 'ABCD-EFG0', 'ABCD-EFGI', 'A'.repeat(40), 'ABCD/EFGH'])
      expect(normalisePairingCode(bad), bad).toBeNull();
  });

  it('uses no character a technician could misread', () => {
    for (const ch of '01OILUV') expect(PAIRING_ALPHABET).not.toContain(ch);
  });
});

describe.each(STORE_BACKENDS)('pairing on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  const issue = (counterId: string, ttlMinutes?: number) =>
    issuePairingCode(store.db, { unitId: 'trung-van', counterId, actor: 'test', ttlMinutes });

  it('issues a code that a board claims once, for a fresh password and the stored settings', async () => {
    const issued = await issue('q01');
    expect(issued.code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(issued.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    // Stored as a hash only.
    const [row] = await store.db
      .select()
      .from(pairingCodes)
      .where(eq(pairingCodes.deviceId, issued.deviceId));
    expect(row?.codeHash).not.toContain(issued.code.replace('-', ''));
    await setDeviceConfig(store.db, {
      deviceId: issued.deviceId,
      settings: { ratingTimeoutMs: 25_000 },
      actor: 't',
    });

    const claim = await claimPairingCode(store.db, { code: issued.code.toLowerCase(), address: '10.0.0.7' });
    if (!claim.ok) throw new Error(claim.reason);
    expect(claim.device).toMatchObject({ deviceId: issued.deviceId, unitId: 'trung-van', counterId: 'q01' });
    expect(claim.device.settings?.ratingTimeoutMs).toBe(25_000);
    const device = await findDeviceByUsername(store.db, claim.device.username);
    expect(await verifyDeviceSecret(claim.device.password, device!.passwordHash)).toBe(true);

    expect(await claimPairingCode(store.db, { code: issued.code, address: '10.0.0.8' })).toEqual({
      ok: false,
      reason: 'claimed',
    });
    const [after] = await store.db
      .select()
      .from(pairingCodes)
      .where(eq(pairingCodes.deviceId, issued.deviceId));
    expect(after).toMatchObject({ claimedFrom: '10.0.0.7', refusedClaims: 1 });
    const audit = await store.db.select().from(auditLog).where(eq(auditLog.target, issued.deviceId));
    expect(audit.map((a) => a.action).filter((a) => a.startsWith('device.'))).toEqual([
      'device.add',
      'device.pair.issue',
      'device.pair',
      'device.pair.refused',
    ]);
  });

  it('refuses expired, revoked, unknown and malformed codes, each by its name', async () => {
    const expired = await issue('q02');
    await store.db
      .update(pairingCodes)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(pairingCodes.deviceId, expired.deviceId));
    expect(await claimPairingCode(store.db, { code: expired.code, address: 'a' })).toEqual({
      ok: false,
      reason: 'expired',
    });

    const revoked = await issue('q03');
    await revokeDevice(store.db, revoked.deviceId, 'test');
    expect(await claimPairingCode(store.db, { code: revoked.code, address: 'a' })).toEqual({
      ok: false,
      reason: 'revoked',
    });

    expect(await claimPairingCode(store.db, { code: 'ZZZZ-ZZZZ', address: 'a' })).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await claimPairingCode(store.db, { code: 'hello', address: 'a' })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('a device that is never claimed cannot log in: its first password was never shown', async () => {
    const issued = await issue('q04');
    const device = await findDeviceByUsername(store.db, `dev-${issued.deviceId}`);
    expect(device?.passwordHash).toMatch(/^sha256\$/);
    expect(await verifyDeviceSecret('', device!.passwordHash)).toBe(false);
  });

  it('refuses an expiry outside 1 minute to a day', async () => {
    await expect(issue('q05', 0)).rejects.toThrow(StoreInputError);
    await expect(issue('q05', 24 * 60 + 1)).rejects.toThrow(/--expires/);
  });

  it('a new code for a device voids its unclaimed one; once claimed, the old password stops working', async () => {
    const first = await issue('q06');
    const firstClaim = await claimPairingCode(store.db, { code: first.code, address: 'a' });
    if (!firstClaim.ok) throw new Error(firstClaim.reason);
    const second = await reissuePairingCode(store.db, { deviceId: first.deviceId, actor: 'test' });
    const third = await reissuePairingCode(store.db, { deviceId: first.deviceId, actor: 'test' });
    expect(third).toMatchObject({ deviceId: first.deviceId, unitId: 'trung-van', counterId: 'q06' });
    expect(await claimPairingCode(store.db, { code: second.code, address: 'a' })).toEqual({
      ok: false,
      reason: 'expired',
    });
    const claim = await claimPairingCode(store.db, { code: third.code, address: 'a' });
    if (!claim.ok) throw new Error(claim.reason);
    const device = await findDeviceByUsername(store.db, claim.device.username);
    expect(await verifyDeviceSecret(claim.device.password, device!.passwordHash)).toBe(true);
    expect(await verifyDeviceSecret(firstClaim.device.password, device!.passwordHash)).toBe(false);
  });

  it('refuses a new code for a revoked or unknown device', async () => {
    const issued = await issue('q07');
    await revokeDevice(store.db, issued.deviceId, 'test');
    await expect(reissuePairingCode(store.db, { deviceId: issued.deviceId, actor: 't' })).rejects.toThrow(
      /no active device/,
    );
    await expect(reissuePairingCode(store.db, { deviceId: 'nobody', actor: 't' })).rejects.toThrow(
      StoreInputError,
    );
  });
});
