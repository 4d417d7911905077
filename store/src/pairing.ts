import { createHash, randomInt } from 'node:crypto';
import {
  type CounterSettings,
  formatPairingCode,
  normalisePairingCode,
  PAIRING_ALPHABET,
  PAIRING_CODE_LENGTH,
  type PairingRefusal,
} from '@onestop/protocol';
import { eq, sql } from 'drizzle-orm';
import { generatePassword, hashPassword } from './credentials.js';
import type { Executor } from './db.js';
import { getDeviceConfig } from './device-config.js';
import { provisionDevice, StoreInputError } from './devices.js';
import { inTransaction } from './notify.js';
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

/**
 * "Add device" by pairing: provisions the device (its first password is thrown away unseen, so
 * nothing can log in as it yet) and issues a one-time code that the board claims within
 * `ttlMinutes`. One transaction: no device without its code.
 */
export async function issuePairingCode(
  db: Executor,
  input: { unitId: string; counterId: string; deviceId?: string; actor: string; ttlMinutes?: number },
): Promise<IssuedPairing> {
  const ttl = input.ttlMinutes ?? PAIRING_TTL_MINUTES.default;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > PAIRING_TTL_MINUTES.max)
    throw new StoreInputError(`--expires: minutes from 1 to ${PAIRING_TTL_MINUTES.max}`);
  return inTransaction(db, async (tx) => {
    const { password: _unused, ...device } = await provisionDevice(tx, input);
    const code = newCode();
    const [row] = await tx
      .insert(pairingCodes)
      .values({
        codeHash: hashCode(code),
        deviceId: device.deviceId,
        createdBy: input.actor,
        expiresAt: new Date(Date.now() + ttl * 60_000),
      })
      .returning({ expiresAt: pairingCodes.expiresAt });
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: 'device.pair.issue',
      target: device.deviceId,
      details: { expiresAt: row!.expiresAt.toISOString() },
    });
    return {
      code: formatPairingCode(code),
      deviceId: device.deviceId,
      unitId: device.unitId,
      counterId: device.counterId,
      expiresAt: row!.expiresAt,
    };
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
  // Hashed before the transaction: scrypt must not hold the database's only connection (PGlite).
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
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
