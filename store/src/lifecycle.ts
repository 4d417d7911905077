import { DEFAULT_DRAIN_DAYS, MAX_DRAIN_DAYS } from '@onestop/protocol';
import { and, eq, gt, isNotNull, isNull, lte, ne, sql } from 'drizzle-orm';
import { generatePassword, hashGeneratedSecret } from './credentials.js';
import type { Executor } from './db.js';
import { activeDevice } from './device-config.js';
import {
  closeDeviceAlerts,
  lockCounter,
  type ProvisionedDevice,
  provisionDevice,
  revokeIn,
  StoreInputError,
} from './devices.js';
import { inTransaction, notify } from './notify.js';
import { alerts, auditLog, deviceCommands, devices } from './schema.js';

/**
 * A board's life after `device add`: replaced by another on its counter (draining its outbox
 * meanwhile), restored after a revocation, given a new password. Every step is audited and
 * signalled (`device_changed`) in its transaction, so brokers close the board's connections and
 * let it in again only under what the database now says.
 */

/** What a replaced board's credentials still allow: delivering its outbox, nothing else. */
export const draining = () => and(isNull(devices.revokedAt), isNotNull(devices.replacedBy));

export interface ReplacedDevice extends ProvisionedDevice {
  replaced: string;
  /** The old board is revoked at this time if its outbox has not drained before. */
  drainUntil: Date;
}

async function deviceRow(db: Executor, deviceId: string, forUpdate = false) {
  const query = db
    .select({
      id: devices.id,
      unitId: devices.unitId,
      counterId: devices.counterId,
      revokedAt: devices.revokedAt,
      replacedBy: devices.replacedBy,
    })
    .from(devices)
    .where(eq(devices.id, deviceId))
    .limit(1);
  const [row] = forUpdate ? await query.for('update') : await query;
  if (!row) throw new StoreInputError(`no device '${deviceId}'`);
  return row;
}

/**
 * The device's row read under its counter's lock, so that what is checked is what the rest of the
 * transaction changes: read before the lock, two concurrent replaces of one board would both see
 * it live and both leave a new board on the counter.
 */
async function lockedDeviceRow(db: Executor, deviceId: string) {
  const first = await deviceRow(db, deviceId);
  await lockCounter(db, first.unitId, first.counterId);
  return deviceRow(db, deviceId, true);
}

/**
 * Moves `deviceId`'s counter to a new board `newDeviceId` (provisioned here; its password is in
 * the answer, once). The new board gets the counter's settings at once (`config_changed`); the
 * old one may deliver its outbox for `drainDays` (0: revoked now), then is revoked.
 */
export async function replaceDevice(
  db: Executor,
  input: { deviceId: string; newDeviceId?: string; drainDays?: number; actor: string },
): Promise<ReplacedDevice> {
  const days = input.drainDays ?? DEFAULT_DRAIN_DAYS;
  if (!Number.isInteger(days) || days < 0 || days > MAX_DRAIN_DAYS)
    throw new StoreInputError(`--drain-days: a whole number of days from 0 to ${MAX_DRAIN_DAYS}`);
  return inTransaction(db, async (tx) => {
    const old = await lockedDeviceRow(tx, input.deviceId);
    if (old.revokedAt)
      throw new StoreInputError(
        `device '${old.id}' is revoked: restore it first, or add a board with device add`,
      );
    if (old.replacedBy)
      throw new StoreInputError(`device '${old.id}' was already replaced by '${old.replacedBy}'`);
    const created = await provisionDevice(tx, {
      unitId: old.unitId,
      counterId: old.counterId,
      deviceId: input.newDeviceId,
      actor: input.actor,
    });
    const [row] = await tx
      .update(devices)
      .set({
        replacedBy: created.deviceId,
        drainUntil: sql`now() + make_interval(days => ${days}::int)`,
        status: 'draining',
      })
      // Guarded as well as locked: a board is replaced once, and never after its revocation.
      .where(and(eq(devices.id, old.id), isNull(devices.replacedBy), isNull(devices.revokedAt)))
      .returning({ drainUntil: devices.drainUntil });
    if (!row)
      throw new StoreInputError(
        `device '${old.id}' changed while being replaced (replaced or revoked): try again`,
      );
    await closeDeviceAlerts(tx, old.id);
    const cancelled = await cancelPendingCommands(tx, old.id, created.deviceId);
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: 'device.replace',
      target: old.id,
      details: { newDeviceId: created.deviceId, drainDays: days, drainUntil: row.drainUntil, cancelled },
    });
    await notify(tx, 'device_changed', { deviceId: old.id });
    if (days === 0) await revokeIn(tx, old.id, input.actor, 'device.drain_skipped');
    return { ...created, replaced: old.id, drainUntil: row.drainUntil! };
  });
}

/**
 * A replaced board gets no commands (it only drains): the ones still unsent are given up now,
 * with the reason, instead of waiting for a board that will never take them. Returns their IDs.
 */
async function cancelPendingCommands(tx: Executor, deviceId: string, newDeviceId: string): Promise<string[]> {
  const rows = await tx
    .update(deviceCommands)
    .set({
      expiresAt: sql`least(${deviceCommands.expiresAt}, now())`,
      error: `cancelled: board replaced by '${newDeviceId}'`,
    })
    .where(
      and(
        eq(deviceCommands.deviceId, deviceId),
        isNull(deviceCommands.sentAt),
        gt(deviceCommands.expiresAt, sql`now()`),
      ),
    )
    .returning({ cmdId: deviceCommands.cmdId });
  return rows.map((r) => r.cmdId);
}

/**
 * Un-revokes a device, audited. Only a revoked one, and only while its counter has no other
 * live board: two boards answering for one counter would split its settings and presence.
 */
export async function restoreDevice(
  db: Executor,
  deviceId: string,
  actor: string,
): Promise<{ deviceId: string; unitId: string; counterId: string; restored: true }> {
  return inTransaction(db, async (tx) => {
    const row = await lockedDeviceRow(tx, deviceId);
    if (!row.revokedAt) throw new StoreInputError(`device '${deviceId}' is not revoked: nothing to restore`);
    const [other] = await tx
      .select({ id: devices.id })
      .from(devices)
      .where(
        and(
          activeDevice(),
          eq(devices.unitId, row.unitId),
          eq(devices.counterId, row.counterId),
          ne(devices.id, deviceId),
        ),
      )
      .limit(1);
    if (other)
      throw new StoreInputError(
        `counter '${row.counterId}' of '${row.unitId}' now runs on '${other.id}': revoke or replace that board first`,
      );
    await tx
      .update(devices)
      .set({ revokedAt: null, replacedBy: null, drainUntil: null, status: 'offline' })
      .where(eq(devices.id, deviceId));
    await tx.insert(auditLog).values({
      actor,
      action: 'device.restore',
      target: deviceId,
      details: { revokedAt: row.revokedAt, replacedBy: row.replacedBy },
    });
    await notify(tx, 'device_changed', { deviceId });
    await notify(tx, 'config_changed', { deviceIds: [deviceId] });
    return { deviceId, unitId: row.unitId, counterId: row.counterId, restored: true as const };
  });
}

/**
 * A new password for a device that is neither revoked nor replaced (shown once; only its hash is kept). The old
 * one stops working at once: brokers drop the device's connections, and it must log in again.
 */
export async function rotateDevicePassword(
  db: Executor,
  deviceId: string,
  actor: string,
): Promise<Omit<ProvisionedDevice, 'password'> & { password: string }> {
  const password = generatePassword();
  const passwordHash = hashGeneratedSecret(password);
  return inTransaction(db, async (tx) => {
    const row = await deviceRow(tx, deviceId);
    if (row.revokedAt) throw new StoreInputError(`device '${deviceId}' is revoked: restore it first`);
    // A draining board keeps its password until it is revoked: a new one it never received would
    // only strand its outbox.
    if (row.replacedBy)
      throw new StoreInputError(
        `device '${deviceId}' was replaced by '${row.replacedBy}' and is draining: rotate the new board's password`,
      );
    const [updated] = await tx
      .update(devices)
      .set({ passwordHash })
      .where(eq(devices.id, deviceId))
      .returning({ username: devices.username });
    await tx.insert(auditLog).values({ actor, action: 'device.rotate', target: deviceId });
    await notify(tx, 'device_changed', { deviceId });
    return { deviceId, unitId: row.unitId, counterId: row.counterId, username: updated!.username, password };
  });
}

/** Who revokes a board whose drain ended: the broker, not a person. */
export const DRAIN_ACTOR = 'broker';

/**
 * A draining board reported an empty outbox, and its successor has been heard at least once:
 * everything it queued is delivered and the counter runs on the new board, so the old one is
 * revoked now (audited `device.drained`). Until the new board connects the old one keeps draining
 * (a technician may run `replace` before the swap, and the old board still takes ratings), up to
 * its deadline. False when it is not draining (any more) or must keep draining.
 */
export async function finishDrain(
  db: Executor,
  deviceId: string,
  outbox: { depth: number; deadLetters: number },
): Promise<boolean> {
  if (outbox.depth > 0) return false;
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .select({ id: devices.id, unitId: devices.unitId, replacedBy: devices.replacedBy })
      .from(devices)
      .where(and(eq(devices.id, deviceId), draining()))
      .for('update');
    if (!row?.replacedBy) return false;
    const [successor] = await tx
      .select({ id: devices.id })
      .from(devices)
      .where(and(eq(devices.id, row.replacedBy), isNotNull(devices.lastSeenAt)));
    if (!successor) return false;
    const { deadLetters } = outbox;
    if (!(await revokeIn(tx, deviceId, DRAIN_ACTOR, 'device.drained', { deadLetters }))) return false;
    // Dead letters are events the centre refused: they stay on the revoked board, where only a
    // technician can fetch them, so someone must be told (after revokeIn, which closes alerts).
    if (deadLetters > 0)
      await tx.insert(alerts).values({
        unitId: row.unitId,
        deviceId,
        kind: 'not_drained',
        message: `replaced board revoked with ${deadLetters} dead letter(s) left on it`,
      });
    return true;
  });
}

/**
 * Revokes every draining board past its deadline (audited `device.drain_expired`) and opens a
 * `not_drained` alert for each that last said it still held events: those are stranded on the
 * board, and a technician may want to fetch them. Returns the boards revoked.
 */
export async function expireDrains(db: Executor): Promise<string[]> {
  return inTransaction(db, async (tx) => {
    const due = await tx
      .select({
        id: devices.id,
        unitId: devices.unitId,
        depth: sql<number | null>`(${devices.telemetry}->'outbox'->>'depth')::int`,
      })
      .from(devices)
      .where(and(draining(), lte(devices.drainUntil, sql`now()`)))
      .for('update');
    const revoked: string[] = [];
    for (const d of due) {
      if (!(await revokeIn(tx, d.id, DRAIN_ACTOR, 'device.drain_expired', { lastDepth: d.depth }))) continue;
      revoked.push(d.id);
      if (d.depth !== 0)
        await tx.insert(alerts).values({
          unitId: d.unitId,
          deviceId: d.id,
          kind: 'not_drained',
          message:
            d.depth === null
              ? 'replaced board never reported its outbox before its deadline'
              : `replaced board revoked with ${d.depth} event(s) still in its outbox`,
        });
    }
    return revoked;
  });
}
