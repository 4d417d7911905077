import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDeviceConfig, setDeviceConfig } from './device-config.js';
import { provisionDevice, StoreInputError } from './devices.js';
import { retireOfficer, saveOfficer, unitRoster } from './roster.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('officer roster on %s', (backend) => {
  let store: TestStore;
  let device = '';
  beforeAll(async () => {
    store = await openTestStore(backend);
    device = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps names and badges and sends them to the unit’s counters with a new version', async () => {
    await setDeviceConfig(store.db, { deviceId: device, settings: { scale: 'keypad4' }, actor: 't' });
    // A counter still on its own file's settings is left alone (and counted), never reset.
    const onFile = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 't' }))
      .deviceId;
    const first = await saveOfficer(store.db, {
      unitId: 'trung-van',
      officerId: 'cb-lan',
      name: 'Nguyễn Thị Lan',
      badge: '0004512345',
      actor: 't',
    });
    expect(first).toMatchObject({ countersUpdated: 1, countersOnFileSettings: 1 });
    expect(await getDeviceConfig(store.db, onFile)).toBeNull();
    await saveOfficer(store.db, {
      unitId: 'trung-van',
      officerId: 'cb-minh',
      name: 'Trần Văn Minh',
      actor: 't',
    });
    expect(await unitRoster(store.db, 'trung-van')).toEqual([
      { id: 'cb-lan', name: 'Nguyễn Thị Lan', badge: '0004512345' },
      { id: 'cb-minh', name: 'Trần Văn Minh', badge: null },
    ]);
    const config = await getDeviceConfig(store.db, device);
    expect(config?.version).toBe(3);
    expect(config?.settings.officers).toEqual({
      'cb-lan': { name: 'Nguyễn Thị Lan', badge: '0004512345' },
      'cb-minh': { name: 'Trần Văn Minh', badge: null },
    });
  });

  it('keeps the roster when a technician stores new settings', async () => {
    await setDeviceConfig(store.db, { deviceId: device, settings: { scale: 'keypad5' }, actor: 't' });
    const config = await getDeviceConfig(store.db, device);
    expect(config?.settings.scale).toBe('keypad5');
    expect(Object.keys(config?.settings.officers ?? {})).toEqual(['cb-lan', 'cb-minh']);
  });

  it('retires an officer from the devices’ roster and refuses clashes with a reason', async () => {
    expect(await retireOfficer(store.db, 'cb-minh', 't')).toBe(true);
    expect(await retireOfficer(store.db, 'cb-minh', 't')).toBe(false);
    const config = await getDeviceConfig(store.db, device);
    expect(Object.keys(config?.settings.officers ?? {})).toEqual(['cb-lan']);
    expect(config?.settings.scale).toBe('keypad5');
    await expect(
      saveOfficer(store.db, {
        unitId: 'trung-van',
        officerId: 'cb-ha',
        name: 'Lê Thu Hà',
        badge: '0004512345',
        actor: 't',
      }),
    ).rejects.toThrow("badge '0004512345' already belongs to 'cb-lan'");
    await expect(
      saveOfficer(store.db, { unitId: 'kim-anh', officerId: 'cb-lan', name: 'Nguyễn Thị Lan', actor: 't' }),
    ).rejects.toThrow("officer 'cb-lan' is on the roster of 'trung-van'");
    // Retired from one ward, an officer moves to another only by the city's hand.
    await expect(
      saveOfficer(store.db, { unitId: 'kim-anh', officerId: 'cb-minh', name: 'Trần Văn Minh', actor: 't' }),
    ).rejects.toThrow(/a transfer needs the city/);
    await saveOfficer(store.db, {
      unitId: 'kim-anh',
      officerId: 'cb-minh',
      name: 'Trần Văn Minh',
      actor: 't',
      transferFromOtherUnit: true,
    });
    await expect(
      saveOfficer(store.db, { unitId: 'trung-van', officerId: 'bad id', name: 'X', actor: 't' }),
    ).rejects.toThrow(StoreInputError);
  });
});
