import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAlertChanges, openAlerts } from './alerts.js';
import { pendingCommands, requestCommand } from './commands.js';
import { verifyDeviceSecret } from './credentials.js';
import { getDeviceConfig, setDeviceConfig } from './device-config.js';
import { findDeviceByUsername, provisionDevice, revokeDevice, StoreInputError } from './devices.js';
import {
  expireDrains,
  finishDrain,
  replaceDevice,
  restoreDevice,
  rotateDevicePassword,
} from './lifecycle.js';
import { auditLog, deviceCommands, devices } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('device lifecycle on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });
  const actions = async (deviceId: string) =>
    (await store.db.select().from(auditLog).where(eq(auditLog.target, deviceId)).orderBy(auditLog.id)).map(
      (a) => a.action,
    );
  const row = async (id: string) => (await store.db.select().from(devices).where(eq(devices.id, id)))[0]!;

  it('replace keeps the counter’s settings for the new board and leaves the old one draining', async () => {
    const old = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' });
    await setDeviceConfig(store.db, { deviceId: old.deviceId, settings: { scale: 'keypad5' }, actor: 't' });
    await applyAlertChanges(store.db, [{ deviceId: old.deviceId, kind: 'offline', message: 'gone' }]);
    const r = await replaceDevice(store.db, {
      deviceId: old.deviceId,
      newDeviceId: 'q01-new',
      actor: 'tech',
    });
    expect(r).toMatchObject({
      deviceId: 'q01-new',
      unitId: 'trung-van',
      counterId: 'q01',
      replaced: old.deviceId,
    });
    const creds = await findDeviceByUsername(store.db, r.username);
    expect(await verifyDeviceSecret(r.password, creds!.passwordHash)).toBe(true);
    // Same settings, same version: they are the counter's.
    expect(await getDeviceConfig(store.db, 'q01-new')).toMatchObject({
      version: 1,
      settings: { scale: 'keypad5' },
    });
    const days = (r.drainUntil.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect(await row(old.deviceId)).toMatchObject({
      replacedBy: 'q01-new',
      revokedAt: null,
      status: 'draining',
    });
    expect(await actions(old.deviceId)).toEqual(['device.add', 'config.set', 'device.replace']);
    // Its alerts closed; it raises none while draining, and gets no commands or settings.
    expect((await openAlerts(store.db, 'trung-van')).filter((a) => a.deviceId === old.deviceId)).toEqual([]);
    await applyAlertChanges(store.db, [{ deviceId: old.deviceId, kind: 'outbox_filling', message: 'full' }]);
    expect((await openAlerts(store.db, 'trung-van')).filter((a) => a.deviceId === old.deviceId)).toEqual([]);
    await expect(
      requestCommand(store.db, { deviceId: old.deviceId, name: 'restart', actor: 't' }),
    ).rejects.toThrow(StoreInputError);
    const set = await setDeviceConfig(store.db, {
      unitId: 'trung-van',
      settings: { scale: 'keypad3' },
      actor: 't',
    });
    expect(set.map((c) => [c.deviceId, c.version])).toEqual([['q01-new', 2]]);
    await expect(
      replaceDevice(store.db, { deviceId: old.deviceId, newDeviceId: 'q01-x', actor: 't' }),
    ).rejects.toThrow(/already replaced by 'q01-new'/);
    await expect(
      replaceDevice(store.db, { deviceId: 'q01-new', newDeviceId: old.deviceId, actor: 't' }),
    ).rejects.toThrow(/already exists/);
    // Nothing of the refused replace was kept.
    expect(await row('q01-new')).toMatchObject({ replacedBy: null });
  });

  it('revokes a draining board once it reports an empty outbox, and only then', async () => {
    const old = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 't' });
    expect(await finishDrain(store.db, old.deviceId, { depth: 0, deadLetters: 0 })).toBe(false);
    await replaceDevice(store.db, { deviceId: old.deviceId, newDeviceId: 'q02-new', actor: 't' });
    // Replaced before the swap: the new board has never connected, the old one still rates.
    expect(await finishDrain(store.db, old.deviceId, { depth: 0, deadLetters: 0 })).toBe(false);
    expect((await row(old.deviceId)).revokedAt).toBeNull();
    await store.db
      .update(devices)
      .set({ lastSeenAt: new Date(), status: 'online' })
      .where(eq(devices.id, 'q02-new'));
    expect(await finishDrain(store.db, old.deviceId, { depth: 3, deadLetters: 0 })).toBe(false);
    expect((await row(old.deviceId)).revokedAt).toBeNull();
    expect(await finishDrain(store.db, old.deviceId, { depth: 0, deadLetters: 0 })).toBe(true);
    expect((await row(old.deviceId)).revokedAt).not.toBeNull();
    expect(await actions(old.deviceId)).toEqual(['device.add', 'device.replace', 'device.drained']);
    expect(await finishDrain(store.db, old.deviceId, { depth: 0, deadLetters: 0 })).toBe(false);
    expect((await openAlerts(store.db, 'trung-van')).filter((a) => a.deviceId === old.deviceId)).toEqual([]);
  });

  it('opens an alert when a board drains leaving dead letters on it', async () => {
    const old = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q09', actor: 't' });
    await replaceDevice(store.db, { deviceId: old.deviceId, newDeviceId: 'q09-new', actor: 't' });
    await store.db.update(devices).set({ lastSeenAt: new Date() }).where(eq(devices.id, 'q09-new'));
    expect(await finishDrain(store.db, old.deviceId, { depth: 0, deadLetters: 2 })).toBe(true);
    const open = (await openAlerts(store.db, 'trung-van')).filter((a) => a.deviceId === old.deviceId);
    expect(open.map((a) => [a.kind, a.message])).toEqual([
      ['not_drained', 'replaced board revoked with 2 dead letter(s) left on it'],
    ]);
  });

  it('revokes a board not drained by its deadline, with an alert naming what is stranded', async () => {
    const old = await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q01', actor: 't' });
    const quiet = await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q02', actor: 't' });
    await replaceDevice(store.db, {
      deviceId: old.deviceId,
      newDeviceId: 'ka-q01-new',
      drainDays: 2,
      actor: 't',
    });
    await replaceDevice(store.db, { deviceId: quiet.deviceId, newDeviceId: 'ka-q02-new', actor: 't' });
    expect(await expireDrains(store.db)).toEqual([]);
    await store.db
      .update(devices)
      .set({ drainUntil: sql`now() - interval '1 second'`, telemetry: { outbox: { depth: 4 } } })
      .where(eq(devices.id, old.deviceId));
    expect(await expireDrains(store.db)).toEqual([old.deviceId]);
    expect(await actions(old.deviceId)).toEqual(['device.add', 'device.replace', 'device.drain_expired']);
    const open = (await openAlerts(store.db, 'kim-anh')).filter((a) => a.deviceId === old.deviceId);
    expect(open.map((a) => [a.kind, a.message])).toEqual([
      ['not_drained', 'replaced board revoked with 4 event(s) still in its outbox'],
    ]);
    expect((await row(quiet.deviceId)).revokedAt).toBeNull();
    expect(await expireDrains(store.db)).toEqual([]);
  });

  it('two concurrent replaces of one board leave one new board on the counter', async () => {
    const old = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q06', actor: 't' });
    // On PostgreSQL a third session holds the counter's lock until both replaces wait for it, so
    // both have started (and, before the fix, both had read the board as live) whatever the timing.
    const holder = store.url ? new pg.Client({ connectionString: store.url }) : null;
    if (holder) {
      await holder.connect();
      await holder.query('begin');
      await holder.query("select 1 from counters where unit_id = 'trung-van' and id = 'q06' for update");
    }
    const both = Promise.allSettled(
      ['q06-a', 'q06-b'].map((newDeviceId) =>
        replaceDevice(store.db, { deviceId: old.deviceId, newDeviceId, actor: 't' }),
      ),
    );
    if (holder) {
      for (;;) {
        // Inside a transaction the activity view is read once, unless cleared for each look.
        await holder.query('select pg_stat_clear_snapshot()');
        const { rows } = await holder.query(
          "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
        );
        if (rows[0].n >= 2) break;
      }
      await holder.query('commit');
      await holder.end();
    }
    const results = await both;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(StoreInputError);
    expect(String(refused.reason)).toMatch(/already replaced by 'q06-[ab]'/);
    const live = await store.db
      .select({ id: devices.id })
      .from(devices)
      .where(
        sql`${devices.counterId} = 'q06' and ${devices.replacedBy} is null and ${devices.revokedAt} is null`,
      );
    expect(live).toHaveLength(1);
  });

  it('gives up the commands still unsent to a board when it is replaced, audited', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q08', actor: 't' });
    const cmd = await requestCommand(store.db, { deviceId: d.deviceId, name: 'restart', actor: 't' });
    expect(await pendingCommands(store.db, [d.deviceId])).toHaveLength(1);
    await replaceDevice(store.db, { deviceId: d.deviceId, newDeviceId: 'q08-new', actor: 't' });
    expect(await pendingCommands(store.db, [d.deviceId])).toEqual([]);
    const [row] = await store.db.select().from(deviceCommands).where(eq(deviceCommands.cmdId, cmd.cmdId));
    expect(row!.error).toBe("cancelled: board replaced by 'q08-new'");
    expect(row!.sentAt).toBeNull();
    const [audit] = await store.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.target} = ${d.deviceId} and ${auditLog.action} = 'device.replace'`);
    expect(audit!.details).toMatchObject({ cancelled: [cmd.cmdId] });
  });

  it('refuses drain days out of range, naming the flag', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q03', actor: 't' });
    for (const drainDays of [-1, 1.5, 91])
      await expect(
        replaceDevice(store.db, { deviceId: d.deviceId, newDeviceId: 'q03-n', drainDays, actor: 't' }),
      ).rejects.toThrow(/--drain-days/);
    await expect(
      replaceDevice(store.db, { deviceId: 'ghost', newDeviceId: 'q03-n', actor: 't' }),
    ).rejects.toThrow("no device 'ghost'");
  });

  it('restores only a revoked board, and only while its counter has no other live board', async () => {
    const a = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q04', actor: 't' });
    await expect(restoreDevice(store.db, a.deviceId, 't')).rejects.toThrow(/is not revoked/);
    await revokeDevice(store.db, a.deviceId, 't');
    expect(await restoreDevice(store.db, a.deviceId, 'tech')).toMatchObject({ restored: true });
    expect(await row(a.deviceId)).toMatchObject({ revokedAt: null, replacedBy: null });
    expect(await actions(a.deviceId)).toEqual(['device.add', 'device.revoke', 'device.restore']);

    const r = await replaceDevice(store.db, {
      deviceId: a.deviceId,
      newDeviceId: 'q04-new',
      drainDays: 0,
      actor: 't',
    });
    expect((await row(a.deviceId)).revokedAt).not.toBeNull();
    await expect(restoreDevice(store.db, a.deviceId, 't')).rejects.toThrow(/now runs on 'q04-new'/);
    await revokeDevice(store.db, r.deviceId, 't');
    await restoreDevice(store.db, a.deviceId, 't');
    expect(await row(a.deviceId)).toMatchObject({ revokedAt: null, replacedBy: null, drainUntil: null });
    await expect(restoreDevice(store.db, 'ghost', 't')).rejects.toThrow("no device 'ghost'");
  });

  it('rotates a password: the new one works, the old one does not', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q05', actor: 't' });
    const r = await rotateDevicePassword(store.db, d.deviceId, 'tech');
    expect(r).toMatchObject({ deviceId: d.deviceId, username: d.username });
    const hash = (await findDeviceByUsername(store.db, d.username))!.passwordHash;
    expect(await verifyDeviceSecret(r.password, hash)).toBe(true);
    expect(await verifyDeviceSecret(d.password, hash)).toBe(false);
    expect(await actions(d.deviceId)).toEqual(['device.add', 'device.rotate']);
    await revokeDevice(store.db, d.deviceId, 't');
    await expect(rotateDevicePassword(store.db, d.deviceId, 't')).rejects.toThrow(/is revoked/);
  });

  it('refuses to rotate a draining board’s password, keeping the one it drains with', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q07', actor: 't' });
    await replaceDevice(store.db, { deviceId: d.deviceId, newDeviceId: 'q07-new', actor: 't' });
    await expect(rotateDevicePassword(store.db, d.deviceId, 't')).rejects.toThrow(
      `device '${d.deviceId}' was replaced by 'q07-new' and is draining`,
    );
    const hash = (await findDeviceByUsername(store.db, d.username))!.passwordHash;
    expect(await verifyDeviceSecret(d.password, hash)).toBe(true);
    expect(await actions(d.deviceId)).toEqual(['device.add', 'device.replace']);
  });
});
