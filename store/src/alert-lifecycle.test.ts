import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimDueDeliveries,
  ORPHANED_DELIVERY,
  recordDeliveryAttempt,
  setUnitAlertHook,
  unitAlertHookList,
} from './alert-hooks.js';
import {
  acknowledgeAlert,
  alertSteps,
  assignAlert,
  clearAlert,
  commentAlert,
  listAlerts,
} from './alert-lifecycle.js';
import { applyAlertChanges } from './alerts.js';
import { provisionDevice, revokeDevice, StoreInputError } from './devices.js';
import { alertDeliveries, auditLog } from './schema.js';
import { addStaffMember } from './staff.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('alert lifecycle on %s', (backend) => {
  let store: TestStore;
  let a = '';
  let b = '';
  const idOf = async (deviceId: string, kind: string) =>
    (await listAlerts(store.db, { unitId: null, status: 'active' })).find(
      (x) => x.deviceId === deviceId && x.kind === kind,
    )!.id;
  beforeAll(async () => {
    store = await openTestStore(backend);
    a = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' })).deviceId;
    b = (await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q01', actor: 't' })).deviceId;
    await addStaffMember(store.db, {
      username: 'tech.an',
      role: 'technician',
      unitId: null,
      officerId: null,
      actor: 't',
    });
    await addStaffMember(store.db, {
      username: 'lead.tv',
      role: 'ward',
      unitId: 'trung-van',
      officerId: null,
      actor: 't',
    });
    await setUnitAlertHook(store.db, {
      unitId: 'trung-van',
      url: 'https://hooks.example/tv',
      actor: 't',
      allowInternal: false,
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('goes open → acknowledged → cleared by hand, with history and audit', async () => {
    await applyAlertChanges(store.db, [{ deviceId: a, kind: 'camera_error', message: 'camera: gone' }]);
    const id = await idOf(a, 'camera_error');
    expect((await listAlerts(store.db, { unitId: 'trung-van', status: 'open' })).map((x) => x.id)).toContain(
      id,
    );
    await expect(
      acknowledgeAlert(store.db, { alertId: id, actor: 'dashboard:tech.an', comment: ' ' }),
    ).rejects.toThrow(/comment/);
    await acknowledgeAlert(store.db, { alertId: id, actor: 'dashboard:tech.an', comment: 'Đang tới quầy' });
    await expect(acknowledgeAlert(store.db, { alertId: id, actor: 'x', comment: 'again' })).rejects.toThrow(
      StoreInputError,
    );
    await assignAlert(store.db, { alertId: id, actor: 'dashboard:tech.an', assignee: 'tech.an' });
    await expect(assignAlert(store.db, { alertId: id, actor: 'x', assignee: 'lead.tv' })).rejects.toThrow(
      /not an active technician/,
    );
    await commentAlert(store.db, { alertId: id, actor: 'dashboard:tech.an', comment: 'Cáp USB lỏng' });
    const acked = await listAlerts(store.db, { unitId: 'trung-van', status: 'acknowledged' });
    expect(acked.map((x) => [x.id, x.acknowledgedBy, x.assignee])).toEqual([
      [id, 'dashboard:tech.an', 'tech.an'],
    ]);
    await clearAlert(store.db, { alertId: id, actor: 'dashboard:tech.an', comment: 'Đã cắm lại camera' });
    await expect(clearAlert(store.db, { alertId: id, actor: 'x', comment: 'again' })).rejects.toThrow(
      /is cleared/,
    );
    const steps = await alertSteps(store.db, id);
    expect(steps.map((s) => [s.actor, s.action, s.comment])).toEqual([
      ['system', 'opened', 'camera: gone'],
      ['dashboard:tech.an', 'acknowledged', 'Đang tới quầy'],
      ['dashboard:tech.an', 'assigned', 'tech.an'],
      ['dashboard:tech.an', 'commented', 'Cáp USB lỏng'],
      ['dashboard:tech.an', 'cleared', 'Đã cắm lại camera'],
    ]);
    const cleared = await listAlerts(store.db, {
      unitId: 'trung-van',
      status: 'cleared',
      kind: 'camera_error',
    });
    expect(cleared.map((x) => [x.id, x.clearedBy])).toEqual([[id, 'dashboard:tech.an']]);
    const audit = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.target, `alert:${id}`));
    expect(audit.map((x) => x.action).sort()).toEqual([
      'alert.acknowledged',
      'alert.assigned',
      'alert.cleared',
      'alert.commented',
    ]);
  });

  it('clears on its own on recovery and on revocation, written as the system', async () => {
    await applyAlertChanges(store.db, [{ deviceId: a, kind: 'offline', message: 'gone' }]);
    const id = await idOf(a, 'offline');
    await acknowledgeAlert(store.db, { alertId: id, actor: 'dashboard:tech.an', comment: 'Theo dõi' });
    await applyAlertChanges(store.db, [{ deviceId: a, kind: 'offline', message: null }]);
    const steps = await alertSteps(store.db, id);
    expect(steps.at(-1)).toMatchObject({ actor: 'system', action: 'cleared', comment: null });
    await applyAlertChanges(store.db, [{ deviceId: b, kind: 'overheating', message: 'CPU 81 °C' }]);
    const hot = await idOf(b, 'overheating');
    await revokeDevice(store.db, b, 'dashboard:tech.an');
    expect((await alertSteps(store.db, hot)).map((s) => s.action)).toEqual(['opened', 'cleared']);
  });

  it('filters by unit, status and kind', async () => {
    expect((await listAlerts(store.db, { unitId: 'kim-anh' })).every((x) => x.unitId === 'kim-anh')).toBe(
      true,
    );
    expect(
      (await listAlerts(store.db, { unitId: null, kind: 'offline' })).every((x) => x.kind === 'offline'),
    ).toBe(true);
    expect(await listAlerts(store.db, { unitId: 'kim-anh', status: 'active' })).toEqual([]);
  });

  it('queues a hook delivery on open and clear for a unit with a hook only, counts outcomes', async () => {
    const queued = await store.db.select().from(alertDeliveries);
    // trung-van: camera opened + cleared, offline opened + cleared; kim-anh has no hook.
    expect(queued.map((q) => [q.unitId, q.event]).sort()).toEqual([
      ['trung-van', 'cleared'],
      ['trung-van', 'cleared'],
      ['trung-van', 'opened'],
      ['trung-van', 'opened'],
    ]);
    const due = await claimDueDeliveries(store.db);
    expect(due).toHaveLength(4);
    expect(due[0]!.url).toBe('https://hooks.example/tv');
    // Claimed: a second worker gets none of them now.
    expect(await claimDueDeliveries(store.db)).toEqual([]);
    await recordDeliveryAttempt(store.db, due[0]!.id, { ok: true });
    await recordDeliveryAttempt(store.db, due[1]!.id, { ok: false, error: 'HTTP 500', retryInMs: 0 });
    await recordDeliveryAttempt(store.db, due[2]!.id, { ok: false, error: 'HTTP 502', retryInMs: null });
    const [hook] = await unitAlertHookList(store.db, 'trung-van');
    expect(hook).toMatchObject({ delivered: 1, failures: 2, lastError: 'HTTP 502' });
    expect((await claimDueDeliveries(store.db)).map((d) => d.id)).toEqual([due[1]!.id]);
  });

  it('abandons, with a reason, a due delivery whose unit hook was removed, instead of re-leasing it', async () => {
    const open = sql`${alertDeliveries.deliveredAt} is null and ${alertDeliveries.abandonedAt} is null`;
    // Whatever is still queued falls due now (the earlier claims leased it for a minute).
    const left = await store.db
      .update(alertDeliveries)
      .set({ nextAttemptAt: sql`now()` })
      .where(open)
      .returning({ id: alertDeliveries.id });
    expect(left.length).toBeGreaterThan(0);
    await setUnitAlertHook(store.db, { unitId: 'trung-van', url: null, actor: 't', allowInternal: false });
    expect(await claimDueDeliveries(store.db)).toEqual([]);
    expect(await store.db.select().from(alertDeliveries).where(open)).toEqual([]);
    const rows = await store.db
      .select()
      .from(alertDeliveries)
      .where(
        inArray(
          alertDeliveries.id,
          left.map((l) => l.id),
        ),
      );
    for (const row of rows) {
      expect(row).toMatchObject({ lastError: ORPHANED_DELIVERY, deliveredAt: null });
      expect(row.abandonedAt).toBeInstanceOf(Date);
    }
  });

  it('refuses a hook that is not http(s) or points at the centre itself or a private network, unless allowed', async () => {
    const set = (url: string, allowInternal = false) =>
      setUnitAlertHook(store.db, { unitId: 'kim-anh', url, actor: 't', allowInternal });
    await expect(set('ftp://hooks.example/x')).rejects.toThrow(/http/);
    await expect(set('not a url')).rejects.toThrow(/url/);
    for (const local of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://[::1]/x',
      'http://169.254.169.254/',
      // Private networks: the centre's neighbours and containers (Docker's bridge, a LAN admin API).
      'http://10.0.0.5/hook',
      'http://172.17.0.1:2375/containers/x/restart',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[fd00::1]/',
      'http://[::ffff:10.0.0.5]/',
    ])
      await expect(set(local), local).rejects.toThrow(/centre itself or a private network/);
    await set('http://127.0.0.1:9999/relay', true);
    await set('http://10.0.0.5/hook', true);
    expect((await unitAlertHookList(store.db, 'kim-anh'))[0]?.url).toBe('http://10.0.0.5/hook');
    await set('https://hooks.example.vn/onestop');
    expect((await unitAlertHookList(store.db, 'kim-anh'))[0]?.url).toBe('https://hooks.example.vn/onestop');
  });
});
