import { z } from 'zod';
import { Count, measured, SafeCount } from '../bounds.js';
import { CommentPublicKey } from '../comment-token.js';
import { DeviceClockMs, DeviceId, Uuid } from '../ids.js';
import { RatingScale } from '../rating-scale.js';
import { ProtocolVersion } from './envelope.js';

/** Retained; also the MQTT Last Will (`offline`) so the dashboard knows a device vanished. */
export const StatusMessage = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  state: z.enum(['online', 'offline', 'stopped']),
  ts: DeviceClockMs,
  bootId: Uuid,
});

export const Capability = z.enum([
  'keypad',
  'touch',
  'scanner',
  'badge',
  'camera_citizen',
  'camera_officer',
  'kiosk',
  'audio',
]);

/** Retained; what this device is and runs, published on every (re)connect. */
export const BirthMessage = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  bootId: Uuid,
  ts: DeviceClockMs,
  agentVersion: z.string().min(1).max(40),
  models: z
    .array(z.strictObject({ name: z.string().min(1).max(64), sha256: z.string().regex(/^[a-f0-9]{64}$/) }))
    .max(8),
  capabilities: z.array(Capability).max(16),
  /** Lands in `devices.applied_config_version`, an `integer` column. */
  configVersion: Count.nullable(),
  /**
   * ms since the boot when this was sent: the monotonic clock of events' `mono`. A birth is sent
   * live at every (re)connect, never queued, so the centre learns from it when the boot began to
   * within a delivery delay (`receivedAt − mono`), which no replayed event can tell it. Optional:
   * agents older than this field still publish births without it (retained, re-validated), and a
   * birth must never be refused for it; the centre then only has the looser bounds of events.
   */
  mono: SafeCount.optional(),
  /**
   * What the board runs on (`process.arch`, `process.versions.modules`): the centre offers an
   * agent release built for another platform to no board that reports this. Optional: older
   * agents; the board then refuses such a bundle itself and reports it.
   */
  platform: z
    .strictObject({ arch: z.string().min(1).max(16), nodeAbi: z.string().regex(/^\d{1,4}$/) })
    .optional(),
  /**
   * The scale of the keypad's profile when the device has one: a press sends that scale's levels
   * whatever the settings say, so the centre refuses settings of another scale for this device
   * (a 3-level screen beside a 4-key keypad). Optional: older agents and keypad-less devices.
   */
  keypadScale: RatingScale.optional(),
  /**
   * The public half of the key this device signs its comment QR codes with (comment-token.ts):
   * the centre takes a comment naming this counter's visit only when it verifies. Optional: older
   * agents, and devices without a screen, sign none.
   */
  commentKey: CommentPublicKey.optional(),
});

const HidState = z.strictObject({
  role: z.enum(['keypad', 'scanner', 'badge']),
  state: z.enum(['connected', 'missing', 'error', 'virtual']),
  name: z.string().max(80).nullable(),
});

/** QoS 0, every `telemetryIntervalMs`: numbers to watch a device by, never personal data. */
export const TelemetryMessage = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  bootId: Uuid,
  ts: DeviceClockMs,
  /** Ten years: a larger uptime is a broken clock, not a device. */
  uptimeS: measured(0, 315_576_000),
  cpuTempC: measured(-40, 150).nullable(),
  load1: measured(0, 1_024),
  /** 1 TiB: far above any counter board. */
  memUsedMb: measured(0, 1_048_576),
  memTotalMb: measured(0, 1_048_576),
  camera: z.strictObject({
    state: z.enum(['off', 'running', 'error']),
    fps: measured(0, 1_000).nullable(),
    inferenceMs: measured(0, 60_000).nullable(),
    error: z.string().max(200).nullable(),
  }),
  outbox: z.strictObject({
    depth: Count,
    capacity: Count.min(1),
    oldestTs: DeviceClockMs.nullable(),
    /** Events the server kept refusing, set aside on the device (never deleted): needs a technician. */
    deadLetters: Count.default(0),
  }),
  hid: z.array(HidState).max(8),
  ignoredPresses: Count,
});

export type StatusMessage = z.infer<typeof StatusMessage>;
export type BirthMessage = z.infer<typeof BirthMessage>;
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;
export type Capability = z.infer<typeof Capability>;
