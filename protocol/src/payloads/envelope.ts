import { z } from 'zod';
import { SafeCount } from '../bounds.js';
import { DeviceClockMs, DeviceId, EventId, Uuid } from '../ids.js';

export const PROTOCOL_VERSION = 1 as const;
export const ProtocolVersion = z.literal(PROTOCOL_VERSION, { message: `v must be ${PROTOCOL_VERSION}` });

/**
 * Every event a device emits carries this envelope. `(bootId, seq)` orders events from one boot
 * even when the wall clock jumps (no NTP yet after a power cut); `mono` is the monotonic clock
 * offset since boot so that the server can re-base `ts` once it learns the clock was wrong.
 */
export const envelopeShape = {
  v: ProtocolVersion,
  eventId: EventId,
  deviceId: DeviceId,
  bootId: Uuid,
  seq: SafeCount,
  ts: DeviceClockMs,
  mono: SafeCount,
};

export type Envelope = {
  v: typeof PROTOCOL_VERSION;
  eventId: string;
  deviceId: string;
  bootId: string;
  seq: number;
  ts: number;
  mono: number;
};
