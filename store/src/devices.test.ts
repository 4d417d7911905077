import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAlertChanges, openAlerts } from './alerts.js';
import { verifyDeviceSecret } from './credentials.js';
import {
  findDeviceByUsername,
  listDevices,
  provisionDevice,
  revokeDevice,
  StoreInputError,
} from './devices.js';
import { auditLog } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('devices on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('provisions a device, keeping only a hash of its password', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 'test' });
    expect(d.deviceId).toMatch(/^q01-[0-9a-f]{6}$/);
    const row = await findDeviceByUsername(store.db, d.username);
    expect(row?.passwordHash).not.toContain(d.password);
    expect(await verifyDeviceSecret(d.password, row!.passwordHash)).toBe(true);
    expect(await verifyDeviceSecret(`${d.password}x`, row!.passwordHash)).toBe(false);
    const audit = await store.db.select().from(auditLog).where(eq(auditLog.target, d.deviceId));
    expect(audit.map((a) => a.action)).toEqual(['device.add']);
  });

  it('rejects IDs that cannot be topic levels, naming the flag', async () => {
    await expect(
      provisionDevice(store.db, { unitId: 'Trung Van', counterId: 'q01', actor: 't' }),
    ).rejects.toThrow(StoreInputError);
    await expect(provisionDevice(store.db, { unitId: 'tv', counterId: 'q/1', actor: 't' })).rejects.toThrow(
      /--counter/,
    );
  });

  it('rejects a malformed or duplicate --id with the ID in the message', async () => {
    await expect(
      provisionDevice(store.db, { unitId: 'tv', counterId: 'q03', deviceId: 'a/b', actor: 't' }),
    ).rejects.toThrow(/--id/);
    await provisionDevice(store.db, { unitId: 'tv', counterId: 'q03', deviceId: 'q03-fixed', actor: 't' });
    await expect(
      provisionDevice(store.db, { unitId: 'tv', counterId: 'q03', deviceId: 'q03-fixed', actor: 't' }),
    ).rejects.toThrow("device 'q03-fixed' already exists");
  });

  it('revokes once and lists devices with their state', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 'test' });
    expect(await revokeDevice(store.db, d.deviceId, 'test')).toBe(true);
    expect(await revokeDevice(store.db, d.deviceId, 'test')).toBe(false);
    const list = await listDevices(store.db);
    expect(list.find((x) => x.deviceId === d.deviceId)?.revokedAt).toBeInstanceOf(Date);
  });

  it("closes a revoked device's alerts and opens none for it after", async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q04', actor: 'test' });
    const other = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q05', actor: 'test' });
    await applyAlertChanges(store.db, [
      { deviceId: d.deviceId, kind: 'camera', message: 'camera lost' },
      { deviceId: other.deviceId, kind: 'camera', message: 'camera lost' },
    ]);
    const openOf = async (id: string) =>
      (await openAlerts(store.db, 'trung-van')).filter((a) => a.deviceId === id).map((a) => a.kind);
    expect(await openOf(d.deviceId)).toEqual(['camera']);
    expect(await revokeDevice(store.db, d.deviceId, 'test')).toBe(true);
    expect(await openOf(d.deviceId)).toEqual([]);
    // Cut off by the broker, it goes offline: no fault to fix.
    await applyAlertChanges(store.db, [{ deviceId: d.deviceId, kind: 'offline', message: 'offline' }]);
    expect(await openOf(d.deviceId)).toEqual([]);
    // Another device's alert stays as it was.
    expect(await openOf(other.deviceId)).toEqual(['camera']);
  });
});
