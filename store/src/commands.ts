import { type CommandName, CommandName as CommandNameSchema, newEventId } from '@onestop/protocol';
import { and, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Executor } from './db.js';
import { activeDevice } from './device-config.js';
import { StoreInputError } from './devices.js';
import { inTransaction, notify } from './notify.js';
import { auditLog, deviceCommands, devices } from './schema.js';

export type DeviceCommand = typeof deviceCommands.$inferSelect;

/** A command waits this long for its device to be connected, then is given up. */
const COMMAND_TTL_MS = 10 * 60_000;

/**
 * Queues a command for a device and signals `command_queued` in the same transaction: the broker
 * that has the device connected sends it at once.
 */
export async function requestCommand(
  db: Executor,
  input: { deviceId: string; name: string; args?: Record<string, string | number | boolean>; actor: string },
  now = new Date(),
): Promise<DeviceCommand> {
  const name = CommandNameSchema.safeParse(input.name);
  if (!name.success) throw new StoreInputError(`command: one of ${CommandNameSchema.options.join(', ')}`);
  return inTransaction(db, (tx) => queueCommand(tx, input, name.data, now));
}

async function queueCommand(
  db: Executor,
  input: { deviceId: string; args?: Record<string, string | number | boolean>; actor: string },
  name: CommandName,
  now: Date,
): Promise<DeviceCommand> {
  const [device] = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.id, input.deviceId), activeDevice()));
  // A replaced board only drains its outbox: commands go to the counter's live board.
  if (!device) throw new StoreInputError(`no active device '${input.deviceId}'`);
  // A UUIDv7 like every event ID: the device answers with it on cmd/{name}/res.
  const [row] = await db
    .insert(deviceCommands)
    .values({
      cmdId: newEventId(),
      deviceId: input.deviceId,
      name,
      args: input.args ?? {},
      requestedBy: input.actor,
      requestedAt: now,
      expiresAt: new Date(now.getTime() + COMMAND_TTL_MS),
    })
    .returning();
  await db.insert(auditLog).values({
    actor: input.actor,
    action: `command.${name}`,
    target: input.deviceId,
    details: { cmdId: row!.cmdId, args: input.args ?? {} },
  });
  await notify(db, 'command_queued', { deviceId: input.deviceId });
  return row!;
}

/** Unsent, unexpired commands for these devices (the ones connected to the asking broker). */
export async function pendingCommands(
  db: Executor,
  deviceIds: readonly string[],
  now = new Date(),
): Promise<Array<DeviceCommand & { unitId: string; counterId: string }>> {
  if (deviceIds.length === 0) return [];
  const rows = await db
    .select({ command: deviceCommands, unitId: devices.unitId, counterId: devices.counterId })
    .from(deviceCommands)
    .innerJoin(devices, eq(devices.id, deviceCommands.deviceId))
    .where(
      and(
        inArray(deviceCommands.deviceId, [...deviceIds]),
        isNull(deviceCommands.sentAt),
        gt(deviceCommands.expiresAt, now),
      ),
    )
    .orderBy(deviceCommands.requestedAt);
  return rows.map((r) => ({ ...r.command, unitId: r.unitId, counterId: r.counterId }));
}

/** Claims a command for sending: true only for the first broker that asks (at most once). */
export async function claimCommand(db: Executor, cmdId: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(deviceCommands)
    .set({ sentAt: now })
    .where(and(eq(deviceCommands.cmdId, cmdId), isNull(deviceCommands.sentAt)))
    .returning({ cmdId: deviceCommands.cmdId });
  return rows.length > 0;
}

/** Records a device's answer; only the device the command went to can close it. */
export async function recordCommandAnswer(
  db: Executor,
  deviceId: string,
  name: CommandName,
  answer: { cmdId: string; ok: boolean; result: Record<string, unknown> | null; error: string | null },
  now = new Date(),
): Promise<boolean> {
  const rows = await db
    .update(deviceCommands)
    .set({ answeredAt: now, ok: answer.ok, result: answer.result, error: answer.error })
    .where(
      and(
        eq(deviceCommands.cmdId, answer.cmdId),
        eq(deviceCommands.deviceId, deviceId),
        eq(deviceCommands.name, name),
        isNull(deviceCommands.answeredAt),
      ),
    )
    .returning({ cmdId: deviceCommands.cmdId });
  return rows.length > 0;
}

export async function recentCommands(db: Executor, deviceId: string, limit = 20): Promise<DeviceCommand[]> {
  return db
    .select()
    .from(deviceCommands)
    .where(eq(deviceCommands.deviceId, deviceId))
    .orderBy(desc(deviceCommands.requestedAt))
    .limit(limit);
}

export async function getCommand(db: Executor, cmdId: string): Promise<DeviceCommand | null> {
  const [row] = await db.select().from(deviceCommands).where(eq(deviceCommands.cmdId, cmdId)).limit(1);
  return row ?? null;
}
