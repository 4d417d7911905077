import { CounterSettings } from '@onestop/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configsChangedSince, getDeviceConfig, setDeviceConfig } from './device-config.js';
import { provisionDevice, revokeDevice, StoreInputError } from './devices.js';
import { counterConfigs, devices } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('device configs on %s', (backend) => {
  let store: TestStore;
  let a = '';
  let b = '';
  beforeAll(async () => {
    store = await openTestStore(backend);
    a = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' })).deviceId;
    b = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 't' })).deviceId;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores validated settings with a version that rises on every change', async () => {
    const before = new Date(Date.now() - 1);
    const [first] = await setDeviceConfig(store.db, {
      deviceId: a,
      settings: { scale: 'keypad5' },
      actor: 't',
    });
    expect(first).toMatchObject({
      deviceId: a,
      version: 1,
      settings: { scale: 'keypad5', ratingTimeoutMs: 20_000 },
    });
    const [second] = await setDeviceConfig(store.db, {
      deviceId: a,
      settings: { scale: 'keypad3' },
      actor: 't',
    });
    expect(second?.version).toBe(2);
    expect((await getDeviceConfig(store.db, a))?.settings.scale).toBe('keypad3');
    expect(await configsChangedSince(store.db, before)).toEqual([a]);
  });

  it('stores only what differs from the defaults, and reads them back whole', async () => {
    // A broker of an older release parses the row strictly: a default of a setting it does not
    // know would make it refuse the counter's config.
    const c = (await provisionDevice(store.db, { unitId: 'sparse-unit', counterId: 'q09', actor: 't' }))
      .deviceId;
    await setDeviceConfig(store.db, { deviceId: c, settings: { ratingTimeoutMs: 25_000 }, actor: 't' });
    const [row] = await store.db
      .select({ settings: counterConfigs.settings })
      .from(counterConfigs)
      .where(eq(counterConfigs.counterId, 'q09'));
    expect(row?.settings).toEqual({ ratingTimeoutMs: 25_000 });
    expect((await getDeviceConfig(store.db, c))?.settings).toEqual(
      CounterSettings.parse({ ratingTimeoutMs: 25_000 }),
    );
  });

  it('applies to every active device of a unit', async () => {
    const all = await setDeviceConfig(store.db, { unitId: 'trung-van', settings: {}, actor: 't' });
    expect(all.map((c) => [c.deviceId, c.version]).sort()).toEqual(
      [
        [a, 3],
        [b, 1],
      ].sort(),
    );
    await revokeDevice(store.db, b, 't');
    expect(
      (await setDeviceConfig(store.db, { unitId: 'trung-van', settings: {}, actor: 't' })).map(
        (c) => c.deviceId,
      ),
    ).toEqual([a]);
  });

  it('refuses a scale that contradicts the keypad a device reported at birth, naming it', async () => {
    const k = (await provisionDevice(store.db, { unitId: 'dong-da', counterId: 'q01', actor: 't' })).deviceId;
    const other = (await provisionDevice(store.db, { unitId: 'dong-da', counterId: 'q02', actor: 't' }))
      .deviceId;
    // As the broker stores a birth: this board has a 4-key keypad; the other sent no keypad.
    await store.db
      .update(devices)
      .set({ birth: { keypadScale: 'keypad4', capabilities: ['keypad'] } })
      .where(eq(devices.id, k));
    await expect(
      setDeviceConfig(store.db, { deviceId: k, settings: { scale: 'keypad3' }, actor: 't' }),
    ).rejects.toThrow(new RegExp(`scale 'keypad3' contradicts the keypad of ${k} \\(keypad4\\)`));
    await expect(
      setDeviceConfig(store.db, { unitId: 'dong-da', settings: { scale: 'keypad5' }, actor: 't' }),
    ).rejects.toThrow(StoreInputError);
    expect(await getDeviceConfig(store.db, k)).toBeNull();
    // The keypad's own scale is taken; a device without a keypad takes any.
    expect(
      (await setDeviceConfig(store.db, { unitId: 'dong-da', settings: { scale: 'keypad4' }, actor: 't' }))
        .length,
    ).toBe(2);
    expect(
      (await setDeviceConfig(store.db, { deviceId: other, settings: { scale: 'keypad3' }, actor: 't' }))
        .length,
    ).toBe(1);
  });

  it('rejects what a device would reject, naming the field', async () => {
    await expect(
      setDeviceConfig(store.db, { deviceId: a, settings: { ratingTimeoutMs: 10 }, actor: 't' }),
    ).rejects.toThrow(/settings: ratingTimeoutMs: /);
    await expect(
      setDeviceConfig(store.db, { deviceId: a, settings: { colour: 'red' }, actor: 't' }),
    ).rejects.toThrow("unknown field(s) 'colour'");
    await expect(setDeviceConfig(store.db, { deviceId: 'ghost', settings: {}, actor: 't' })).rejects.toThrow(
      StoreInputError,
    );
  });
});
