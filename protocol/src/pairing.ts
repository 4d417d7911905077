import { z } from 'zod';
import { CounterId, DeviceId, UnitId } from './ids.js';
import { CounterSettings } from './payloads/settings.js';
import { ReleasePublicKeys } from './release.js';

/**
 * Pairing: the contract between the centre's `POST /api/pair` and `onestop agent pair` on a
 * board. Defined here, once, since both ends check it.
 *
 * Letters and digits a technician cannot misread or mistype on a board's keyboard: no 0/O, 1/I/L,
 * nor U/V. Eight of them are 2^39 codes; a code lives 30 minutes and the claim route lets one
 * address try a handful in 15 minutes, so guessing one is hopeless.
 */
export const PAIRING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';
export const PAIRING_CODE_LENGTH = 8;

/** `ABCD-EFGH`: shown in two halves, read back with or without the dash, any case, spaces. */
export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The code as issued (no dash, upper case), or null when it cannot be one. */
export function normalisePairingCode(input: string): string | null {
  if (input.length > 32) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== PAIRING_CODE_LENGTH) return null;
  for (const ch of code) if (!PAIRING_ALPHABET.includes(ch)) return null;
  return code;
}

/** Why a claim was refused: each is counted and answered with its own message. */
export const PAIRING_REFUSALS = ['malformed', 'unknown', 'claimed', 'expired', 'revoked'] as const;
export type PairingRefusal = (typeof PAIRING_REFUSALS)[number];

/** What a board sends. */
export const PairingClaimRequest = z.strictObject({ code: z.string().max(32) });

const BrokerUrl = z.string().regex(/^(mqtts?|wss?):\/\/[^\s/]+/, 'must be an mqtt(s):// or ws(s):// URL');

/** What a board receives: its identity, credentials, where the broker is and whom to trust. */
export const PairingClaimResponse = z.strictObject({
  deviceId: DeviceId,
  unitId: UnitId,
  counterId: CounterId,
  mqtt: z.strictObject({
    urls: z.array(BrokerUrl).min(1).max(8),
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(256),
  }),
  /** PEM of the CA of the broker's TLS certificate, when it serves TLS. */
  caCertificate: z
    .string()
    .max(64 * 1024)
    .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate')
    .nullable(),
  /** The centre's stored settings of the device, or null (the file's defaults until `config`). */
  settings: CounterSettings.nullable(),
  /**
   * PEM public keys (Ed25519) whose signature makes a release bundle installable on this board
   * (release.ts). Empty: the board installs no update until a technician adds one to its config.
   */
  releaseKeys: ReleasePublicKeys,
});
export type PairingClaimResponse = z.infer<typeof PairingClaimResponse>;

/** A refusal's body: `message` is printed to the technician as it is. */
export const PairingRefusalResponse = z.object({
  error: z.string(),
  reason: z.string().optional(),
  message: z.string().max(500),
});
