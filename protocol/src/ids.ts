import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/**
 * Unit, counter and device IDs become MQTT topic levels, so they must never contain
 * `/`, `+` or `#`. Lower-case slugs keep them readable in logs and URLs.
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const slug = (what: string) =>
  z.string().regex(SLUG_PATTERN, `${what} must be a lower-case slug: a-z, 0-9, '-' or '_', 1–64 characters`);

export const UnitId = slug('unitId');
export const CounterId = slug('counterId');
export const DeviceId = slug('deviceId');
export const OfficerId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'officerId must be 1–64 characters of A-Z, a-z, 0-9, . _ -');
/** Dossier codes on receipts look like `000.00.12.H26-250101-0001`; keep the set narrow but real. */
export const DossierId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/:-]{0,79}$/, 'dossierId must be 1–80 characters of A-Z, 0-9, . _ / : -');
export const QueueTicket = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,16}$/, 'ticket must be 1–16 characters of A-Z, 0-9, -');
export const EventId = z.uuid({ version: 'v7', message: 'eventId must be a UUIDv7' });
export const Uuid = z.uuid({ message: 'must be a UUID' });
/** 2100-01-01T00:00:00Z: no time of this system is later; keeps every timestamp column in range. */
const YEAR_2100_MS = 4_102_444_800_000;

/**
 * A time the server stamps (acks, configs, commands), ms since the Unix epoch, sanity-bounded
 * (2020 … 2100): a server clock outside that is a fault worth refusing.
 */
export const EpochMs = z
  .int()
  .min(1_577_836_800_000, 'timestamp is before 2020: is the server clock set?')
  .max(YEAR_2100_MS, 'timestamp is after 2100');

/**
 * What a device's wall clock said, ms since the Unix epoch: ANY value from 1970 to 2100. A board
 * without an RTC reads 1970 after a power cut until NTP answers, a stale RTC reads 2020, a bad one
 * years ahead. Refusing such an event would have the device re-send it forever and lose it in the
 * end; the centre accepts it and decides when it happened from the boot's monotonic clock, or
 * quarantines it (store/src/time/placement.ts).
 */
export const DeviceClockMs = z
  .int()
  .min(0, 'device clock before 1970')
  .max(YEAR_2100_MS, 'timestamp is after 2100');

export type UnitId = z.infer<typeof UnitId>;
export type CounterId = z.infer<typeof CounterId>;
export type DeviceId = z.infer<typeof DeviceId>;
export type OfficerId = z.infer<typeof OfficerId>;
export type DossierId = z.infer<typeof DossierId>;

/** Time-ordered IDs: index locality in the database and a natural replay order. */
export function newEventId(): string {
  return uuidv7();
}

/**
 * How long a replaced board may still deliver its queued events (`device replace --drain-days`)
 * before the centre revokes it anyway: one week by default, at most a quarter. One definition
 * for the store, the CLI and the dashboard.
 */
export const DEFAULT_DRAIN_DAYS = 7;
export const MAX_DRAIN_DAYS = 90;
