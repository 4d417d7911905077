import { randomBytes } from 'node:crypto';
import { CounterId, DeviceId, UnitId } from '@onestop/protocol';
import { and, eq, isNull } from 'drizzle-orm';
import { generatePassword, hashGeneratedSecret } from './credentials.js';
import type { Executor } from './db.js';
import { inTransaction, notify } from './notify.js';
import { alerts, auditLog, counters, devices, units } from './schema.js';

export interface ProvisionedDevice {
  deviceId: string;
  unitId: string;
  counterId: string;
  username: string;
  /** Shown once; only its hash is stored. */
  password: string;
}

export class StoreInputError extends Error {}

/**
 * The MQTT username `device add` gives a device; also the common name of its TLS client
 * certificate (`onestop tls init --client`), which the broker matches against the username.
 */
export const deviceUsername = (deviceId: string): string => `dev-${deviceId}`;

export async function provisionDevice(
  db: Executor,
  input: { unitId: string; counterId: string; actor: string; deviceId?: string },
): Promise<ProvisionedDevice> {
  const unit = UnitId.safeParse(input.unitId);
  if (!unit.success) throw new StoreInputError(`--unit: ${unit.error.issues[0]?.message}`);
  const counter = CounterId.safeParse(input.counterId);
  if (!counter.success) throw new StoreInputError(`--counter: ${counter.error.issues[0]?.message}`);
  const deviceId = input.deviceId ?? `${input.counterId}-${randomBytes(3).toString('hex')}`.slice(0, 64);
  const id = DeviceId.safeParse(deviceId);
  if (!id.success) throw new StoreInputError(`--id: ${id.error.issues[0]?.message}`);
  const password = generatePassword();
  const passwordHash = hashGeneratedSecret(password);
  const username = deviceUsername(deviceId);
  await db.insert(units).values({ id: input.unitId, name: input.unitId }).onConflictDoNothing();
  await db
    .insert(counters)
    .values({ unitId: input.unitId, id: input.counterId, name: input.counterId })
    .onConflictDoNothing();
  const inserted = await db
    .insert(devices)
    .values({ id: deviceId, unitId: input.unitId, counterId: input.counterId, username, passwordHash })
    .onConflictDoNothing()
    .returning({ id: devices.id });
  if (inserted.length === 0) throw new StoreInputError(`device '${deviceId}' already exists`);
  await db.insert(auditLog).values({
    actor: input.actor,
    action: 'device.add',
    target: deviceId,
    details: { unitId: input.unitId, counterId: input.counterId },
  });
  // Settings are the counter's: a board added to a counter that has some gets them at once.
  await notify(db, 'config_changed', { deviceIds: [deviceId] });
  return { deviceId, unitId: input.unitId, counterId: input.counterId, username, password };
}

/**
 * Revokes a device and, in the same transaction, signals `device_revoked`: every broker node
 * then refuses what the device still sends and disconnects it at once.
 */
export async function revokeDevice(db: Executor, deviceId: string, actor: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .select({ unitId: devices.unitId, counterId: devices.counterId })
      .from(devices)
      .where(eq(devices.id, deviceId));
    // Under the counter's lock like replace and restore, so their checks see this revocation.
    if (row) await lockCounter(tx, row.unitId, row.counterId);
    return revokeIn(tx, deviceId, actor, 'device.revoke');
  });
}

/**
 * Takes the counter row's lock: a counter's boards change one at a time (two restores, or a
 * restore and a replace, must not both leave a live board on it).
 */
export async function lockCounter(db: Executor, unitId: string, counterId: string): Promise<void> {
  await db
    .select({ id: counters.id })
    .from(counters)
    .where(and(eq(counters.unitId, unitId), eq(counters.id, counterId)))
    .for('update');
}

/**
 * The one revocation, whoever asks (a person, or a drain ending): audited under `action`.
 * Call it inside a transaction. False when the device is unknown or already revoked.
 */
export async function revokeIn(
  tx: Executor,
  deviceId: string,
  actor: string,
  action: string,
  details?: Record<string, unknown>,
): Promise<boolean> {
  const rows = await tx
    .update(devices)
    .set({ revokedAt: new Date() })
    .where(and(eq(devices.id, deviceId), isNull(devices.revokedAt)))
    .returning({ id: devices.id });
  if (rows.length === 0) return false;
  await tx.insert(auditLog).values({ actor, action, target: deviceId, details });
  await closeDeviceAlerts(tx, deviceId);
  await notify(tx, 'device_revoked', { deviceId });
  return true;
}

/**
 * A withdrawn or replaced board's open alerts close: nobody is to fix it, and an alert left open
 * would stay so for good (such a board never reports its recovery).
 */
export async function closeDeviceAlerts(tx: Executor, deviceId: string): Promise<void> {
  await tx
    .update(alerts)
    .set({ resolvedAt: new Date() })
    .where(and(eq(alerts.deviceId, deviceId), isNull(alerts.resolvedAt)));
}

export async function listDevices(db: Executor) {
  return db
    .select({
      deviceId: devices.id,
      unitId: devices.unitId,
      counterId: devices.counterId,
      username: devices.username,
      status: devices.status,
      lastSeenAt: devices.lastSeenAt,
      revokedAt: devices.revokedAt,
      replacedBy: devices.replacedBy,
      drainUntil: devices.drainUntil,
      agentVersion: devices.agentVersion,
      appliedConfigVersion: devices.appliedConfigVersion,
    })
    .from(devices)
    .orderBy(devices.unitId, devices.counterId, devices.id);
}

/** What the broker needs to authenticate a device and scope its topics. */
export async function findDeviceByUsername(db: Executor, username: string) {
  const [row] = await db
    .select({
      deviceId: devices.id,
      unitId: devices.unitId,
      counterId: devices.counterId,
      passwordHash: devices.passwordHash,
      revokedAt: devices.revokedAt,
      replacedBy: devices.replacedBy,
      drainUntil: devices.drainUntil,
    })
    .from(devices)
    .where(eq(devices.username, username))
    .limit(1);
  return row ?? null;
}
