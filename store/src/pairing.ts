import { createHash, randomInt } from 'node:crypto';
import {
  type CounterSettings,
  formatPairingCode,
  normalisePairingCode,
  PAIRING_ALPHABET,
  PAIRING_CODE_LENGTH,
  type PairingRefusal,
} from '@onestop/protocol';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { generatePassword, hashGeneratedSecret } from './credentials.js';
import type { Executor } from './db.js';
import { getDeviceConfig } from './device-config.js';
import { provisionDevice, StoreInputError } from './devices.js';
import { inTransaction, notify } from './notify.js';
import { auditLog, devices, pairingCodes } from './schema.js';

export const PAIRING_TTL_MINUTES = { default: 30, max: 24 * 60 } as const;

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

function newCode(): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)];
  return code;
}

export interface IssuedPairing {
  /** Shown once (`ABCD-EFGH`); only its hash is stored. */
  code: string;
  deviceId: string;
  unitId: string;
  counterId: string;
  expiresAt: Date;
}

function checkTtl(ttlMinutes: number | undefined): number {
  const ttl = ttlMinutes ?? PAIRING_TTL_MINUTES.default;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > PAIRING_TTL_MINUTES.max)
    throw new StoreInputError(`--expires: minutes from 1 to ${PAIRING_TTL_MINUTES.max}`);
  return ttl;
}

/** Stores a new code for the device (its hash), audited; the code itself is returned once. */
async function storeCode(
  tx: Executor,
  device: { deviceId: string; unitId: string; counterId: string },
  actor: string,
  ttl: number,
  again: boolean,
): Promise<IssuedPairing> {
  const code = newCode();
  const [row] = await tx
    .insert(pairingCodes)
    .values({
      codeHash: hashCode(code),
      deviceId: device.deviceId,
      createdBy: actor,
      expiresAt: new Date(Date.now() + ttl * 60_000),
    })
    .returning({ expiresAt: pairingCodes.expiresAt });
  await tx.insert(auditLog).values({
    actor,
    action: 'device.pair.issue',
    target: device.deviceId,
    details: { expiresAt: row!.expiresAt.toISOString(), ...(again ? { again } : {}) },
  });
  return { code: formatPairingCode(code), ...device, expiresAt: row!.expiresAt };
}

/**
 * "Add device" by pairing: provisions the device (its first password is thrown away unseen, so
 * nothing can log in as it yet) and issues a one-time code that the board claims within
 * `ttlMinutes`. One transaction: no device without its code.
 */
export async function issuePairingCode(
  db: Executor,
  input: { unitId: string; counterId: string; deviceId?: string; actor: string; ttlMinutes?: number },
): Promise<IssuedPairing> {
  const ttl = checkTtl(input.ttlMinutes);
  return inTransaction(db, async (tx) => {
    const { password: _unused, username: _name, ...device } = await provisionDevice(tx, input);
    return storeCode(tx, device, input.actor, ttl, false);
  });
}

/**
 * A new code for an existing, active device: its code ran out before the board was reached, or
 * its board is being set up again (a new SD card). Earlier unclaimed codes of the device stop
 * working at once; when this one is claimed the device gets a new password, so a board still
 * holding the old one is refused from then on.
 */
export async function reissuePairingCode(
  db: Executor,
  input: { deviceId: string; actor: string; ttlMinutes?: number },
): Promise<IssuedPairing> {
  const ttl = checkTtl(input.ttlMinutes);
  return inTransaction(db, async (tx) => {
    const [device] = await tx
      .select({ deviceId: devices.id, unitId: devices.unitId, counterId: devices.counterId })
      .from(devices)
      .where(and(eq(devices.id, input.deviceId), isNull(devices.revokedAt)));
    if (!device) throw new StoreInputError(`no active device '${input.deviceId}'`);
    await tx
      .update(pairingCodes)
      .set({ expiresAt: sql`least(${pairingCodes.expiresAt}, now())` })
      .where(and(eq(pairingCodes.deviceId, device.deviceId), isNull(pairingCodes.claimedAt)));
    return storeCode(tx, device, input.actor, ttl, true);
  });
}

export interface ClaimedDevice {
  deviceId: string;
  unitId: string;
  counterId: string;
  username: string;
  /** Generated now, returned once to the board; only its hash is stored. */
  password: string;
  /** The centre's stored settings for the device, or null (the file's defaults then). */
  settings: CounterSettings | null;
}

export type PairingClaim = { ok: true; device: ClaimedDevice } | { ok: false; reason: PairingRefusal };

/**
 * A board claims its code: the device gets a fresh password (its hash replaces the unusable one)
 * and the code is spent. A refusal of a known code is counted on it and audited; a malformed or
 * unknown code touches nothing (the caller counts and throttles it).
 */
export async function claimPairingCode(
  db: Executor,
  input: { code: string; address: string },
): Promise<PairingClaim> {
  const code = normalisePairingCode(input.code);
  if (!code) return { ok: false, reason: 'malformed' };
  const codeHash = hashCode(code);
  // A guess costs one indexed lookup, not a password hash: unknown codes stop here.
  const [known] = await db
    .select({ id: pairingCodes.id })
    .from(pairingCodes)
    .where(eq(pairingCodes.codeHash, codeHash));
  if (!known) return { ok: false, reason: 'unknown' };
  const password = generatePassword();
  const passwordHash = hashGeneratedSecret(password);
  return inTransaction(db, async (tx): Promise<PairingClaim> => {
    const [row] = await tx
      .select({
        id: pairingCodes.id,
        deviceId: pairingCodes.deviceId,
        expiresAt: pairingCodes.expiresAt,
        claimedAt: pairingCodes.claimedAt,
        revokedAt: devices.revokedAt,
        unitId: devices.unitId,
        counterId: devices.counterId,
        username: devices.username,
      })
      .from(pairingCodes)
      .innerJoin(devices, eq(devices.id, pairingCodes.deviceId))
      .where(eq(pairingCodes.id, known.id))
      .for('update');
    if (!row) return { ok: false, reason: 'unknown' };
    const refusal: PairingRefusal | null = row.claimedAt
      ? 'claimed'
      : row.revokedAt
        ? 'revoked'
        : row.expiresAt.getTime() <= Date.now()
          ? 'expired'
          : null;
    if (refusal) {
      await tx
        .update(pairingCodes)
        .set({ refusedClaims: sql`${pairingCodes.refusedClaims} + 1` })
        .where(eq(pairingCodes.id, row.id));
      await tx.insert(auditLog).values({
        actor: `pairing:${input.address}`,
        action: 'device.pair.refused',
        target: row.deviceId,
        details: { reason: refusal },
      });
      return { ok: false, reason: refusal };
    }
    await tx.update(devices).set({ passwordHash }).where(eq(devices.id, row.deviceId));
    await tx
      .update(pairingCodes)
      .set({ claimedAt: new Date(), claimedFrom: input.address })
      .where(eq(pairingCodes.id, row.id));
    await tx.insert(auditLog).values({
      actor: `pairing:${input.address}`,
      action: 'device.pair',
      target: row.deviceId,
    });
    // A re-pair (new SD card, stolen board) must cut the board still holding the old password:
    // brokers close its connections at once, and its next login fails on the new hash.
    await notify(tx, 'device_changed', { deviceId: row.deviceId });
    const stored = await getDeviceConfig(tx, row.deviceId);
    return {
      ok: true,
      device: {
        deviceId: row.deviceId,
        unitId: row.unitId,
        counterId: row.counterId,
        username: row.username,
        password,
        settings: stored?.settings ?? null,
      },
    };
  });
}
