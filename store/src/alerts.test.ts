import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAlert } from './alert-lifecycle.js';
import { applyAlertChanges, openAlertCounts, openAlerts } from './alerts.js';
import { provisionDevice } from './devices.js';
import { alerts } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('device alerts on %s', (backend) => {
  let store: TestStore;
  let a = '';
  let b = '';
  beforeAll(async () => {
    store = await openTestStore(backend);
    a = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' })).deviceId;
    b = (await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q01', actor: 't' })).deviceId;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('opens one alert per device and kind however often it is raised, in the device’s unit', async () => {
    await applyAlertChanges(store.db, [
      { deviceId: a, kind: 'offline', message: 'no heartbeat' },
      { deviceId: b, kind: 'camera_error', message: 'camera: /dev/video0 missing' },
    ]);
    await applyAlertChanges(store.db, [{ deviceId: a, kind: 'offline', message: 'again' }]);
    const open = await openAlerts(store.db, null);
    expect(open.map((x) => [x.deviceId, x.kind, x.unitId])).toEqual(
      expect.arrayContaining([
        [a, 'offline', 'trung-van'],
        [b, 'camera_error', 'kim-anh'],
      ]),
    );
    expect(open).toHaveLength(2);
    expect((await openAlerts(store.db, 'kim-anh')).map((x) => x.deviceId)).toEqual([b]);
    // Unknown devices raise nothing: the unit must come from the devices table.
    await applyAlertChanges(store.db, [{ deviceId: 'ghost', kind: 'offline', message: 'x' }]);
    expect(await openAlerts(store.db, null)).toHaveLength(2);
  });

  it('opens anew when a condition the broker still reports was cleared by hand', async () => {
    const raise = () =>
      applyAlertChanges(store.db, [{ deviceId: b, kind: 'overheating', message: 'CPU 82 °C' }]);
    await raise();
    const [first] = (await openAlerts(store.db, 'kim-anh')).filter((x) => x.kind === 'overheating');
    await clearAlert(store.db, { alertId: first!.id, actor: 'tech', comment: 'fan cleaned' });
    // The broker's tracker says the condition again with the next telemetry.
    await raise();
    const [again] = (await openAlerts(store.db, 'kim-anh')).filter((x) => x.kind === 'overheating');
    expect(again?.id).not.toBe(first!.id);
    await applyAlertChanges(store.db, [{ deviceId: b, kind: 'overheating', message: null }]);
  });

  it('applies only the last change per device and kind within one batch', async () => {
    await applyAlertChanges(store.db, [
      { deviceId: b, kind: 'offline', message: null },
      { deviceId: b, kind: 'offline', message: 'dropped again' },
    ]);
    expect((await openAlerts(store.db, 'kim-anh')).map((x) => x.kind).sort()).toEqual([
      'camera_error',
      'offline',
    ]);
    await applyAlertChanges(store.db, [{ deviceId: b, kind: 'offline', message: null }]);
  });

  it('resolves, keeps history, and opens a fresh alert when the condition returns', async () => {
    await applyAlertChanges(store.db, [{ deviceId: a, kind: 'offline', message: null }]);
    expect((await openAlerts(store.db, 'trung-van')).length).toBe(0);
    await applyAlertChanges(store.db, [{ deviceId: a, kind: 'offline', message: 'dropped again' }]);
    expect((await openAlerts(store.db, 'trung-van')).map((x) => x.message)).toEqual(['dropped again']);
    const all = await store.db.select().from(alerts);
    expect(all.filter((x) => x.deviceId === a)).toHaveLength(2);
    expect(await openAlertCounts(store.db)).toEqual(
      expect.arrayContaining([
        { kind: 'offline', n: 1 },
        { kind: 'camera_error', n: 1 },
      ]),
    );
  });
});
