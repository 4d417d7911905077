import { z } from 'zod';
import { Count, SafeNumber } from '../bounds.js';
import { DeviceClockMs, EpochMs, EventId, Uuid } from '../ids.js';
import { ProtocolVersion } from './envelope.js';
import { CounterSettings } from './settings.js';

/** Retained, server → device: the desired settings and their version. */
export const ConfigMessage = z.strictObject({
  v: ProtocolVersion,
  /** `counter_configs.version` is an `integer` column. */
  version: Count,
  ts: EpochMs,
  settings: CounterSettings,
});

/** Server → device: these event IDs are durably stored; the device may drop them. */
export const AckMessage = z.strictObject({
  v: ProtocolVersion,
  ts: EpochMs,
  eventIds: z.array(EventId).min(1).max(1_000),
});

/**
 * Retained by the ingest on `INGEST_STATE.topic`, its will saying `online: false`: whether the
 * centre is listening for events now. `ts` (when the ingest's current subscription was granted)
 * changes with every connection, so a device hears each new listening period even when the
 * ingest came back on another broker of a cluster before any will was sent.
 */
export const IngestState = z.discriminatedUnion('online', [
  z.strictObject({ v: ProtocolVersion, online: z.literal(true), ts: EpochMs }),
  z.strictObject({ v: ProtocolVersion, online: z.literal(false) }),
]);

/**
 * `retry-dead-letters` puts events the server once refused (kept aside on the device, never
 * deleted) back in the outbox, once a technician has fixed the cause on the server side.
 */
export const COMMAND_NAMES = ['restart', 'reload-config', 'self-test', 'retry-dead-letters'] as const;
export const CommandName = z.enum(COMMAND_NAMES);
export type CommandName = z.infer<typeof CommandName>;

export const CommandRequest = z.strictObject({
  v: ProtocolVersion,
  cmdId: Uuid,
  ts: EpochMs,
  args: z.record(z.string(), z.union([z.string(), SafeNumber, z.boolean()])).default({}),
});

export const CommandResponse = z.strictObject({
  v: ProtocolVersion,
  cmdId: Uuid,
  ts: DeviceClockMs,
  ok: z.boolean(),
  result: z.record(z.string(), z.union([z.string(), SafeNumber, z.boolean(), z.null()])).nullable(),
  error: z.string().max(500).nullable(),
});

export type ConfigMessage = z.infer<typeof ConfigMessage>;
export type AckMessage = z.infer<typeof AckMessage>;
export type IngestState = z.infer<typeof IngestState>;
export type CommandRequest = z.infer<typeof CommandRequest>;
export type CommandResponse = z.infer<typeof CommandResponse>;
